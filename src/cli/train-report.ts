// What `transformer train` shows and records: a progress line on a terminal (updates done of the total,
// updates per second, loss, learning rate, tokens/s, time left), plain log lines otherwise, and every
// number in metrics.jsonl.

import type { ParallelCorpus } from '../data/corpus.js';
import type { Module } from '../nn/module.js';
import type { TrainingState } from '../train/checkpoint.js';
import type { Progress, StopReason, TrainOptions, Validation } from '../train/trainer.js';
import { MetricsWriter } from '../io/metrics-file.js';
import { backend } from '../backend/registry.js';

/** Without a terminal, a progress line every this many updates, or this many seconds if that comes first. */
const LOG_EVERY = 100;
const LOG_SECONDS = 60;
/** The rate behind the time left is measured over this many recent updates, so it follows a change of load. */
const RATE_WINDOW = 50;

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export class TrainingReporter {
  private readonly metrics: MetricsWriter;
  private lineOpen = false;
  private readonly recent: { step: number; at: number }[] = [];
  private lastLog = performance.now();

  constructor(
    readonly run: string,
    private readonly tty: boolean,
    private readonly options: TrainOptions,
  ) {
    this.metrics = new MetricsWriter(run);
  }

  private record(entry: Record<string, unknown>): void {
    this.metrics.append({ time: new Date().toISOString(), ...entry });
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

  /** On resume: the train settings given now that differ from the saved ones. */
  changedOptions(saved: Partial<TrainOptions>, now: TrainOptions): void {
    const flat = (o: Partial<TrainOptions>) => ({ ...o, ...prefixed(o.schedule ?? {}), schedule: undefined });
    const [before, after] = [flat(saved), flat(now)] as Record<string, unknown>[];
    const changes = Object.keys(after)
      .filter((k) => !['schedule.dModel', 'schedule.totalSteps'].includes(k) && before[k] !== undefined)
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => `${k} ${JSON.stringify(before[k])} -> ${JSON.stringify(after[k])}`);
    if (changes.length > 0) this.note(`resuming with changed settings: ${changes.join(', ')}`);
  }

  step(p: Progress): void {
    this.record({ event: 'step', ...p });
    const now = performance.now();
    this.recent.push({ step: p.step, at: now });
    if (this.recent.length > RATE_WINDOW) this.recent.shift();
    const [first, last] = [this.recent[0], this.recent[this.recent.length - 1]];
    const rate = this.recent.length >= 5 ? ((last.step - first.step) * 1000) / (last.at - first.at) : null;
    const o = this.options;
    const eta = Math.min(
      rate === null ? Infinity : (o.steps - p.step) / rate,
      o.minutes > 0 ? o.minutes * 60 - p.elapsedSeconds : Infinity,
    );
    const text =
      `step ${p.step}/${o.steps} (${Math.floor((100 * p.step) / o.steps)}%)` +
      `${rate === null ? '' : ` ${rate.toFixed(2)} updates/s`} loss ${p.loss.toFixed(3)} ppl ${p.ppl.toFixed(2)} ` +
      `lr ${p.lr.toExponential(2)} ${Math.round(p.targetTokensPerSecond)} tok/s ` +
      `elapsed ${duration(p.elapsedSeconds)}${Number.isFinite(eta) ? ` about ${duration(eta)} left` : ''}`;
    if (this.tty) {
      process.stderr.write(`\r${text}\x1b[K`);
      this.lineOpen = true;
    } else if (p.step % LOG_EVERY === 0 || p.step === o.steps || now - this.lastLog >= LOG_SECONDS * 1000) {
      console.error(text);
      this.lastLog = now;
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
    const why = {
      steps: 'reached the step limit',
      time: 'reached the time limit',
      target: `reached the target validation BLEU ${this.options.targetBleu}`,
      interrupted: 'interrupted',
    }[reason];
    this.record({ event: 'end', reason, step: state.step, elapsedSeconds: state.elapsedSeconds, best: state.best });
    this.note(
      `${why} at step ${state.step} after ${duration(state.elapsedSeconds)}; checkpoint saved; best model in ${this.run}/model.safetensors`,
    );
  }
}

function prefixed(schedule: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schedule).map(([k, v]) => [`schedule.${k}`, v]));
}
