// What `transformer train --task classify|tag|mlm` shows and records: a progress line (a terminal
// rewrites it; a log gets one every 100 updates or 60 seconds), a line per validation with the task's
// metrics, and every number in metrics.jsonl (step and validation events, as translation writes them).

import { backend } from '../backend/registry.js';
import { MetricsWriter } from '../io/metrics-file.js';
import type { Module } from '../nn/module.js';
import type { TrainingState } from '../train/checkpoint.js';
import type { EncoderProgress } from '../train/encoder-trainer.js';
import type { EncoderScores } from '../train/encoder-tasks.js';
import type { StopReason } from '../train/loop.js';

const LOG_EVERY = 100;
const LOG_SECONDS = 60;

export function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name} ${(100 * value).toFixed(2)}%`)
    .join(' ');
}

export class EncoderReporter {
  private readonly metrics: MetricsWriter;
  private lineOpen = false;
  private lastLog = performance.now();
  private lastStep: { step: number; at: number } | null = null;

  constructor(
    readonly run: string,
    private readonly tty: boolean,
  ) {
    this.metrics = new MetricsWriter(run);
  }

  record(entry: Record<string, unknown>): void {
    this.metrics.append({ time: new Date().toISOString(), ...entry });
  }

  note(line: string): void {
    if (this.lineOpen) process.stderr.write('\n');
    this.lineOpen = false;
    console.error(`train: ${line}`);
  }

  start(task: string, model: Module, trainSize: number, validSize: number, resuming: boolean): void {
    this.note(
      `${resuming ? 'resuming' : 'starting'} ${this.run} (${task}): ${model.parameterCount().toLocaleString('en-US')} parameters, backend ${backend().name}`,
    );
    this.note(`training examples: ${trainSize}; validation examples: ${validSize}`);
    this.record({ event: 'start', task, resuming, parameters: model.parameterCount(), trainExamples: trainSize });
  }

  step(p: EncoderProgress, steps: number): void {
    this.record({ event: 'step', ...p, ppl: Math.exp(p.loss) });
    const now = performance.now();
    const rate =
      this.lastStep === null ? null : ((p.step - this.lastStep.step) * 1000) / Math.max(now - this.lastStep.at, 1);
    const text =
      `step ${p.step}/${steps}${rate === null ? '' : ` ${rate.toFixed(2)} updates/s`} loss ${p.loss.toFixed(3)} ` +
      `lr ${p.lr.toExponential(2)} ${Math.round(p.tokensPerSecond)} tok/s elapsed ${Math.round(p.elapsedSeconds)}s`;
    if (this.tty) {
      process.stderr.write(`\r${text}\x1b[K`);
      this.lineOpen = true;
    } else if (p.step % LOG_EVERY === 0 || now - this.lastLog >= LOG_SECONDS * 1000) {
      console.error(text);
      this.lastLog = now;
    }
    if (this.lastStep === null || p.step % 20 === 0) this.lastStep = { step: p.step, at: now };
  }

  validation(step: number, v: EncoderScores, isBest: boolean, elapsedSeconds: number): void {
    this.record({ event: 'validation', step, loss: v.loss, ppl: v.ppl, ...v.metrics, elapsedSeconds, best: isBest });
    this.note(
      `validation at step ${step}: loss ${v.loss.toFixed(3)} ${formatMetrics(v.metrics)}${isBest ? ' (best)' : ''}`,
    );
  }

  test(path: string, v: EncoderScores): void {
    this.record({ event: 'test', file: path, loss: v.loss, ...v.metrics });
    this.note(`test ${path} (best model): loss ${v.loss.toFixed(3)} ${formatMetrics(v.metrics)}`);
  }

  finish(state: TrainingState, reason: StopReason): void {
    const why = {
      steps: 'reached the step limit',
      time: 'reached the time limit',
      target: 'reached the target',
      interrupted: 'interrupted',
    }[reason];
    // The peak resident memory of the whole process (kilobytes from the kernel), for comparing attention kinds.
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    this.record({
      event: 'end',
      reason,
      step: state.step,
      elapsedSeconds: state.elapsedSeconds,
      best: state.best,
      peakRssBytes,
    });
    this.note(
      `${why} at step ${state.step} after ${Math.round(state.elapsedSeconds)}s; best model (step ${state.best?.step ?? '-'}) in ${this.run}/model.safetensors`,
    );
  }
}
