// Conformance cases of the matrix kernels, native against the js reference: batched gemm with
// transposes, alpha/beta and shared operands; fused attention forward and backward with masks
// through broadcast strides, causal masking, fully-masked rows and attention dropout.

import assert from 'node:assert/strict';

import { dropoutParams } from '../../src/backend/backend.js';
import { packedSize } from '../../src/backend/decoding-kernels.js';
import { Rng, assertClose, jsBackend, offsetView, sumTolerance, type ConformanceCase } from './conformance-helpers.js';

export const attentionCases: ConformanceCase[] = [];

attentionCases.push({
  kernels: ['gemm'],
  name: 'gemm over transposes, alpha/beta, batches and a shared operand',
  run: (native) => {
    const rng = new Rng(21);
    const dims = [1, 7, 33, 257];
    for (const M of dims) {
      for (const N of dims) {
        for (const K of [1, 7, 33, 257]) {
          if (M * N * K > 33 * 257 * 257) continue;
          for (const [transA, transB] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            const batch = M * N * K < 5000 ? 3 : 1;
            const strideA = batch > 1 && transB ? 0 : M * K; // sometimes one A for every batch
            const a = offsetView(rng.uniform(Math.max(strideA, M * K) * (strideA === 0 ? 1 : batch)));
            const b = offsetView(rng.uniform(K * N * batch));
            const c0 = rng.uniform(M * N * batch);
            for (const [alpha, beta] of [
              [1, 0],
              [0.5, 0.7],
            ]) {
              const [got, want] = [native, jsBackend].map((be) => {
                // beta = 0 must ignore C entirely, NaN included.
                const c = offsetView(beta === 0 ? new Float32Array(c0.length).fill(Number.NaN) : c0.slice());
                be.gemm(transA, transB, M, N, K, alpha, a, strideA, b, K * N, beta, c, M * N, batch);
                return c;
              });
              assertClose(
                got,
                want,
                `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} M ${M} N ${N} K ${K} batch ${batch} alpha ${alpha} beta ${beta}`,
                {
                  rtol: 1e-5,
                  atol: sumTolerance(K, 4),
                },
              );
            }
          }
        }
      }
    }
  },
});

attentionCases.push({
  kernels: ['packPanels', 'gemmPacked'],
  name: 'packPanels (either layout) and gemmPacked at awkward sizes, skinny and not',
  run: (native) => {
    const rng = new Rng(22);
    for (const M of [1, 2, 3, 4, 5, 8, 13, 16, 17, 40]) {
      for (const N of [1, 15, 16, 17, 33, 100, 129]) {
        for (const K of [1, 7, 33, 257]) {
          const a = offsetView(rng.uniform(M * K));
          const b = offsetView(rng.uniform(K * N));
          for (const transB of [false, true]) {
            const label = `M ${M} N ${N} K ${K} transB ${transB}`;
            const [gotPacked, wantPacked] = [native, jsBackend].map((be) => {
              const packed = offsetView(new Float32Array(packedSize(K, N)).fill(Number.NaN));
              be.packPanels(transB, K, N, b, packed);
              return packed;
            });
            assert.deepEqual(gotPacked, wantPacked, `packPanels ${label}`);
            const bias = offsetView(rng.uniform(N, -3, 3));
            for (const withBias of [false, true]) {
              const [got, want] = [native, jsBackend].map((be) => {
                const c = offsetView(new Float32Array(M * N).fill(Number.NaN));
                be.gemmPacked(M, N, K, a, wantPacked, c, withBias ? bias : null);
                return c;
              });
              const what = `gemmPacked ${label}${withBias ? ' with a bias' : ''}`;
              assertClose(got, want, what, { rtol: 1e-5, atol: sumTolerance(K, 4) });
            }
          }
        }
      }
    }
  },
});

