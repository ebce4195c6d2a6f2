// Learning-rate schedules as pure functions of the step (1-based, the update about to be made).

/** The schedules: the paper's (equation 3), inverse square root, cosine, constant. */
export type ScheduleKind = 'paper' | 'inverse-sqrt' | 'cosine' | 'constant';

/** A learning-rate schedule and its settings. */
export interface Schedule {
  kind: ScheduleKind;
  /** Warm-up steps (the paper: 4000). */
  warmup: number;
  /**
   * paper: a factor on d_model^-0.5 * min(step^-0.5, step * warmup^-1.5) (1 is the paper exactly);
   * the others: the peak learning rate reached at the end of warm-up.
   */
  lr: number;
  /** d_model, for the paper's schedule. */
  dModel: number;
  /** cosine: the step at which the rate reaches minLr. */
  totalSteps: number;
  /** cosine: the floor. */
  minLr: number;
}

/** The rate for the update at `step` (1, 2, ...). */
export function learningRate(step: number, s: Schedule): number {
  const t = Math.max(step, 1);
  const warm = Math.max(s.warmup, 1);
  switch (s.kind) {
    case 'paper': // section 5.3, equation 3
      return s.lr * s.dModel ** -0.5 * Math.min(t ** -0.5, t * warm ** -1.5);
    case 'inverse-sqrt':
      return t < warm ? (s.lr * t) / warm : s.lr * Math.sqrt(warm / t);
    case 'constant':
      return t < warm ? (s.lr * t) / warm : s.lr;
    case 'cosine': {
      if (t < warm) return (s.lr * t) / warm;
      const progress = Math.min(1, (t - warm) / Math.max(1, s.totalSteps - warm));
      return s.minLr + 0.5 * (s.lr - s.minLr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
