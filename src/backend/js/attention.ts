// Scaled dot-product attention (Vaswani et al. 2017, section 3.2.1), fused forward and backward:
//   out = dropout(softmax(scale Q K^T + mask)) V, per (batch, head).

import type { AttentionShape, FloatArray } from '../backend.js';
import { keep } from './dropout.js';

/** x[xStart, xStart + n) . y[yStart, yStart + n) */
function dot(x: FloatArray, xStart: number, y: FloatArray, yStart: number, n: number): number {
  let sum = 0;
  for (let d = 0; d < n; d++) sum += x[xStart + d] * y[yStart + d];
  return sum;
}

/** Softmax of `scores` into p[start, start + length); a row of only -inf gives zeros, not NaN. */
function softmaxRow(p: FloatArray, start: number, scores: Float64Array): void {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  if (max === -Infinity) {
    p.fill(0, start, start + scores.length);
    return;
  }
  let sum = 0;
  for (const s of scores) sum += Math.exp(s - max);
  for (let j = 0; j < scores.length; j++) p[start + j] = Math.exp(scores[j] - max) / sum;
}

/** The dropout kernel applied to one value at mask position `offset`; none at all when threshold = 0. */
function dropAt(value: number, offset: number, threshold: number, dropScale: number, seed: number): number {
  if (threshold === 0) return value;
  return keep(seed, offset, threshold) ? value * dropScale : 0;
}

/** q (B,H,Tq,D), k (B,H,Tk,D), v (B,H,Tk,Dv) -> out (B,H,Tq,Dv) and weights P (B,H,Tq,Tk). */
export function attention(
  out: FloatArray,
  weights: FloatArray,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  shape: AttentionShape,
  causal: boolean,
  mask: FloatArray | null,
  maskStrides: Int32Array | null,
): void {
  const { B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed } = shape;
  const [mB, mH, mQ, mK] = maskStrides ?? [0, 0, 0, 0];
  const scores = new Float64Array(Tk); // (Tk) one row of S
  const pd = new Float64Array(Tk); // (Tk) the same row of dropout(P)
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      for (let i = 0; i < Tq; i++) {
        const row = bh * Tq + i; // this query's row in q, out and P
        for (let j = 0; j < Tk; j++) {
          // Bottom-right aligned: the last query sees every key, as when decoding with a cache.
          if (causal && j > i + Tk - Tq) {
            scores[j] = -Infinity;
            continue;
          }
          const maskValue = mask ? mask[b * mB + h * mH + i * mQ + j * mK] : 0;
          scores[j] = scale * dot(q, row * D, k, (bh * Tk + j) * D, D) + maskValue;
        }
        softmaxRow(weights, row * Tk, scores);
        for (let j = 0; j < Tk; j++) {
          pd[j] = dropAt(weights[row * Tk + j], row * Tk + j, threshold, dropScale, seed);
        }
        for (let e = 0; e < Dv; e++) {
          let sum = 0;
          for (let j = 0; j < Tk; j++) sum += pd[j] * v[(bh * Tk + j) * Dv + e];
          out[row * Dv + e] = sum;
        }
      }
    }
  }
}

/**
 * With Pd = dropout(P): dV = Pd^T dOut; dPd = dOut V^T; dP = dropout(dPd);
 * dS = P (dP - rowsum(dP P)); dQ = scale dS K; dK = scale dS^T Q. dq, dk, dv are overwritten.
 */
export function attentionBackward(
  dq: FloatArray,
  dk: FloatArray,
  dv: FloatArray,
  dout: FloatArray,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  weights: FloatArray,
  shape: AttentionShape,
): void {
  const { B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed } = shape;
  const dS = new Float64Array(Tk); // (Tk) one row of dS
  for (let bh = 0; bh < B * H; bh++) {
    // dK and dV sum over queries; keep those sums in float64 even for float32 outputs.
    const dkSum = new Float64Array(Tk * D); // (Tk, D)
    const dvSum = new Float64Array(Tk * Dv); // (Tk, Dv)
    for (let i = 0; i < Tq; i++) {
      const row = bh * Tq + i;
      let rowDot = 0; // rowsum(dP * P)
      for (let j = 0; j < Tk; j++) {
        const at = row * Tk + j;
        const p = weights[at];
        const pd = dropAt(p, at, threshold, dropScale, seed);
        for (let e = 0; e < Dv; e++) dvSum[j * Dv + e] += pd * dout[row * Dv + e];
        const dPd = dot(dout, row * Dv, v, (bh * Tk + j) * Dv, Dv);
        const dP = dropAt(dPd, at, threshold, dropScale, seed);
        dS[j] = dP; // completed to P (dP - rowDot) once rowDot is known
        rowDot += dP * p;
      }
      for (let j = 0; j < Tk; j++) dS[j] = weights[row * Tk + j] * (dS[j] - rowDot);
      for (let d = 0; d < D; d++) {
        let sum = 0;
        for (let j = 0; j < Tk; j++) {
          sum += dS[j] * k[(bh * Tk + j) * D + d];
          dkSum[j * D + d] += scale * dS[j] * q[row * D + d];
        }
        dq[row * D + d] = scale * sum;
      }
    }
    dk.set(dkSum, bh * Tk * D);
    dv.set(dvSum, bh * Tk * Dv);
  }
}
