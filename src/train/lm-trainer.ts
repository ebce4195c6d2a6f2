// Training a decoder-only model as a character language model: random windows of N characters, next-character
// cross-entropy, Adam with a warm-up schedule and gradient clipping, and bits per character on held-out
// windows. The clock counts training only (not validation), so that runs of different attention kinds compare
// by the time their training took.

import type { DecoderOnly } from '../model/decoder-only.js';
import { attentionPenalty } from '../model/efficient/penalty.js';
import * as T from '../tensor/index.js';
import type { Precision } from '../tensor/precision.js';
import { Generator } from '../tensor/random.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { abortError } from '../decode/stepwise.js';
import { Adam } from './adam.js';
import { runLoop, trainStep, TrainingDiverged } from './loop.js';
import { learningRate, type ScheduleKind } from './schedule.js';

/** Training a character language model: window, batch, limits, schedule, Adam, clipping, validation. */
export interface LmOptions {
  /** N: characters per window. */
  seq: number;
  /** B: windows per update. */
  batch: number;
  /** Stop after this many minutes of training (0: no limit). */
  minutes: number;
  /** Stop after this many updates (0: no limit). */
  steps: number;
  /** The peak learning rate, reached at the end of warm-up. */
  lr: number;
  warmup: number;
  schedule: Exclude<ScheduleKind, 'paper'>;
  /** cosine: the floor, reached at `steps`. */
  minLr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0: off). */
  clipNorm: number;
  seed: number;
  /** Measure held-out bits per character every this many updates (and before the first and after the last). */
  validEvery: number;
  /** At most this many held-out characters, in windows of N. */
  validChars: number;
  /** The matrix products' number format (bf16: mixed precision, float32 sums and weights). */
  precision: Precision;
}

/** LmTrainer's defaults. */
export const lmDefaults: LmOptions = {
  seq: 256,
  batch: 8,
  minutes: 10,
  steps: 0,
  lr: 1e-3,
  warmup: 100,
  schedule: 'constant',
  minLr: 1e-4,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  clipNorm: 1,
  seed: 1,
  validEvery: 100,
  validChars: 32768,
  precision: 'float32',
};

/** The held-out part: the last 5% of the text. */
export const VALID_FRACTION = 0.05;

/** What one update of an LmTrainer measured. */
export interface LmStep {
  step: number;
  /** Seconds of training so far (validation excluded). */
  elapsedSeconds: number;
  /** Next-character cross-entropy, nats per character. */
  loss: number;
  bitsPerChar: number;
  lr: number;
  gradNorm: number;
  /** Characters predicted per second of training. */
  tokensPerSecond: number;
}

/** Bits per held-out character at a step. */
export interface LmValidation {
  step: number;
  elapsedSeconds: number;
  /** Nats per held-out character. */
  loss: number;
  bitsPerChar: number;
  chars: number;
}

/** Why an LmTrainer stopped. */
export type LmStopReason = 'steps' | 'time' | 'interrupted';

/** What an LmTrainer reports. */
export interface LmEvents {
  /** After every update. */
  onStep?(s: LmStep): void;
  /** After every held-out measurement. */
  onValidation?(v: LmValidation): void;
}

/** The training ids and the held-out last VALID_FRACTION of them. */
export function splitText(ids: Int32Array): { train: Int32Array; valid: Int32Array } {
  const cut = Math.floor(ids.length * (1 - VALID_FRACTION));
  return { train: ids.subarray(0, cut), valid: ids.subarray(cut) };
}

/** B windows of N + 1 characters at random places: inputs (B, N) and their next characters (B, N). */
export function randomWindows(
  ids: Int32Array,
  B: number,
  N: number,
  rng: Generator,
): { input: Tensor; target: Tensor } {
  if (ids.length < N + 1)
    throw new RangeError(`the text has ${ids.length} characters, fewer than a window of ${N + 1}`);
  const input = new Int32Array(B * N);
  const target = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const start = Math.floor(rng.uniform() * (ids.length - N));
    input.set(ids.subarray(start, start + N), b * N);
    target.set(ids.subarray(start + 1, start + N + 1), b * N);
  }
  return { input: Tensor.from(input, [B, N]), target: Tensor.from(target, [B, N]) };
}