attentionCases.push({
  kernels: ['attentionCached'],
  name: 'attentionCached: keys found through an index into a fixed cache, masks, causal, weights',
  run: (native) => {
    const rng = new Rng(23);
    for (const [N, H, Tq, Tk, D, slots, capacity] of [
      [1, 1, 1, 1, 1, 1, 1],
      [3, 2, 1, 5, 16, 4, 7],
      [5, 8, 1, 13, 64, 7, 20],
      [2, 3, 3, 9, 20, 3, 9],
      [6, 2, 1, 33, 33, 6, 40],
      [4, 2, 1, 11, 32, 5, 12],
      [2, 1, 2, 6, 128, 2, 6],
    ]) {
      const q = offsetView(rng.uniform(N * H * Tq * D));
      const k = offsetView(rng.uniform(slots * H * capacity * D));
      const v = offsetView(rng.uniform(slots * H * capacity * D));
      const index = Int32Array.from({ length: N * capacity }, () =>
        Math.min(slots - 1, Math.floor(rng.uniform(1, 0, slots)[0])),
      );
      const mask = offsetView(rng.uniform(slots * capacity, -2, 2));
      for (let c = 0; c < slots; c += 2) mask[c * capacity + ((c * 3) % capacity)] = -Infinity;
      // A masked key's value never enters the sum, even when it is not a number.
      const maskedV = offsetView(Float32Array.from(v));
      for (let c = 0; c < slots; c += 2)
        for (let h = 0; h < H; h++) {
          const at = ((c * H + h) * capacity + ((c * 3) % capacity)) * D;
          maskedV.fill(Number.NaN, at, at + D);
        }
      for (const causal of [false, true]) {
        for (const withMask of [false, true]) {
          const shape = { N, H, Tq, Tk, D, slots, capacity, scale: 1 / Math.sqrt(D) };
          const label = `attentionCached ${JSON.stringify(shape)} causal ${causal} mask ${withMask}`;
          const [got, want] = [native, jsBackend].map((be) => {
            const out = offsetView(new Float32Array(N * H * Tq * D).fill(Number.NaN));
            const weights = offsetView(new Float32Array(N * H * Tq * Tk).fill(Number.NaN));
            const values = withMask ? maskedV : v;
            be.attentionCached(out, weights, q, k, values, index, withMask ? mask : null, shape, causal);
            const alone = new Float32Array(out.length);
            be.attentionCached(alone, null, q, k, values, index, withMask ? mask : null, shape, causal);
            assert.deepEqual(alone, Float32Array.from(out), `${label}: the output does not depend on weights`);
            return [out, weights];
          });
          assertClose(got[0], want[0], `${label} out`, { rtol: 1e-5, atol: 1e-6 });
          assertClose(got[1], want[1], `${label} weights`, { rtol: 1e-5, atol: 1e-6 });
        }
      }
    }
  },
});

interface Case {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  Dv: number;
  causal: boolean;
  mask: 'none' | 'padding' | 'full' | 'shared';
  p: number;
}

/** An additive mask and its (mB, mH, mQ, mK) strides; padding hides every key of batch item 0. */
function makeMask(rng: Rng, c: Case): { mask: Float32Array | null; strides: Int32Array | null } {
  const { B, H, Tq, Tk } = c;
  if (c.mask === 'none') return { mask: null, strides: null };
  if (c.mask === 'padding') {
    const mask = new Float32Array(B * Tk);
    for (let b = 0; b < B; b++) for (let j = 0; j < Tk; j++) mask[b * Tk + j] = b === 0 || j >= Tk - b ? -Infinity : 0;
    return { mask: offsetView(mask), strides: Int32Array.from([Tk, 0, 0, 1]) };
  }
  if (c.mask === 'shared') {
    // Finite values stay small: float32 cannot tell -1e9 + s from -1e9 + s' (float64 js can).
    const mask = rng.uniform(Tq * Tk, -8, 0).map((v) => (v < -5 ? -Infinity : v));
    return { mask: offsetView(mask), strides: Int32Array.from([0, 0, Tk, 1]) };
  }
  return {
    mask: offsetView(rng.uniform(B * H * Tq * Tk, -3, 1)),
    strides: Int32Array.from([H * Tq * Tk, Tq * Tk, Tk, 1]),
  };
}

const CASES: Case[] = [];
for (const [B, H, Tq, Tk, D, Dv] of [
  [1, 1, 1, 1, 1, 1],
  [2, 3, 7, 7, 33, 7],
  [2, 2, 7, 33, 8, 16],
  [1, 2, 33, 7, 7, 33],
  [3, 4, 24, 24, 64, 64],
  [1, 1, 257, 257, 33, 7],
]) {
  for (const causal of [false, true]) {
    for (const mask of ['none', 'padding', 'full', 'shared'] as const) {
      for (const p of [0, 0.1]) CASES.push({ B, H, Tq, Tk, D, Dv, causal, mask, p });
    }
  }
}

