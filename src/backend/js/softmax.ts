// Row-wise softmax and log-softmax over the last axis, and their gradients.

import type { FloatArray } from '../backend.js';

/** Largest entry of x[start, start + cols). */
export function rowMax(x: FloatArray, start: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, x[start + j]);
  return max;
}

/** log sum_j exp(x[start + j]), shifted by the row max so no exp overflows. */
export function logSumExp(x: FloatArray, start: number, cols: number): number {
  const max = rowMax(x, start, cols);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(x[start + j] - max);
  return max + Math.log(sum);
}

/** out = softmax(x) (or log-softmax when `log`) for each of `rows` rows of length cols. */
export function softmax(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    // Shifting by the row max keeps every exp in (0, 1], so nothing overflows.
    const max = rowMax(x, start, cols);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[start + j] - max);
    const logSum = Math.log(sum);
    for (let j = 0; j < cols; j++) {
      const shifted = x[start + j] - max;
      out[start + j] = log ? shifted - logSum : Math.exp(shifted) / sum;
    }
  }
}

/** dx = y (dy - sum(dy y)), or with `log` (y = log-softmax) dx = dy - exp(y) sum(dy). */
export function softmaxBackward(
  dx: FloatArray,
  y: FloatArray,
  dy: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += log ? dy[start + j] : dy[start + j] * y[start + j];
    for (let j = 0; j < cols; j++) {
      const k = start + j;
      dx[k] = log ? dy[k] - Math.exp(y[k]) * sum : y[k] * (dy[k] - sum);
    }
  }
}
