// What `transformer lm` shows and records: a line every few updates and at every validation on stderr, and
// every number in metrics.jsonl (step and validation events as `transformer plot metrics` reads them, plus
// bits per character; per token for a token-level model, whose start event says "unit": "token").

import { MetricsWriter } from '../io/metrics-file.js';
import type { LmOptions, LmStep, LmStopReason, LmValidation } from '../train/lm-trainer.js';

const LOG_EVERY = 10;

export class LmReporter {
  private readonly metrics: MetricsWriter;

  /** Units of the text: characters, or a tokenizer's tokens. */
  private readonly units: string;

  constructor(
    readonly run: string,
    private readonly unit: 'char' | 'token' = 'char',
  ) {
    this.units = unit === 'char' ? 'characters' : 'tokens';
    this.metrics = new MetricsWriter(run, { fresh: true });
  }

  private record(entry: Record<string, unknown>): void {
    this.metrics.append(entry);
  }

  note(line: string): void {
    console.error(`lm: ${line}`);
  }

  start(about: { parameters: number; chars: number; trainChars: number; validChars: number; options: LmOptions }) {
    this.record({ event: 'start', unit: this.unit, ...about });
  }

  step(s: LmStep): void {
    this.record({ event: 'step', ...s });
    if (s.step % LOG_EVERY === 0)
      this.note(
        `step ${s.step} ${s.elapsedSeconds.toFixed(0)} s: ${s.bitsPerChar.toFixed(3)} bits/${this.unit}, ` +
          `${Math.round(s.tokensPerSecond)} ${this.unit}s/s`,
      );
  }

  validation(v: LmValidation): void {
    const { step, elapsedSeconds, loss, bitsPerChar, chars } = v;
    const ppl = Math.exp(loss);
    this.record({ event: 'validation', step, elapsedSeconds, loss, ppl, validBitsPerChar: bitsPerChar, chars });
    this.note(
      `validation at step ${step}: ${bitsPerChar.toFixed(3)} bits/${this.unit} on ${chars} held-out ${this.units}`,
    );
  }

  end(reason: LmStopReason, steps: number, elapsedSeconds: number): void {
    this.record({ event: 'end', reason, step: steps, elapsedSeconds });
    const why = { time: 'time is up', steps: 'done', interrupted: 'interrupted' }[reason];
    this.note(`${why} after ${steps} updates; the model is in ${this.run}/`);
  }
}
