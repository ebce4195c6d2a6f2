// The worker for the encoder-only and decoder-only kinds: loads the model folder once, then runs one
// job at a time. An encoder job is one forward pass (the head's class distributions at the asked
// positions, and every self-attention map); a generation samples on the key/value cache, reporting
// its tokens after every step and pausing between steps so that a stop from the main thread (the
// client went away) gets through. Started by ModelRunner with workerData { modelDir, threads, precision }.

import { parentPort, workerData } from 'node:worker_threads';

import type { FloatArray } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { nativeThreads, setNativeThreads } from '../backend/native/index.js';
import { sampleSteps } from '../decode/sample.js';
import { isInputError } from '../errors.js';
import { openModelFolder } from '../io/open-folder.js';
import { DecoderOnly } from '../model/decoder-only.js';
import { EncoderOnly } from '../model/encoder-only.js';
import type { Model } from '../model/index.js';
import { observeAttention } from '../model/observe.js';
import * as T from '../tensor/index.js';
import { withPrecision, type Precision } from '../tensor/precision.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import type { EncodeJob, GenerateJob, KindsReply, KindsRequest, RankedRow } from './kinds-protocol.js';
import type { AttentionMapMessage } from './protocol.js';

const port = parentPort!;
const { modelDir, threads, precision } = workerData as {
  modelDir: string;
  threads: number | null;
  precision: Precision;
};

function reply(message: KindsReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function start(): Promise<EncoderOnly | DecoderOnly | null> {
  try {
    if (threads !== null) setNativeThreads(threads);
    // The main thread reads the tokenizer (or the character vocabulary) itself.
    const { model } = await openModelFolder(modelDir, { tokenizer: false });
    if (!(model instanceof EncoderOnly || model instanceof DecoderOnly)) {
      const message = `${modelDir} holds an ${model.config.kind} model; this worker runs encoder-only and decoder-only ones`;
      reply({ type: 'failed', message, input: true });
      return null;
    }
    model.eval();
    const name = backend().name;
    const summary = {
      config: model.config,
      parameters: model.parameterCount(),
      backend: name,
      threads: name === 'native' ? nativeThreads() : null,
    };
    reply({ type: 'ready', model: summary });
    return model;
  } catch (error) {
    reply({ type: 'failed', message: (error as Error).message, input: isInputError(error) });
    return null;
  }
}

/** Runs `forward` with every attention module observed (when asked): its maps, copied out. */
function observing<R>(
  model: Model,
  wanted: boolean,
  forward: () => R,
): { result: R; maps: AttentionMapMessage[] | null } {
  if (!wanted) return { result: forward(), maps: null };
  const maps: AttentionMapMessage[] = [];
  const stop = observeAttention(model, (name, weights) => {
    const [, h, Tq, Tk] = weights.shape;
    maps.push({ name, shape: [h, Tq, Tk], weights: Float32Array.from(T.contiguous(weights).floats()) });
  });
  try {
    return { result: forward(), maps };
  } finally {
    stop();
  }
}

function transferOf(maps: AttentionMapMessage[] | null): ArrayBuffer[] {
  return (maps ?? []).map((m) => m.weights.buffer as ArrayBuffer);
}

/** The k most probable classes of each asked row of probabilities (rows × C). */
function rank(p: FloatArray, C: number, rows: readonly number[], k: number): RankedRow[] {
  return rows.map((r) => {
    const row = p.subarray(r * C, (r + 1) * C);
    const order = Array.from(row.keys())
      .sort((a, b) => row[b] - row[a] || a - b)
      .slice(0, Math.min(k, C));
    return { ids: order, scores: order.map((c) => row[c]) };
  });
}

function encode(model: EncoderOnly, id: number, job: EncodeJob): void {
  const began = performance.now();
  const { result: rows, maps } = withPrecision(precision, () =>
    tidy(() =>
      T.noGrad(() =>
        observing(model, job.attention, () => {
          const logits = model.forward(Tensor.from(Int32Array.from(job.ids), [1, job.ids.length])); // (1, C) or (1, T, C)
          const C = logits.shape[logits.shape.length - 1];
          return rank(T.softmax(logits, -1).floats('class probabilities'), C, job.rows, job.topK);
        }),
      ),
    ),
  );
  reply({ type: 'encoded', id, rows, attention: maps, milliseconds: performance.now() - began }, transferOf(maps));
}

/** The generation under way, and whether its client has left. */
let generating: { id: number; stop: boolean } | null = null;

async function generate(model: DecoderOnly, id: number, job: GenerateJob): Promise<void> {
  const began = performance.now();
  const steps = sampleSteps(model, [job.prompt], job.options);
  let chosen: readonly number[] = [];
  const report = (tokens: readonly number[]) => {
    if (tokens.length > chosen.length) reply({ type: 'tokens', id, tokens: tokens.slice(chosen.length) });
    chosen = [...tokens];
  };
  let result = { tokens: [] as number[], tokenLogprobs: [] as number[] };
  const current = (generating = { id, stop: false });
  try {
    for (;;) {
      if (current.stop) break;
      const next = withPrecision(precision, () => T.noGrad(() => steps.next()));
      if (next.done) {
        result = next.value[0];
        break;
      }
      if (next.value !== null) report(next.value[0]);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    T.noGrad(() => steps.return(undefined as never));
    generating = null;
  }
  const stopped = current.stop;
  if (stopped) result = { tokens: [...chosen], tokenLogprobs: [] };
  else report(result.tokens);
  // One forced pass over what the model read gives the weights of the cached steps that produced it.
  const read = [...job.prompt, ...result.tokens].slice(0, model.config.maxLength);
  const { maps } = withPrecision(precision, () =>
    tidy(() =>
      T.noGrad(() =>
        observing(model, job.attention && !stopped, () => {
          model.forward(Tensor.from(Int32Array.from(read), [1, read.length]));
        }),
      ),
    ),
  );
  const done = { ...result, stopped, attention: maps, milliseconds: performance.now() - began };
  reply({ type: 'generated', id, ...done }, transferOf(maps));
}

async function handle(model: EncoderOnly | DecoderOnly, request: KindsRequest): Promise<void> {
  if (request.type === 'stop') {
    if (generating?.id === request.id) generating.stop = true;
    return;
  }
  if (request.type === 'positional-encoding') {
    const stack = model instanceof EncoderOnly ? model.encoder : model.decoder;
    const values = stack.positional.rows(request.length);
    const dModel = model.config.dModel;
    reply({ type: 'positional-encoding', id: request.id, length: request.length, dModel, values }, [
      values.buffer as ArrayBuffer,
    ]);
    return;
  }
  if (request.type === 'encode' && model instanceof EncoderOnly) return encode(model, request.id, request);
  if (request.type === 'generate' && model instanceof DecoderOnly) return generate(model, request.id, request);
  throw new Error(`a ${model.config.kind} model cannot run a ${request.type} job`);
}

const model = await start();
if (model !== null) {
  port.on('message', (request: KindsRequest) => {
    handle(model, request).catch((error: unknown) =>
      reply({ type: 'error', id: request.id, message: (error as Error).message, input: isInputError(error) }),
    );
  });
}
