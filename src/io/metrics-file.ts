// A run folder's metrics.jsonl, written and read here alone: one JSON object per line, appended as
// training goes (steps, validations and other events), read back as step and validation records for
// plots and the web page. A resumed run may repeat steps; the last record of a step wins.

import { InputError } from '../errors.js';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { namingTarget } from './run-folder.js';

export const METRICS_FILE = 'metrics.jsonl';

export interface StepRecord {
  step: number;
  /** Label-smoothed training loss per target token. */
  loss: number;
  lr: number;
  elapsedSeconds: number;
  /** Target tokens per second since the run (or its resumption) started. */
  tokensPerSecond?: number;
}

export interface ValidationRecord {
  step: number;
  loss: number;
  ppl: number;
  /** null when the run did not compute BLEU. */
  bleu: number | null;
  /** The record's own time, or else that of the training step it follows. */
  elapsedSeconds?: number;
}

export interface RunMetrics {
  /** Ordered by step. */
  steps: StepRecord[];
  validations: ValidationRecord[];
}

export class MetricsFileError extends InputError {
  override name = 'MetricsFileError';
}

/** Appends records to runDir/metrics.jsonl, one line each; write errors name the file. */
export class MetricsWriter {
  readonly path: string;

  /** `fresh` starts a new file (a new run); otherwise records go after those of earlier sessions. */
  constructor(runDir: string, { fresh = false }: { fresh?: boolean } = {}) {
    this.path = join(runDir, METRICS_FILE);
    if (fresh) rmSync(this.path, { force: true });
  }

  append(record: Record<string, unknown>): void {
    const line = `${JSON.stringify(record)}\n`;
    namingTarget(this.path, () => appendFileSync(this.path, line));
  }
}

/** True when runDir has a metrics file to read. */
export function hasMetrics(runDir: string): boolean {
  return existsSync(join(runDir, METRICS_FILE));
}

/** The records of runDir/metrics.jsonl; events other than step and validation are skipped. */
export function readMetrics(runDir: string): RunMetrics {
  const path = join(runDir, METRICS_FILE);
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MetricsFileError(
      code === 'ENOENT'
        ? `${path}: no such file; is ${runDir} a run folder written by transformer train?`
        : `${path}: cannot read it (${code ?? (error as Error).message})`,
    );
  }
  const steps = new Map<number, StepRecord>();
  const validations = new Map<number, ValidationRecord>();
  const lines = content.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path} line ${i + 1}`;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      // A run killed in the middle of a write leaves a last line without its newline: not an error.
      if (i === lines.length - 1) return;
      throw new MetricsFileError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw new MetricsFileError(`${where}: expected a JSON object, got ${line.slice(0, 40)}`);
    const number = (field: string): number => {
      const value = entry[field];
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new MetricsFileError(
          `${where}: a ${String(entry.event)} event needs a number "${field}", got ${JSON.stringify(value) ?? 'nothing'}`,
        );
      return value;
    };
    const optional = (field: string): number | undefined => (entry[field] == null ? undefined : number(field));
    if (entry.event === 'step') {
      const record: StepRecord = {
        step: number('step'),
        loss: number('loss'),
        lr: number('lr'),
        elapsedSeconds: number('elapsedSeconds'),
      };
      const tokensPerSecond = optional('targetTokensPerSecond');
      if (tokensPerSecond !== undefined) record.tokensPerSecond = tokensPerSecond;
      steps.set(record.step, record);
    } else if (entry.event === 'validation') {
      const record: ValidationRecord = {
        step: number('step'),
        loss: number('loss'),
        ppl: number('ppl'),
        bleu: optional('bleu') ?? null,
      };
      const elapsedSeconds = optional('elapsedSeconds') ?? steps.get(record.step)?.elapsedSeconds;
      if (elapsedSeconds !== undefined) record.elapsedSeconds = elapsedSeconds;
      validations.set(record.step, record);
    }
  });
  const byStep = (a: { step: number }, b: { step: number }) => a.step - b.step;
  return { steps: [...steps.values()].sort(byStep), validations: [...validations.values()].sort(byStep) };
}
