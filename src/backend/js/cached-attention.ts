// Attention over a decoding cache that does not move: each key is found through the index (see
// Backend.attentionCached), in plain loops.

import type { FloatArray } from '../backend.js';
import type { CachedAttentionShape } from '../decoding-kernels.js';

export function attentionCached(
  out: FloatArray,
  weights: FloatArray | null,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  index: Int32Array,
  mask: FloatArray | null,
  shape: CachedAttentionShape,
  causal: boolean,
): void {
  const { N, H, Tq, Tk, D, slots, capacity: C, scale } = shape;
  const scores = new Float64Array(Tk);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        const qi = ((n * H + h) * Tq + i) * D;
        let max = -Infinity;
        for (let j = 0; j < Tk; j++) {
          const c = index[n * C + j];
          if (!(c >= 0 && c < slots)) throw new RangeError(`attentionCached: index ${c} is outside [0, ${slots})`);
          let s = -Infinity;
          if (!causal || j <= i + (Tk - Tq)) {
            s = 0;
            for (let d = 0; d < D; d++) s += q[qi + d] * k[((c * H + h) * C + j) * D + d];
            s = scale * s + (mask === null ? 0 : mask[c * C + j]);
          }
          scores[j] = s;
          max = Math.max(max, s);
        }
        let sum = 0;
        for (let j = 0; j < Tk; j++) {
          scores[j] = max === -Infinity ? 0 : Math.exp(scores[j] - max);
          sum += scores[j];
        }
        const o = ((n * H + h) * Tq + i) * D;
        for (let d = 0; d < D; d++) out[o + d] = 0;
        for (let j = 0; j < Tk; j++) {
          const p = sum === 0 ? 0 : scores[j] / sum;
          if (weights !== null) weights[((n * H + h) * Tq + i) * Tk + j] = p;
          if (p === 0) continue;
          const c = index[n * C + j];
          for (let d = 0; d < D; d++) out[o + d] += p * v[((c * H + h) * C + j) * D + d];
        }
      }
    }
  }
}
