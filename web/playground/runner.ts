// The training loop of the playground: updates in slices of a quarter second (so the worker hears
// pause, resume and stop between them), a progress report after each slice, validation BLEU every
// `validEvery` updates with a fresh look at the attention, and an end at the update limit, at the
// target BLEU or on stop. No DOM and no worker API: `emit` carries the reports.

import { etaSeconds, stepAtTarget, Throughput, type BleuPoint } from './eta.js';
import { attentionSnapshot, type AttentionSnapshot } from './insight.js';
import type { TrainingSession } from './session.js';

export interface RunnerOptions {
  maxUpdates: number;
  validEvery: number;
  /** Validation sentences BLEU is measured on. */
  validSentences: number;
  targetBleu: number;
  /** The sentence whose attention the page shows. */
  watch: string;
}

export type StopReason = 'target' | 'updates' | 'stopped';

export type RunnerEvent =
  | {
      type: 'progress';
      step: number;
      loss: number;
      lr: number;
      tokensPerSecond: number;
      /** Seconds of training so far, pauses left out. */
      elapsed: number;
      /** Seconds left (NaN while unknown). */
      eta: number;
    }
  | { type: 'validation'; step: number; bleu: number; elapsed: number }
  | { type: 'attention'; step: number; snapshot: AttentionSnapshot }
  | { type: 'paused' | 'resumed' }
  | { type: 'done'; step: number; reason: StopReason; elapsed: number };

const SLICE_MS = 250;

export class Runner {
  private paused = false;
  private stopRequested = false;
  private wake: (() => void) | null = null;
  private readonly throughput = new Throughput();
  private readonly bleu: BleuPoint[] = [];
  private trainingSeconds = 0;
  private validationSeconds = 0;

  constructor(
    private readonly session: TrainingSession,
    private readonly options: RunnerOptions,
    private readonly emit: (event: RunnerEvent) => void,
    private readonly yieldNow: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 0)),
  ) {}

  get elapsed(): number {
    return this.trainingSeconds + this.validationSeconds;
  }

  pause(): void {
    if (this.paused || this.stopRequested) return;
    this.paused = true;
    this.emit({ type: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.emit({ type: 'resumed' });
    this.wake?.();
  }

  /** Ends the run after the current slice (a paused run ends at once). */
  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  async run(): Promise<StopReason> {
    const reason = await this.loop();
    this.emit({ type: 'done', step: this.session.step, reason, elapsed: this.elapsed });
    return reason;
  }

  private async loop(): Promise<StopReason> {
    const { maxUpdates, validEvery, targetBleu } = this.options;
    for (;;) {
      if (this.stopRequested) return 'stopped';
      if (this.paused) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      this.slice();
      const step = this.session.step;
      if (step % validEvery === 0 || step >= maxUpdates) {
        if (this.validate() >= targetBleu) return 'target';
      }
      if (step >= maxUpdates) return 'updates';
      await this.yieldNow();
    }
  }

  /** Updates for about SLICE_MS, stopping at a validation step; then the progress report. */
  private slice(): void {
    const { maxUpdates, validEvery, targetBleu } = this.options;
    const started = performance.now();
    let tokens = 0;
    let updates = 0;
    let last;
    do {
      last = this.session.update();
      tokens += last.targetTokens;
      updates++;
    } while (
      performance.now() - started < SLICE_MS &&
      last.step % validEvery !== 0 &&
      last.step < maxUpdates &&
      !this.stopRequested
    );
    const seconds = (performance.now() - started) / 1000;
    this.trainingSeconds += seconds;
    this.throughput.add(seconds, tokens, updates);
    // Validation costs time too: the estimate scales the updates' time by it.
    const overhead = this.trainingSeconds > 0 ? this.elapsed / this.trainingSeconds : 1;
    const eta = etaSeconds(
      last.step,
      maxUpdates,
      this.throughput.secondsPerUpdate * overhead,
      stepAtTarget(this.bleu, targetBleu),
    );
    this.emit({
      type: 'progress',
      step: last.step,
      loss: last.loss,
      lr: last.lr,
      tokensPerSecond: this.throughput.tokensPerSecond,
      elapsed: this.elapsed,
      eta,
    });
  }

  /** Validation BLEU and the watched sentence's attention; returns the BLEU. */
  private validate(): number {
    const started = performance.now();
    const step = this.session.step;
    const bleu = this.session.validationBleu(this.options.validSentences);
    const snapshot = attentionSnapshot(this.session.model, this.session.tokenizer, this.options.watch);
    this.validationSeconds += (performance.now() - started) / 1000;
    this.bleu.push({ step, bleu });
    this.emit({ type: 'validation', step, bleu, elapsed: this.elapsed });
    this.emit({ type: 'attention', step, snapshot });
    return bleu;
  }
}
