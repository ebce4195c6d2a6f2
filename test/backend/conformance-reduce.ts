// Conformance cases of the reductions, native against the js reference: sum and max (with argmax)
// over (outer, size, inner) views, and the gradient of max.

import assert from 'node:assert/strict';

import { ReduceOp } from '../../src/backend/backend.js';
import {
  Rng,
  SIZES,
  assertClose,
  jsBackend,
  offsetView,
  sumTolerance,
  type ConformanceCase,
} from './conformance-helpers.js';

export const reduceCases: ConformanceCase[] = [];

/** (outer, size, inner) views for reduce: awkward sizes, threaded sizes and empty ones. */
const REDUCE_SHAPES: [number, number, number][] = [];
for (const outer of [1, 7, 33])
  for (const size of SIZES) for (const inner of [1, 7, 257]) REDUCE_SHAPES.push([outer, size, inner]);
REDUCE_SHAPES.push([1536, 257, 1], [1, 1536, 257], [0, 7, 1], [7, 0, 3]);

reduceCases.push(
  {
    kernels: ['reduce', 'maxBackward'],
    name: 'sum and max (with first-index argmax, ties and NaN) over (outer, size, inner)',
    run: (native) => {
      const rng = new Rng(8);
      for (const [outer, size, inner] of REDUCE_SHAPES) {
        const n = outer * size * inner;
        // Few distinct values, so ties are common and the first index must win.
        const x = offsetView(rng.uniform(n).map((v) => Math.round(v * 4) / 4));
        if (n > 40) x[37] = Number.NaN;
        for (const op of [ReduceOp.Sum, ReduceOp.Max]) {
          const [got, want] = [native, jsBackend].map((be) => {
            const out = new Float32Array(outer * inner);
            const argmax = op === ReduceOp.Max ? new Int32Array(outer * inner) : null;
            be.reduce(op, out, argmax, x, outer, size, inner);
            return { out, argmax };
          });
          const label = `reduce ${op} (${outer}, ${size}, ${inner})`;
          assertClose(got.out, want.out, label, { atol: sumTolerance(size, 2) });
          if (op === ReduceOp.Max) assert.deepEqual(got.argmax, want.argmax, `${label} argmax`);
        }
        const argmax = new Int32Array(outer * inner);
        jsBackend.reduce(ReduceOp.Max, new Float32Array(outer * inner), argmax, x, outer, size, inner);
        const dy = rng.uniform(outer * inner);
        const [gd, wd] = [native, jsBackend].map((be) => {
          const dx = new Float32Array(n).fill(9);
          be.maxBackward(dx, dy, argmax, outer, size, inner);
          return dx;
        });
        assertClose(gd, wd, `maxBackward (${outer}, ${size}, ${inner})`, { rtol: 0, atol: 0 });
      }
    },
  },

  {
    kernels: ['reduce'],
    name: 'max without argmax',
    run: (native) => {
      const rng = new Rng(9);
      const x = rng.uniform(7 * 33 * 7);
      const [got, want] = [native, jsBackend].map((be) => {
        const out = new Float32Array(49);
        be.reduce(ReduceOp.Max, out, null, x, 7, 33, 7);
        return out;
      });
      assertClose(got, want, 'max without argmax', { rtol: 0, atol: 0 });
    },
  },
);
