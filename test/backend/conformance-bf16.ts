// Conformance cases of the bf16 kernels, native against the js reference: gemmBf16 over transposes,
// awkward sizes (odd K, K over two cache blocks, N over two), float32 and bf16 operands, batches with a
// shared operand, alpha/beta; castBf16 on ties, subnormals, infinities and NaN.
//
// Both sides round the operands to bf16 the same way, so every product is the same exact float32
// number and only the order of the float32 sums differs: |native - js| <= 2 K 2^-24 sum_p |a_ip b_pj|.

import assert from 'node:assert/strict';

import type { Bf16Operand } from '../../src/backend/bf16-contract.js';
import { fromBf16 } from '../../src/backend/js/bf16.js';
import { Rng, jsBackend, offsetView, type ConformanceCase } from './conformance-helpers.js';

export const bf16Cases: ConformanceCase[] = [];

export interface Bf16Problem {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  batch: number;
  strideA: number;
  strideB: number;
}

/** Each operand's value as the kernel reads it (after rounding to bf16 for float32 operands). */
function valueAt(x: Bf16Operand, i: number): number {
  return x instanceof Uint16Array ? fromBf16(x[i]) : x[i];
}

/**
 * Per element of C: sum_p |op(A)[i, p] op(B)[p, j]|, the scale of every rounding error of the sum. Taken
 * from the operands as given (float32 values or bf16 bits).
 */
export function absProducts(p: Bf16Problem, a: Bf16Operand, b: Bf16Operand): Float64Array {
  const { M, N, K } = p;
  const out = new Float64Array(p.batch * M * N);
  for (let t = 0; t < p.batch; t++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const x = valueAt(a, t * p.strideA + (p.transA ? k * M + i : i * K + k));
          const y = valueAt(b, t * p.strideB + (p.transB ? j * K + k : k * N + j));
          s += Math.abs(x * y);
        }
        out[t * M * N + i * N + j] = s;
      }
  return out;
}

/** |got - want| <= relative * |alpha| * scale + 1e-30 everywhere, naming the worst element. */
export function assertWithin(
  got: Float32Array,
  want: ArrayLike<number>,
  scale: Float64Array,
  relative: number,
  label: string,
): void {
  for (let i = 0; i < want.length; i++) {
    const bound = relative * scale[i] + 1e-30;
    const diff = Math.abs(got[i] - want[i]);
    if (!(diff <= bound))
      assert.fail(`${label}: element ${i} is ${got[i]}, expected ${want[i]} (|diff| ${diff} > ${bound})`);
  }
}

function bits(x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  jsBackend.castBf16(out, x, x.length);
  return out;
}

bf16Cases.push({
  kernels: ['gemmBf16'],
  name: 'gemmBf16 over transposes, awkward sizes, bf16 operands, batches and alpha/beta',
  run: (native) => {
    const rng = new Rng(77);
    const shapes = [
      [1, 1, 1],
      [7, 33, 3],
      [13, 31, 257],
      [40, 70, 1030], // K over two cache blocks, odd pairs
      [25, 600, 17], // N over two cache blocks
      [130, 45, 64], // split between threads
    ];
    for (const [M, N, K] of shapes)
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const kind of ['float32', 'bf16', 'mixed'] as const) {
            const batch = M * N * K < 20000 ? 3 : 1;
            const strideA = batch > 1 && transB ? 0 : M * K;
            const af = rng.uniform(Math.max(strideA, M * K) * (strideA === 0 ? 1 : batch));
            const bf = rng.uniform(K * N * batch);
            const a: Bf16Operand = kind === 'bf16' ? bits(af) : offsetView(af);
            const b: Bf16Operand = kind === 'float32' ? offsetView(bf) : bits(bf);
            const [alpha, beta] = kind === 'mixed' ? [0.5, 0.75] : [1, 0];
            const p = { transA, transB, M, N, K, alpha, beta, batch, strideA, strideB: K * N };
            const c0 = rng.uniform(M * N * batch);
            const [got, want] = [native, jsBackend].map((be) => {
              const c = offsetView(beta === 0 ? new Float32Array(c0.length).fill(Number.NaN) : c0.slice());
              be.gemmBf16(transA, transB, M, N, K, alpha, a, strideA, b, K * N, beta, c, M * N, batch);
              return c;
            });
            const scale = absProducts(p, a, b);
            // beta * C adds one more rounding of C's size.
            if (beta !== 0) for (let i = 0; i < scale.length; i++) scale[i] += Math.abs(c0[i]) / alpha;
            const label = `gemmBf16 ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${M}x${N}x${K} ${kind} batch ${batch}`;
            assertWithin(got, want, scale, (2 * K + 2) * 2 ** -24 * alpha, label);
          }
  },
});

bf16Cases.push({
  kernels: ['castBf16'],
  name: 'castBf16 rounds to nearest even, flushes subnormals, keeps infinities and NaN',
  run: (native) => {
    const special = [0, -0, 1, -1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, 3.4e38, -3.4e38];
    special.push(Infinity, -Infinity, NaN, 1e-40, -1e-40, 1.2e-38, 65504, Math.PI);
    const x = Float32Array.from([...special, ...new Rng(5).uniform(100_003, -1e4, 1e4)]);
    const [got, want] = [native, jsBackend].map((be) => {
      const out = new Uint16Array(x.length).fill(0xabcd);
      be.castBf16(out, offsetView(x), x.length);
      return out;
    });
    for (let i = 0; i < x.length; i++)
      if (got[i] !== want[i])
        assert.fail(`castBf16(${x[i]}) is 0x${got[i].toString(16)}, expected 0x${want[i].toString(16)}`);
    // 1 + 2^-8 is a tie between 1 and 1 + 2^-7: to the even one, 1; 1 + 3 * 2^-8 rounds up to 1 + 2^-6;
    // 3.4e38 lies above the largest bf16 (about 3.39e38) by more than half a step: infinity.
    const rounded = [0, -0, 1, -1, 1, 1 + 2 ** -6, 1 + 2 ** -7, Infinity, -Infinity];
    assert.deepEqual([...want.slice(0, 9)].map(fromBf16), rounded);
    assert.equal(fromBf16(want[9]), Infinity);
    assert.ok(Number.isNaN(fromBf16(want[11])));
    assert.deepEqual([fromBf16(want[12]), fromBf16(want[13])], [0, -0]);
  },
});
