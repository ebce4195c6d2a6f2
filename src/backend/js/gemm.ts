// Batched matrix product C_b = alpha op(A_b) op(B_b) + beta C_b, as three plain loops.

import type { FloatArray } from '../backend.js';

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
