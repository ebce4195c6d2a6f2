// Sum and max over the middle axis of x viewed as (outer, size, inner), and the max's gradient.

import { ReduceOp } from '../backend.js';
import type { FloatArray } from '../backend.js';

/** out[o, i] = reduce_s x[o, s, i]; for Max, argmax[o, i] = the first s attaining the maximum. */
export function reduce(
  op: ReduceOp,
  out: FloatArray,
  argmax: Int32Array | null,
  x: FloatArray,
  outer: number,
  size: number,
  inner: number,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const first = o * size * inner + i; // x[o, 0, i]; x[o, s, i] is first + s * inner
      if (op === ReduceOp.Sum) {
        let sum = 0;
        for (let s = 0; s < size; s++) sum += x[first + s * inner];
        out[o * inner + i] = sum;
      } else {
        let best = -Infinity;
        let bestIndex = 0;
        for (let s = 0; s < size; s++) {
          const value = x[first + s * inner];
          // A NaN wins, as in torch.max, so divergence shows instead of being skipped.
          if (Number.isNaN(value)) {
            best = value;
            bestIndex = s;
            break;
          }
          // Strictly greater: ties keep the first index.
          if (value > best) {
            best = value;
            bestIndex = s;
          }
        }
        out[o * inner + i] = best;
        if (argmax) argmax[o * inner + i] = bestIndex;
      }
    }
  }
}

/** dx (outer, size, inner) = 0 except dx[o, argmax[o, i], i] = dy[o, i]. */
export function maxBackward(
  dx: FloatArray,
  dy: FloatArray,
  argmax: Int32Array,
  outer: number,
  size: number,
  inner: number,
): void {
  dx.fill(0, 0, outer * size * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      dx[(o * size + argmax[o * inner + i]) * inner + i] = dy[o * inner + i];
    }
  }
}
