// Cross-entropy with label smoothing (Szegedy et al. 2016), per row, as PyTorch's
// F.cross_entropy(label_smoothing=eps, reduction='none'), and its gradient.

import type { FloatArray } from '../backend.js';
import { logSumExp } from './softmax.js';

/** loss[r] = (1 - eps)(lse - x[t]) + eps (lse - mean_c x[c]); ignored rows get loss 0. */
export function crossEntropy(
  loss: FloatArray,
  lse: FloatArray,
  logits: FloatArray,
  targets: Int32Array,
  rows: number,
  V: number,
  eps: number,
  ignoreIndex: number,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * V;
    const logZ = logSumExp(logits, start, V);
    lse[r] = logZ;
    const t = targets[r];
    if (t === ignoreIndex) {
      loss[r] = 0;
      continue;
    }
    let value = (1 - eps) * (logZ - logits[start + t]);
    // Only when smoothing: with eps = 0 a -inf logit must not turn the loss into 0 * inf = NaN.
    if (eps !== 0) {
      let sum = 0;
      for (let c = 0; c < V; c++) sum += logits[start + c];
      value += eps * (logZ - sum / V);
    }
    loss[r] = value;
  }
}

/** dlogits[r, c] = dloss[r] (softmax(x_r)[c] - (1 - eps)[c == t_r] - eps / V); 0 for ignored rows. */
export function crossEntropyBackward(
  dlogits: FloatArray,
  logits: FloatArray,
  lse: FloatArray,
  targets: Int32Array,
  dloss: FloatArray,
  rows: number,
  V: number,
  eps: number,
  ignoreIndex: number,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * V;
    const t = targets[r];
    if (t === ignoreIndex) {
      dlogits.fill(0, start, start + V);
      continue;
    }
    for (let c = 0; c < V; c++) {
      const p = Math.exp(logits[start + c] - lse[r]);
      const q = (c === t ? 1 - eps : 0) + eps / V; // the smoothed target distribution
      dlogits[start + c] = dloss[r] * (p - q);
    }
  }
}
