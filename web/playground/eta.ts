// The readouts under the training curves: target tokens per second over the last few seconds, and
// the time left, both to the update limit and, from the validation BLEU's trend, to the target BLEU.

/** Updates and tokens over a sliding window of wall-clock time. */
export class Throughput {
  private readonly samples: { seconds: number; tokens: number; updates: number }[] = [];

  constructor(private readonly windowSeconds = 10) {}

  /** `updates` updates of `tokens` target tokens took `seconds`. */
  add(seconds: number, tokens: number, updates: number): void {
    this.samples.push({ seconds, tokens, updates });
    let total = this.samples.reduce((t, s) => t + s.seconds, 0);
    while (this.samples.length > 1 && total - this.samples[0].seconds >= this.windowSeconds)
      total -= this.samples.shift()!.seconds;
  }

  private sum(key: 'seconds' | 'tokens' | 'updates'): number {
    return this.samples.reduce((t, s) => t + s[key], 0);
  }

  /** Target tokens per second in the window (0 before any). */
  get tokensPerSecond(): number {
    const seconds = this.sum('seconds');
    return seconds > 0 ? this.sum('tokens') / seconds : 0;
  }

  /** Seconds per update in the window (NaN before any). */
  get secondsPerUpdate(): number {
    const updates = this.sum('updates');
    return updates > 0 ? this.sum('seconds') / updates : NaN;
  }
}

/** A validation: its update and BLEU. */
export interface BleuPoint {
  step: number;
  bleu: number;
}

/**
 * The update at which BLEU should reach `target`, by a straight line through the last two validations
 * (the curve flattens as it nears 100, so this is optimistic); null while BLEU is not rising, and the
 * last validation's step once it is reached.
 */
export function stepAtTarget(points: readonly BleuPoint[], target: number): number | null {
  const last = points.at(-1);
  if (last === undefined) return null;
  if (last.bleu >= target) return last.step;
  const before = points.at(-2);
  if (before === undefined || last.bleu <= before.bleu) return null;
  const perStep = (last.bleu - before.bleu) / (last.step - before.step);
  return Math.ceil(last.step + (target - last.bleu) / perStep);
}

/** Seconds left: to the earlier of the update limit and the projected target step; NaN when unknown. */
export function etaSeconds(
  step: number,
  maxSteps: number,
  secondsPerUpdate: number,
  targetStep: number | null,
): number {
  const end = targetStep === null ? maxSteps : Math.min(maxSteps, Math.max(targetStep, step));
  return Math.max(0, end - step) * secondsPerUpdate;
}

/** 75 -> "1:15", 3725 -> "1:02:05"; "–" for an unknown time. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}
