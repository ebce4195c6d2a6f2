// `transformer bench train`: training throughput of the paper's encoder-decoder (section 5: Adam 0.9 / 0.98 /
// 1e-9, residual dropout, label smoothing 0.1) on random tokens, the number bench/train-vs-torch.ts compares
// with PyTorch, on the backend --backend names (default: the active one). With --json the last line
// printed is {"target_tokens_per_second","step_ms",...}.

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { selectBenchBackend } from './bench-backend.js';
import { bf16Level } from '../backend/native/index.js';
import { createModel, makeConfig, shiftRight, type PresetName } from '../model/index.js';
import * as T from '../tensor/index.js';
import { Generator } from '../tensor/random.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { median } from '../eval/median.js';
import { Adam } from '../train/adam.js';
import { trainStep } from '../train/loop.js';
import { quote } from '../quote.js';
import { UsageError, integerFlag } from './flags.js';
import { parsePrecision } from './precision.js';
import type { Precision } from '../tensor/precision.js';

/** The paper's vocabularies: 37,000 shared BPE tokens for base and big (section 5.1), 8,000 for the small ones. */
const VOCAB: Record<PresetName, number> = { base: 37000, big: 37000, small: 8000, tiny: 13 };
interface BenchTrainOptions {
  preset: PresetName;
  batch: number;
  srcLen: number;
  tgtLen: number;
  steps: number;
  warmup: number;
  threads: number;
  backend: string | undefined;
  vocab: number;
  precision: Precision;
  json: boolean;
}

function parseOptions(argv: string[]): BenchTrainOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'small' },
      'batch-size': { type: 'string', default: '64' },
      'src-len': { type: 'string', default: '24' },
      'tgt-len': { type: 'string', default: '24' },
      steps: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      threads: { type: 'string' },
      backend: { type: 'string' },
      'vocab-size': { type: 'string' },
      precision: { type: 'string', default: 'float32' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const preset = values.preset as PresetName;
  if (!(preset in VOCAB))
    throw new UsageError(`--preset must be one of ${Object.keys(VOCAB).join(', ')}, got ${quote(preset)}`);
  return {
    preset,
    batch: integerFlag('--batch-size', values['batch-size'], 1, 65536),
    srcLen: integerFlag('--src-len', values['src-len'], 1, 4096),
    tgtLen: integerFlag('--tgt-len', values['tgt-len'], 1, 4096),
    steps: integerFlag('--steps', values.steps, 1),
    warmup: integerFlag('--warmup', values.warmup, 0),
    threads: values.threads === undefined ? availableParallelism() : integerFlag('--threads', values.threads, 1, 1024),
    backend: values.backend,
    vocab: values['vocab-size'] === undefined ? VOCAB[preset] : integerFlag('--vocab-size', values['vocab-size'], 5),
    precision: parsePrecision('--precision', values.precision),
    json: values.json,
  };
}

/** Random ids in [4, V): no padding, BOS, EOS or UNK, so every target token counts in the loss. */
function randomIds(g: Generator, B: number, L: number, V: number): Tensor {
  const ids = new Int32Array(B * L);
  for (let i = 0; i < ids.length; i++) ids[i] = 4 + Math.floor(g.uniform() * (V - 4));
  return Tensor.from(ids, [B, L]);
}

export async function benchTrain(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  const chosen = await selectBenchBackend(o.backend, o.threads);
  const kernels = chosen.name;
  T.manualSeed(1);
  const config = makeConfig(o.preset, { vocabSize: o.vocab, maxLength: Math.max(o.srcLen, o.tgtLen, 64) });
  const model = createModel(config).train();
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: 1e-4, beta1: 0.9, beta2: 0.98, eps: 1e-9 });
  const paramCount = model.parameterCount();
  const data = new Generator(2);
  // The trainers' own update (trainStep), on random tokens: forward, loss, backward, Adam.
  const step = (): number =>
    tidy(() => {
      let loss = 0;
      trainStep(
        params,
        optimizer,
        () => {
          const source = randomIds(data, o.batch, o.srcLen, o.vocab); // (B, S)
          const target = randomIds(data, o.batch, o.tgtLen, o.vocab); // (B, T)
          const logits = model.forward(source, shiftRight(target, config.bosId)); // (B, T, V)
          const l = T.crossEntropy(logits, target, { labelSmoothing: 0.1, ignoreIndex: config.padId });
          l.backward();
          loss = l.item();
        },
        { lr: 1e-4, clipNorm: 0, precision: o.precision },
      );
      return loss;
    });

  const threads = chosen.threads;
  console.log(
    `train ${o.preset} (${(paramCount / 1e6).toFixed(1)}M parameters, vocabulary ${o.vocab}), ` +
      `batch ${o.batch} x ${o.srcLen} source / ${o.tgtLen} target tokens, backend ${kernels}` +
      (kernels === 'js' ? '' : ` (${chosen.simd}, ${threads} thread${threads === 1 ? '' : 's'})`) +
      `, precision ${o.precision}` +
      (o.precision === 'bf16' && kernels === 'native' ? ` (${bf16Level()})` : ''),
  );
  for (let i = 0; i < o.warmup; i++) step();
  const times: number[] = [];
  let loss = 0;
  for (let i = 0; i < o.steps; i++) {
    const t0 = performance.now();
    loss = step();
    times.push(performance.now() - t0);
  }
  const stepMs = median(times);
  const tokensPerSecond = (o.batch * o.tgtLen) / (stepMs / 1000);
  console.log(
    `median step ${stepMs.toFixed(1)} ms over ${o.steps} steps (after ${o.warmup} warm-up): ` +
      `${tokensPerSecond.toFixed(0)} target tokens/s, loss ${loss.toFixed(3)}`,
  );
  if (o.json) {
    const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
    console.log(
      JSON.stringify({
        target_tokens_per_second: round(tokensPerSecond, 1),
        step_ms: round(stepMs, 2),
        step_ms_mean: round(times.reduce((a, b) => a + b, 0) / times.length, 2),
        preset: o.preset,
        batch_size: o.batch,
        src_len: o.srcLen,
        tgt_len: o.tgtLen,
        vocab_size: o.vocab,
        threads,
        params: paramCount,
        steps: o.steps,
        warmup: o.warmup,
        backend: kernels,
        precision: o.precision,
        loss: round(loss, 4),
      }),
    );
  }
  return 0;
}
