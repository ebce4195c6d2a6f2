// The one training loop. Every trainer (translation, the language model, the benchmark's timed steps)
// is a loss and a data source plugged into trainStep and runLoop: the update, the limits, the check for
// divergence, stop requests and the pause for signals between updates are written once, here.

import { withPrecision, type Precision } from '../tensor/precision.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Adam } from './adam.js';
import { clipGradNorm } from './clip.js';

/** Why training stopped: its steps, its time, its target BLEU, or a stop request. */
export type StopReason = 'steps' | 'time' | 'target' | 'interrupted';

/** A loss or gradient norm that is no longer a finite number. */
export class TrainingDiverged extends Error {}

/** The learning rate and clipping of one update. */
export interface StepSettings {
  lr: number;
  /** Clip the global gradient norm to this (0: off). */
  clipNorm: number;
  /** The matrix products' precision (float32 when absent); weights, gradients and Adam stay float32. */
  precision?: Precision;
}

/**
 * One optimizer update: zero the gradients, let `backward` accumulate the loss's gradients (its matrix
 * products in `precision`, the weights cast to bf16 once for the whole update), clip their global norm,
 * step at `lr`. Returns the gradient norm before clipping (0 when clipping is off).
 */
export function trainStep(
  params: readonly Tensor[],
  optimizer: Adam,
  backward: () => void,
  { lr, clipNorm, precision = 'float32' }: StepSettings,
): number {
  optimizer.zeroGrad();
  withPrecision(precision, backward);
  const gradNorm = clipNorm > 0 ? clipGradNorm([...params], clipNorm) : 0;
  optimizer.lr = lr;
  optimizer.update();
  return gradNorm;
}

/** When runLoop stops: after so many updates or minutes. */
export interface LoopLimits {
  /** Stop once this many updates are done (0: no limit). */
  steps: number;
  /** Stop once elapsedSeconds() passes this many minutes (0: no limit). */
  minutes: number;
}

/** What a trainer plugs into runLoop. */
export interface Loop {
  limits: LoopLimits;
  /** Updates done before this run began (a resumed run continues from there). */
  startStep: number;
  /** The seconds the time limit counts: the run's wall clock, or its training time alone. */
  elapsedSeconds(): number;
  /** True once a stop was asked for (Ctrl-C, SIGTERM); the loop ends before the next update. */
  stopRequested(): boolean;
  /** Performs update number `step` (from 1) and returns its loss and gradient norm. */
  update(step: number): { loss: number; gradNorm: number };
  /** After update `step`: report, validate, checkpoint. A reason returned ends the loop. */
  after(step: number): Promise<StopReason | null>;
  /** The error for update `step` whose loss or gradient norm is not finite. */
  diverged(step: number, loss: number, gradNorm: number): Error;
}

/** Why the loop must stop before update `step + 1`, or null. */
function limitReached(loop: Loop, step: number): StopReason | null {
  const { steps, minutes } = loop.limits;
  if (steps > 0 && step >= steps) return 'steps';
  if (loop.stopRequested()) return 'interrupted';
  if (minutes > 0 && loop.elapsedSeconds() >= minutes * 60) return 'time';
  return null;
}

/** Runs updates until a limit, a stop request or `after` says stop; returns the last step and why. */
export async function runLoop(loop: Loop): Promise<{ step: number; reason: StopReason }> {
  let step = loop.startStep;
  for (;;) {
    const limit = limitReached(loop, step);
    if (limit !== null) return { step, reason: limit };
    const { loss, gradNorm } = loop.update(step + 1);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw loop.diverged(step + 1, loss, gradNorm);
    step++;
    const stop = await loop.after(step);
    if (stop !== null) return { step, reason: stop };
    // Let signals (Ctrl-C, SIGTERM) and I/O through between updates.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