/** Nats per character over consecutive windows of N at the start of `ids` (at most maxChars of them). */
export function heldOutLoss(model: DecoderOnly, ids: Int32Array, N: number, B: number, maxChars: number): LmValidation {
  const windows = Math.max(1, Math.floor((Math.min(ids.length, maxChars + 1) - 1) / N));
  const width = Math.min(N, ids.length - 1);
  let nats = 0;
  const wasTraining = model.training;
  model.eval();
  T.noGrad(() => {
    for (let first = 0; first < windows; first += B) {
      const count = Math.min(B, windows - first);
      const input = new Int32Array(count * width);
      const target = new Int32Array(count * width);
      for (let w = 0; w < count; w++) {
        const start = (first + w) * width;
        input.set(ids.subarray(start, start + width), w * width);
        target.set(ids.subarray(start + 1, start + width + 1), w * width);
      }
      tidy(() => {
        const logits = model.forward(Tensor.from(input, [count, width])); // (B, N, V)
        nats += T.crossEntropy(logits, Tensor.from(target, [count, width]), { reduction: 'sum' }).item();
      });
    }
  });
  if (wasTraining) model.train();
  const chars = windows * width;
  return { step: 0, elapsedSeconds: 0, loss: nats / chars, bitsPerChar: nats / chars / Math.LN2, chars };
}

/** Trains a decoder-only model as a character language model. */
export class LmTrainer {
  readonly optimizer: Adam;
  private readonly params: Tensor[];
  private readonly rng: Generator;
  private stopRequested = false;

  constructor(
    readonly model: DecoderOnly,
    private readonly train: Int32Array,
    private readonly valid: Int32Array,
    readonly options: LmOptions,
    private readonly events: LmEvents = {},
  ) {
    T.manualSeed(options.seed);
    this.params = model.parameters();
    this.rng = new Generator(options.seed);
    const { beta1, beta2, eps, weightDecay } = options;
    this.optimizer = new Adam(this.params, { beta1, beta2, eps, weightDecay, decoupled: true });
  }

  /** Ends training after the current update (Ctrl-C). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** The learning rate of update `step`. */
  learningRate(step: number): number {
    const o = this.options;
    const schedule = { kind: o.schedule, warmup: o.warmup, lr: o.lr, minLr: o.minLr, dModel: 0, totalSteps: o.steps };
    return learningRate(step, schedule);
  }

  /** Trains until a limit or a stop request; an aborted `signal` stops it after the current update and rejects with the signal's reason. */
  async run(
    options: { signal?: AbortSignal } = {},
  ): Promise<{ steps: number; elapsedSeconds: number; reason: LmStopReason }> {
    const { signal } = options;
    const o = this.options;
    let trained = 0; // milliseconds of training, validation left out
    let last = { lr: 0, loss: 0, gradNorm: 0 };
    this.model.train();
    this.validate(0, trained);
    const { step, reason } = await runLoop({
      limits: { steps: o.steps, minutes: o.minutes },
      startStep: 0,
      elapsedSeconds: () => trained / 1000,
      stopRequested: () => this.stopRequested || signal?.aborted === true,
      update: (n) => {
        const lr = this.learningRate(n);
        const started = performance.now();
        last = { lr, ...this.update(lr) };
        trained += performance.now() - started;
        return last;
      },
      after: async (n) => {
        this.events.onStep?.({
          step: n,
          elapsedSeconds: trained / 1000,
          loss: last.loss,
          bitsPerChar: last.loss / Math.LN2,
          lr: last.lr,
          gradNorm: last.gradNorm,
          tokensPerSecond: (n * o.batch * o.seq) / (trained / 1000),
        });
        if (o.validEvery > 0 && n % o.validEvery === 0) this.validate(n, trained);
        return null;
      },
      diverged: (n, loss) =>
        new TrainingDiverged(`training diverged at step ${n} (loss ${loss}); try a lower learning rate (lr)`),
    });
    if (signal?.aborted) throw abortError(signal);
    if (o.validEvery === 0 || step % o.validEvery !== 0) this.validate(step, trained);
    return { steps: step, elapsedSeconds: trained / 1000, reason: reason as LmStopReason };
  }

  private update(lr: number): { loss: number; gradNorm: number } {
    let loss = 0;
    const backward = () => {
      loss = tidy(() => {
        const { input, target } = randomWindows(this.train, this.options.batch, this.options.seq, this.rng);
        const logits = this.model.forward(input); // (B, N, V)
        const nll = T.crossEntropy(logits, target); // mean over the B * N characters
        const penalty = attentionPenalty(this.model);
        (penalty === null ? nll : T.add(nll, penalty)).backward();
        return nll.item();
      });
    };
    const { clipNorm, precision } = this.options;
    const gradNorm = trainStep(this.params, this.optimizer, backward, { lr, clipNorm, precision });
    return { loss, gradNorm };
  }

  private validate(step: number, trainedMs: number): void {
    const o = this.options;
    const v = heldOutLoss(this.model, this.valid, o.seq, o.batch, o.validChars);
    this.events.onValidation?.({ ...v, step, elapsedSeconds: trainedMs / 1000 });
  }
}
