// One Adam (Kingma & Ba 2015) or AdamW (Loshchilov & Hutter 2019) step, as torch.optim.Adam / AdamW.

import type { AdamParams } from '../backend.js';

/**
 * In place on n parameters. decoupled: p -= lr wd p first (AdamW); else g += wd p (L2, Adam).
 * grad itself is never modified. biasCorrection1/2 = 1 - beta1^t / 1 - beta2^t from the caller.
 */
export function adam(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  n: number,
  params: AdamParams,
): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupled, biasCorrection1, biasCorrection2 } = params;
  for (let i = 0; i < n; i++) {
    let p = param[i];
    let g = grad[i];
    if (decoupled) p -= lr * weightDecay * p;
    else g += weightDecay * p;
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p -= (lr * (mi / biasCorrection1)) / (Math.sqrt(vi / biasCorrection2) + eps);
    param[i] = p;
  }
}
