// The options of a training run and their defaults, in one place: the trainer, the command line and its
// help read them from here. The schedule and optimizer settings are the paper's (section 5.3).

import type { Precision } from '../tensor/precision.js';
import type { Schedule } from './schedule.js';

/** A training run's settings: batches, limits, schedule, Adam, validation, checkpoints. */
export interface TrainOptions {
  /** Padded tokens per batch on each side (the paper: about 25,000). */
  maxTokens: number;
  /** Stop after this many updates. */
  steps: number;
  /** Stop after this many minutes of training (0: no limit). */
  minutes: number;
  /** Batches whose gradients add up to one update. */
  accumulate: number;
  /** Clip the global gradient norm to this (0: off). */
  clipNorm: number;
  labelSmoothing: number;
  schedule: Schedule;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  seed: number;
  /** Validate every this many updates (0: only at the end). */
  validEvery: number;
  /** Stop once a validation BLEU reaches this (0: never); needs the bleu event. */
  targetBleu: number;
  /**
   * Every this many updates, write the resumable checkpoint (checkpoints/last) and the weights alone
   * (checkpoints/step-N.safetensors) (0: only at validations and at the end).
   */
  checkpointEvery: number;
  /** How many step checkpoints to keep (the newest). */
  keepCheckpoints: number;
  /**
   * The matrix products' number format: float32, or bf16 with float32 sums (mixed precision: weights,
   * gradients, optimizer state and checkpoints stay float32).
   */
  precision: Precision;
}

/** The defaults, the paper's where it gives them. */
export const trainDefaults: TrainOptions = {
  maxTokens: 4096,
  steps: 100_000,
  minutes: 0,
  accumulate: 1,
  clipNorm: 0,
  labelSmoothing: 0.1,
  schedule: { kind: 'paper', warmup: 4000, lr: 1, dModel: 512, totalSteps: 100_000, minLr: 0 },
  beta1: 0.9,
  beta2: 0.98,
  eps: 1e-9,
  weightDecay: 0,
  seed: 1,
  validEvery: 1000,
  targetBleu: 0,
  checkpointEvery: 1000,
  keepCheckpoints: 5,
  precision: 'float32',
};

/** The encoder-only tasks' defaults: translation's, with a schedule for small models and short runs. */
export const encoderTrainDefaults: TrainOptions = {
  ...trainDefaults,
  maxTokens: 8192,
  steps: 20_000,
  labelSmoothing: 0,
  clipNorm: 1,
  schedule: { kind: 'inverse-sqrt', warmup: 500, lr: 5e-4, dModel: 256, totalSteps: 20_000, minLr: 0 },
  eps: 1e-8,
  weightDecay: 0.01,
  validEvery: 500,
  checkpointEvery: 500,
};
