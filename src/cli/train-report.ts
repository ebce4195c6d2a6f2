// What `transformer train` shows and records: a progress line on a terminal (step, loss, learning
// rate, tokens/s, ETA), plain log lines otherwise, and every number in metrics.jsonl.

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParallelCorpus } from '../data/corpus.js';
import type { Module } from '../nn/module.js';
import type { TrainingState } from '../train/checkpoint.js';
import type { Progress, StopReason, TrainOptions, Validation } from '../train/trainer.js';
import { backend } from '../backend/registry.js';

const LOG_EVERY = 100;

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export class TrainingReporter {
  private readonly metrics: string;
  private lineOpen = false;

  constructor(
    readonly run: string,
    private readonly tty: boolean,
    private readonly options: TrainOptions,
  ) {
    this.metrics = join(run, 'metrics.jsonl');
  }

  private record(entry: Record<string, unknown>): void {
    appendFileSync(this.metrics, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  }

  private print(line: string): void {
    if (this.lineOpen) process.stderr.write('\n');
    this.lineOpen = false;
    console.error(line);
  }

  note(line: string): void {
    this.print(`train: ${line}`);
  }

  start(model: Module, train: ParallelCorpus, valid: ParallelCorpus | null, resuming: boolean): void {
    const r = train.report;
    const dropped = Object.entries(r.dropped).filter(([, n]) => n > 0);
    this.note(
      `${resuming ? 'resuming' : 'starting'} ${this.run}: ${model.parameterCount().toLocaleString('en-US')} parameters, backend ${backend().name}`,
    );
    this.note(
      `training pairs: ${r.kept}${dropped.length > 0 ? ` (dropped ${dropped.map(([k, n]) => `${n} ${k}`).join(', ')})` : ''}; validation pairs: ${valid?.size ?? 0}`,
    );
    this.record({
      event: 'start',
      resuming,
      parameters: model.parameterCount(),
      trainPairs: r.kept,
      dropped: r.dropped,
      options: this.options,
    });
  }

  step(p: Progress): void {
    this.record({ event: 'step', ...p });
    const o = this.options;
    const remaining = [
      o.steps < Infinity ? ((o.steps - p.step) * p.elapsedSeconds) / Math.max(p.step, 1) : Infinity,
      o.minutes > 0 ? o.minutes * 60 - p.elapsedSeconds : Infinity,
    ];
    const eta = Math.min(...remaining);
    const text =
      `step ${p.step} epoch ${p.epoch + 1} loss ${p.loss.toFixed(3)} ppl ${p.ppl.toFixed(2)} ` +
      `lr ${p.lr.toExponential(2)} ${Math.round(p.targetTokensPerSecond)} tok/s ` +
      `elapsed ${duration(p.elapsedSeconds)}${Number.isFinite(eta) ? ` eta ${duration(eta)}` : ''}`;
    if (this.tty) {
      process.stderr.write(`\r${text}\x1b[K`);
      this.lineOpen = true;
    } else if (p.step % LOG_EVERY === 0) {
      console.error(text);
    }
  }

  validation(step: number, v: Validation, isBest: boolean): void {
    this.record({ event: 'validation', step, ...v, best: isBest });
    const bleu = v.bleu === null ? '' : ` BLEU ${v.bleu.toFixed(2)}`;
    this.note(
      `validation at step ${step}: loss ${v.loss.toFixed(3)} ppl ${v.ppl.toFixed(2)}${bleu}${isBest ? ' (best)' : ''}`,
    );
  }

  finish(state: TrainingState, reason: StopReason): void {
    const why = { steps: 'reached the step limit', time: 'reached the time limit', interrupted: 'interrupted' }[reason];
    this.record({ event: 'end', reason, step: state.step, elapsedSeconds: state.elapsedSeconds, best: state.best });
    this.note(
      `${why} at step ${state.step} after ${duration(state.elapsedSeconds)}; checkpoint saved; best model in ${this.run}/model.safetensors`,
    );
  }
}