attentionCases.push(
  {
    kernels: ['attention', 'attentionBackward'],
    name: 'attention and attentionBackward over masks, causal alignment, dropout and awkward sizes',
    run: (native) => {
      const rng = new Rng(22);
      for (const c of CASES) {
        const { B, H, Tq, Tk, D, Dv, causal, p } = c;
        const label = `attention B ${B} H ${H} Tq ${Tq} Tk ${Tk} D ${D} Dv ${Dv} causal ${causal} mask ${c.mask} p ${p}`;
        const q = offsetView(rng.uniform(B * H * Tq * D));
        const k = offsetView(rng.uniform(B * H * Tk * D));
        const v = offsetView(rng.uniform(B * H * Tk * Dv));
        const { mask, strides } = makeMask(rng, c);
        const { threshold, scale: dropScale } = dropoutParams(p);
        const scale = 1 / Math.sqrt(D);
        const seed = 0x5eed + Tq;
        const shape = { B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed };
        const [got, want] = [native, jsBackend].map((be) => {
          const out = new Float32Array(B * H * Tq * Dv).fill(Number.NaN);
          const weights = new Float32Array(B * H * Tq * Tk).fill(Number.NaN);
          be.attention(out, weights, q, k, v, shape, causal, mask, strides);
          return { out, weights };
        });
        // A score is a float32 dot product of length D; P inherits its absolute error relatively.
        const scoreError = sumTolerance(D, 2);
        assertClose(got.weights, want.weights, `${label} weights`, { rtol: 1e-5 + scoreError, atol: 1e-7 });
        assertClose(got.out, want.out, `${label} out`, {
          rtol: 1e-5,
          atol: sumTolerance(Tk, 2 * dropScale) + 2 * scoreError,
        });

        const dout = offsetView(rng.uniform(B * H * Tq * Dv));
        const [gb, wb] = [native, jsBackend].map((be) => {
          const dq = new Float32Array(B * H * Tq * D).fill(Number.NaN);
          const dk = new Float32Array(B * H * Tk * D).fill(Number.NaN);
          const dv = new Float32Array(B * H * Tk * Dv).fill(Number.NaN);
          be.attentionBackward(dq, dk, dv, dout, q, k, v, want.weights, shape);
          return { dq, dk, dv };
        });
        const reduction = sumTolerance(Math.max(Tq, Tk, Dv), 4 * dropScale);
        assertClose(gb.dv, wb.dv, `${label} dv`, { rtol: 1e-5, atol: reduction });
        assertClose(gb.dq, wb.dq, `${label} dq`, { rtol: 1e-4, atol: reduction });
        assertClose(gb.dk, wb.dk, `${label} dk`, { rtol: 1e-4, atol: reduction });
      }
    },
  },

  {
    kernels: ['attention', 'attentionBackward'],
    name: 'the addon rejects a shape with a missing, negative or non-integer size, naming the field',
    run: (native) => {
      const f = (n: number) => new Float32Array(n);
      const shape = { B: 1, H: 1, Tq: 2, Tk: 3, D: 2, Dv: 2, scale: 1, threshold: 0, dropScale: 1, seed: 0 };
      const forward = (s: object) =>
        native.attention(f(4), f(6), f(4), f(6), f(6), s as typeof shape, false, null, null);
      forward(shape);
      assert.throws(() => forward({ ...shape, Tk: -1 }), {
        name: 'RangeError',
        message: /attention: argument 'shape.Tk' must be a non-negative integer/,
      });
      assert.throws(() => forward({ ...shape, seed: undefined }), {
        name: 'TypeError',
        message: /attention: argument 'shape.seed' must be a number/,
      });
      assert.throws(() => forward({ ...shape, D: 1.5 }), {
        name: 'RangeError',
        message: /attention: argument 'shape.D' must be a non-negative integer, got 1.5/,
      });
      // Sizes drive the array checks: a Tq of 3 needs longer q, out and weights.
      assert.throws(() => forward({ ...shape, Tq: 3 }), { name: 'RangeError', message: /has 4 elements, needs 6/ });
      assert.throws(() => native.attentionBackward(f(4), f(6), f(6), f(4), f(4), f(6), f(6), f(6), f(1) as never), {
        name: 'TypeError',
        message: /attentionBackward: argument 'shape' must be an object/,
      });
    },
  },
);
