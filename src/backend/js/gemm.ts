// Batched matrix product C_b = alpha op(A_b) op(B_b) + beta C_b, as three plain loops.

import type { FloatArray } from '../backend.js';
import { PANEL } from '../decoding-kernels.js';

export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: FloatArray,
  strideA: number,
  b: FloatArray,
  strideB: number,
  beta: number,
  c: FloatArray,
  strideC: number,
  batch: number,
): void {
  for (let batchIndex = 0; batchIndex < batch; batchIndex++) {
    const a0 = batchIndex * strideA;
    const b0 = batchIndex * strideB;
    const c0 = batchIndex * strideC;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let p = 0; p < K; p++) {
          const aip = transA ? a[a0 + p * M + i] : a[a0 + i * K + p]; // op(A)[i, p]
          const bpj = transB ? b[b0 + j * K + p] : b[b0 + p * N + j]; // op(B)[p, j]
          sum += aip * bpj;
        }
        // beta = 0 must not read C: it may hold garbage, even NaN (BLAS convention).
        const old = beta === 0 ? 0 : beta * c[c0 + i * N + j];
        c[c0 + i * N + j] = alpha * sum + old;
      }
    }
  }
}

/** Packs op(B) (K x N) into panels of PANEL columns, zero-padded (see Backend.packPanels). */
export function packPanels(transB: boolean, K: number, N: number, b: FloatArray, packed: FloatArray): void {
  const panels = Math.ceil(N / PANEL);
  for (let q = 0; q < panels; q++) {
    for (let p = 0; p < K; p++) {
      for (let jj = 0; jj < PANEL; jj++) {
        const j = q * PANEL + jj;
        const value = j >= N ? 0 : transB ? b[j * K + p] : b[p * N + j]; // op(B)[p, j]
        packed[q * PANEL * K + p * PANEL + jj] = value;
      }
    }
  }
}

/** c (M x N) = a (M x K) @ op(B) (+ bias on every row), op(B) read from its packed panels. */
export function gemmPacked(
  M: number,
  N: number,
  K: number,
  a: FloatArray,
  packed: FloatArray,
  c: FloatArray,
  bias: FloatArray | null = null,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const panel = Math.floor(j / PANEL) * PANEL * K + (j % PANEL);
      let sum = 0;
      for (let p = 0; p < K; p++) sum += a[i * K + p] * packed[panel + p * PANEL];
      // The bias is added to the sum as the element type holds it (float32 rounds first).
      c[i * N + j] = bias === null ? sum : (c instanceof Float32Array ? Math.fround(sum) : sum) + bias[j];
    }
  }
}
