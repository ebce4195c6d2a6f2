// The translation worker: loads the model folder once, then translates batches the main thread sends,
// one at a time, and returns the hypotheses (and attention weights when asked for) as transferable
// arrays. Started by Translator with workerData { modelDir, threads, precision, quantize }.

import { parentPort, workerData } from 'node:worker_threads';

import { backend } from '../backend/registry.js';
import { nativeThreads, setNativeThreads } from '../backend/native/index.js';
import { attentionWeights } from '../decode/attention-weights.js';
import { translateIds } from '../decode/translate-lines.js';
import { isInputError } from '../errors.js';
import { openModelFolder } from '../io/open-folder.js';
import { EncoderDecoder } from '../model/encoder-decoder.js';
import { withPrecision, type Precision } from '../tensor/precision.js';
import type { Quantization } from '../nn/int8.js';
import type { AttentionMapMessage, TranslationResult, WorkerReply, WorkerRequest } from './protocol.js';

const port = parentPort!;
const { modelDir, threads, precision, quantize } = workerData as {
  modelDir: string;
  threads: number | null;
  precision: Precision;
  quantize: Quantization;
};

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** The folder's output length limit: a Marian folder's max_length, our folders' source length + 50. */
let lengthLimit: { maxLenA: number; maxLenB: number } | null = null;

async function start(): Promise<EncoderDecoder | null> {
  try {
    if (threads !== null) setNativeThreads(threads);
    const { model, search } = await openModelFolder(modelDir, { tokenizer: false, quantize });
    lengthLimit = { maxLenA: search.maxLenA, maxLenB: search.maxLenB };
    if (!(model instanceof EncoderDecoder)) {
      reply({
        type: 'failed',
        message: `${modelDir} holds a ${model.config.kind} model; serve needs an encoder-decoder`,
        input: true,
      });
      return null;
    }
    model.eval();
    const name = backend().name;
    reply({
      type: 'ready',
      model: {
        config: model.config,
        parameters: model.parameterCount(),
        backend: name,
        threads: name === 'native' ? nativeThreads() : null,
      },
    });
    return model;
  } catch (error) {
    reply({ type: 'failed', message: (error as Error).message, input: isInputError(error) });
    return null;
  }
}

function handle(model: EncoderDecoder, request: WorkerRequest): void {
  if (request.type === 'positional-encoding') {
    const values = model.encoder.positional.rows(request.length);
    reply(
      { type: 'positional-encoding', id: request.id, length: request.length, dModel: model.config.dModel, values },
      [values.buffer as ArrayBuffer],
    );
    return;
  }
  const began = performance.now();
  const sources = request.jobs.map((job) => job.source);
  const hypotheses = withPrecision(precision, () =>
    translateIds(model, sources, {
      beam: request.beam,
      alpha: request.alpha,
      batchSize: sources.length,
      ...lengthLimit,
    }),
  );
  const transfer: ArrayBuffer[] = [];
  const results: TranslationResult[] = hypotheses.map(([best], i) => {
    let attention: AttentionMapMessage[] | null = null;
    if (request.jobs[i].attention) {
      attention = attentionWeights(model, sources[i], best.tokens);
      for (const map of attention) transfer.push(map.weights.buffer as ArrayBuffer);
    }
    return { tokens: best.tokens, score: best.score, logprob: best.logprob, attention };
  });
  reply({ type: 'translated', id: request.id, results, milliseconds: performance.now() - began }, transfer);
}

const model = await start();
if (model !== null) {
  port.on('message', (request: WorkerRequest) => {
    try {
      handle(model, request);
    } catch (error) {
      reply({ type: 'error', id: request.id, message: (error as Error).message });
    }
  });
}
