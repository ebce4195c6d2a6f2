// Conformance cases of the sparse attention kernels, native against the js reference: awkward
// sizes, empty rows, every grouping, rows split between threads, and patterns the addon must refuse.

import assert from 'node:assert/strict';

import type { Backend } from '../../src/backend/backend.js';
import type { SparsePattern } from '../../src/tensor/ops/sparse-attention.js';
import { assertClose, jsBackend, offsetView, Rng, type ConformanceCase } from './conformance-helpers.js';

export const sparseAttentionCases: ConformanceCase[] = [];

/** A random pattern with `groups` groups: each pair kept with probability `density`; some rows empty. */
export function randomPattern(rng: Rng, Tq: number, Tk: number, groups: number, density = 0.5): SparsePattern {
  const offsets = new Int32Array(groups * (Tq + 1));
  const indices: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < Tq; i++) {
      offsets[g * (Tq + 1) + i] = indices.length;
      const empty = (i + g) % 4 === 1;
      for (let j = 0; j < Tk; j++) if (!empty && rng.next() < density) indices.push(j);
    }
    offsets[g * (Tq + 1) + Tq] = indices.length;
  }
  return { rows: Tq, cols: Tk, groups, offsets, indices: Int32Array.from(indices) };
}

/** Runs forward and backward of the kernel on one backend. */
function kernelRun(be: Backend, pattern: SparsePattern, dims: number[], withWeights: boolean) {
  const [B, H, D, Dv] = dims;
  const { rows: Tq, cols: Tk } = pattern;
  const q = offsetView(new Rng(1).uniform(B * H * Tq * D));
  const k = offsetView(new Rng(2).uniform(B * H * Tk * D));
  const v = offsetView(new Rng(3).uniform(B * H * Tk * Dv));
  const dout = offsetView(new Rng(4).uniform(B * H * Tq * Dv));
  const out = new Float32Array(B * H * Tq * Dv).fill(Number.NaN);
  const lse = new Float32Array(B * H * Tq).fill(Number.NaN);
  const weights = withWeights ? new Float32Array(B * H * Tq * Tk) : null;
  const { offsets, indices, groups } = pattern;
  const shape = { B, H, Tq, Tk, D, Dv, groups, scale: 1 / Math.sqrt(D) };
  be.sparseAttention(out, lse, weights, q, k, v, offsets, indices, shape);
  const [dq, dk, dv] = [Tq * D, Tk * D, Tk * Dv].map((n) => new Float32Array(B * H * n).fill(Number.NaN));
  be.sparseAttentionBackward(dq, dk, dv, dout, q, k, v, lse, offsets, indices, shape);
  return { out, lse, weights, dq, dk, dv };
}

sparseAttentionCases.push(
  {
    kernels: ['sparseAttention', 'sparseAttentionBackward'],
    name: 'sparseAttention and its backward on awkward sizes, empty rows and every grouping',
    run: (native) => {
      const rng = new Rng(5);
      for (const D of [1, 7, 33]) {
        for (const [Tq, Tk] of [
          [1, 9],
          [6, 4],
          [17, 40],
        ]) {
          for (const groups of [1, 2, 6]) {
            const dims = [2, 3, D, D === 7 ? 5 : D];
            const pattern = randomPattern(rng, Tq, Tk, groups, 0.8);
            const label = `D ${D} Tq ${Tq} Tk ${Tk} groups ${groups}`;
            const got = kernelRun(native, pattern, dims, true);
            const want = kernelRun(jsBackend, pattern, dims, true);
            assertClose(got.lse, want.lse, `${label} lse`, { rtol: 1e-5, atol: 1e-5 });
            assertClose(got.weights!, want.weights!, `${label} weights`, { rtol: 1e-4, atol: 1e-6 });
            for (const key of ['out', 'dq', 'dk', 'dv'] as const)
              assertClose(got[key], want[key], `${label} ${key}`, { rtol: 1e-4, atol: 1e-5 });
          }
        }
      }
    },
  },

  {
    kernels: ['sparseAttention', 'sparseAttentionBackward'],
    name: 'rows split between threads by pairs: bands and a few dense rows, shared or per group',
    run: (native) => {
      const n = 300;
      // Group g: a band of half-width 8 + 4g, the first 3 + g queries see every key, every query the first 2 keys.
      const band = (groups: number): SparsePattern => {
        const offsets = new Int32Array(groups * (n + 1));
        const indices: number[] = [];
        for (let g = 0; g < groups; g++) {
          for (let i = 0; i <= n; i++) {
            offsets[g * (n + 1) + i] = indices.length;
            if (i < n)
              for (let j = 0; j < n; j++) if (i < 3 + g || j < 2 || Math.abs(i - j) <= 8 + 4 * g) indices.push(j);
          }
        }
        return { rows: n, cols: n, groups, offsets, indices: Int32Array.from(indices) };
      };
      for (const [B, H, groups] of [
        [1, 2, 1],
        [1, 2, 2],
        [2, 1, 2],
      ]) {
        const pattern = band(groups);
        const got = kernelRun(native, pattern, [B, H, 32, 32], false);
        const want = kernelRun(jsBackend, pattern, [B, H, 32, 32], false);
        for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const)
          assertClose(got[key], want[key], `B ${B} H ${H} groups ${groups} ${key}`, { rtol: 1e-4, atol: 1e-5 });
      }
    },
  },

  {
    kernels: ['sparseAttention'],
    name: 'the addon rejects patterns that would read outside its arrays',
    run: (native) => {
      const f = (n: number) => new Float32Array(n);
      const call = (offsets: number[], indices: number[], groups = 1) =>
        native.sparseAttention(f(4), f(2), null, f(4), f(6), f(6), Int32Array.from(offsets), Int32Array.from(indices), {
          B: 1,
          H: 1,
          Tq: 2,
          Tk: 3,
          D: 2,
          Dv: 2,
          groups,
          scale: 1,
        });
      call([0, 1, 3], [2, 0, 1]);
      assert.throws(
        () => call([0, 1, 3], [2, 0, 3]),
        /sparseAttention: argument 'indices' has 3 at 2, outside \[0, 3\)/,
      );
      assert.throws(() => call([0, 2, 1], [0, 1]), RangeError);
      assert.throws(() => call([0, 1, 4], [0, 1, 2]), RangeError);
      assert.throws(() => call([0, 1, 3, 0, 1, 3], [0, 1, 2], 2), /groups/);
    },
  },
);
