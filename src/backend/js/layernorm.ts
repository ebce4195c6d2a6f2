// Layer normalisation (Ba et al. 2016) over the last axis, forward and backward.

import type { FloatArray } from '../backend.js';

/** out = (x - mean) rstd gamma + beta per row; mean and rstd are saved for the backward pass. */
export function layerNorm(
  out: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  x: FloatArray,
  gamma: FloatArray | null,
  beta: FloatArray | null,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[start + j];
    const mu = sum / cols;
    // Two passes (mean, then squared deviations) avoid the cancellation of E[x^2] - E[x]^2.
    let squares = 0;
    for (let j = 0; j < cols; j++) squares += (x[start + j] - mu) ** 2;
    const s = 1 / Math.sqrt(squares / cols + eps); // biased variance, as PyTorch
    mean[r] = mu;
    rstd[r] = s;
    for (let j = 0; j < cols; j++) {
      const xHat = (x[start + j] - mu) * s;
      out[start + j] = xHat * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
    }
  }
}

/**
 * With xHat = (x - mean) rstd and g = dy gamma:
 *   dx = rstd (g - mean_j g - xHat mean_j(g xHat)),  dgamma = sum_rows dy xHat,  dbeta = sum_rows dy.
 */
export function layerNormBackward(
  dx: FloatArray,
  dgamma: FloatArray | null,
  dbeta: FloatArray | null,
  dy: FloatArray,
  x: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  gamma: FloatArray | null,
  rows: number,
  cols: number,
): void {
  // Column sums over rows are kept in float64 even when dgamma is float32.
  const dgammaSum = new Float64Array(cols);
  const dbetaSum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const mu = mean[r];
    const s = rstd[r];
    let meanG = 0;
    let meanGxHat = 0;
    for (let j = 0; j < cols; j++) {
      const xHat = (x[start + j] - mu) * s;
      const g = dy[start + j] * (gamma ? gamma[j] : 1);
      meanG += g;
      meanGxHat += g * xHat;
      dgammaSum[j] += dy[start + j] * xHat;
      dbetaSum[j] += dy[start + j];
    }
    meanG /= cols;
    meanGxHat /= cols;
    for (let j = 0; j < cols; j++) {
      const xHat = (x[start + j] - mu) * s;
      const g = dy[start + j] * (gamma ? gamma[j] : 1);
      dx[start + j] = s * (g - meanG - xHat * meanGxHat);
    }
  }
  if (dgamma) dgamma.set(dgammaSum);
  if (dbeta) dbeta.set(dbetaSum);
}
