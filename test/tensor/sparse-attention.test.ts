// Sparse attention against dense T.attention under the equivalent mask (forward and gradients, on
// every backend), a float64 gradient check, and pattern checks. The kernels' native-against-js
// comparison is in test/backend/conformance-sparse-attention.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { availableBackends, withBackend } from '../../src/backend/registry.js';
import { backward } from '../../src/tensor/autograd.js';
import * as T from '../../src/tensor/index.js';
import type { SparsePattern } from '../../src/tensor/ops/sparse-attention.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, Rng } from '../backend/conformance-util.js';
import { randomPattern } from '../backend/conformance-sparse-attention.js';
import { gradcheck, input } from '../helpers/gradcheck.js';

/** The pattern as T.attention's int32 mask (B, h, Tq, Tk): 1 where a query attends a key. */
function denseMask(pattern: SparsePattern, B: number, H: number): Tensor {
  const { rows, cols, groups } = pattern;
  const mask = new Int32Array(B * H * rows * cols);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const g = groups === 1 ? 0 : groups === B ? b : b * H + h;
      for (let i = 0; i < rows; i++) {
        const at = g * (rows + 1) + i;
        for (let p = pattern.offsets[at]; p < pattern.offsets[at + 1]; p++)
          mask[((b * H + h) * rows + i) * cols + pattern.indices[p]] = 1;
      }
    }
  }
  return Tensor.from(mask, [B, H, rows, cols]);
}

function randomTensor(rng: Rng, shape: number[]): Tensor {
  return Tensor.from(rng.uniform(shape.reduce((a, b) => a * b, 1)), shape).requireGrad();
}

/** Output and the gradients of sum(out * W) with respect to q, k, v. */
function run(f: (q: Tensor, k: Tensor, v: Tensor) => Tensor, qkv: Tensor[], W: Tensor): number[][] {
  for (const t of qkv) t.grad = null;
  const out = f(qkv[0], qkv[1], qkv[2]);
  backward(T.sum(T.mul(out, W)));
  return [out.toArray(), ...qkv.map((t) => t.grad!.toArray())];
}

function compareWithDense(label: string, rng: Rng, pattern: SparsePattern, B: number, H: number, D: number): void {
  const [Tq, Tk, Dv] = [pattern.rows, pattern.cols, D + 2];
  const qkv = [randomTensor(rng, [B, H, Tq, D]), randomTensor(rng, [B, H, Tk, D]), randomTensor(rng, [B, H, Tk, Dv])];
  const W = Tensor.from(rng.uniform(B * H * Tq * Dv), [B, H, Tq, Dv]);
  const mask = denseMask(pattern, B, H);
  const got = run((q, k, v) => T.sparseAttention(q, k, v, pattern), qkv, W);
  const want = run((q, k, v) => T.scaledDotProductAttention(q, k, v, { mask }), qkv, W);
  ['out', 'dq', 'dk', 'dv'].forEach((name, n) =>
    assertClose(got[n], want[n], `${label} ${name}`, { rtol: 1e-4, atol: 2e-5 }),
  );
  const weights = T.sparseAttentionWeights(qkv[0], qkv[1], pattern).toArray();
  assertClose(weights, T.attention(qkv[0], qkv[1], qkv[2], { mask }).weights.toArray(), `${label} weights`, {
    rtol: 1e-4,
    atol: 1e-6,
  });
}

for (const name of availableBackends()) {
  test(`${name}: sparse attention equals dense attention under the same mask, with groups 1, B and B*h`, () => {
    withBackend(name, () => {
      const rng = new Rng(7);
      const [B, H] = [2, 3];
      for (const groups of [1, B, B * H]) {
        for (const [Tq, Tk] of [
          [5, 5],
          [3, 7],
          [1, 6],
        ]) {
          compareWithDense(`groups ${groups} ${Tq}x${Tk}`, rng, randomPattern(rng, Tq, Tk, groups), B, H, 4);
        }
      }
      const full = randomPattern(rng, 6, 6, 1, 1.1);
      assert.equal(full.indices.length, 6 * 6 - 2 * 6, 'a full pattern (but two empty rows)');
      compareWithDense('full pattern', rng, full, B, H, 8);
      // Long rows exercise the vector paths and the threads' split of the rows.
      compareWithDense('long rows', rng, randomPattern(rng, 70, 90, 1, 0.7), 1, 2, 33);
    });
  });

  test(`${name}: non-contiguous q, k, v (heads split from a fused projection)`, () => {
    withBackend(name, () => {
      const rng = new Rng(3);
      const [B, Tq, H, D] = [2, 5, 2, 3];
      const fused = randomTensor(rng, [B, Tq, 3, H, D]);
      const heads = () => [0, 1, 2].map((n) => T.permute(T.squeeze(T.slice(fused, 2, n, n + 1), 2), [0, 2, 1, 3]));
      const [q, k, v] = heads();
      assert.equal(q.isContiguous(), false);
      const pattern = randomPattern(rng, Tq, Tq, B);
      const W = Tensor.from(rng.uniform(B * H * Tq * D), [B, H, Tq, D]);
      const mask = denseMask(pattern, B, H);
      const gradient = (f: (q: Tensor, k: Tensor, v: Tensor) => Tensor) => {
        fused.grad = null;
        const [q, k, v] = heads();
        backward(T.sum(T.mul(f(q, k, v), W)));
        return fused.grad!.toArray();
      };
      assertClose(
        gradient((q, k, v) => T.sparseAttention(q, k, v, pattern)),
        gradient((q, k, v) => T.scaledDotProductAttention(q, k, v, { mask })),
        'd fused',
        { rtol: 1e-4, atol: 2e-5 },
      );
      const contiguous = [q, k, v].map((t) => T.contiguous(t));
      assertClose(
        T.sparseAttention(q, k, v, pattern).toArray(),
        T.sparseAttention(contiguous[0], contiguous[1], contiguous[2], pattern).toArray(),
        'out',
        { rtol: 0, atol: 0 },
      );
    });
  });
}

test('gradient check in float64: groups 1, B and B*h, empty rows, Tq != Tk', () => {
  const rng = new Rng(11);
  const [B, H] = [2, 2];
  for (const groups of [1, B, B * H]) {
    const pattern = randomPattern(rng, 3, 4, groups, 0.6);
    const qkv = [input([B, H, 3, 3], 1), input([B, H, 4, 3], 2), input([B, H, 4, 2], 3)];
    gradcheck(`sparse attention groups ${groups}`, (q, k, v) => T.sparseAttention(q, k, v, pattern), qkv);
  }
  const pattern = randomPattern(rng, 4, 4, 1, 0.7);
  gradcheck('sparse attention with a scale', (q, k, v) => T.sparseAttention(q, k, v, pattern, { scale: 0.3 }), [
    input([1, 2, 4, 2], 4),
    input([1, 2, 4, 2], 5),
    input([1, 2, 4, 3], 6),
  ]);
});

test('an empty row gives zeros and no gradient', () => {
  const pattern: SparsePattern = {
    rows: 2,
    cols: 2,
    groups: 1,
    offsets: Int32Array.from([0, 0, 2]),
    indices: Int32Array.from([0, 1]),
  };
  const [q, k, v] = [input([1, 1, 2, 3], 1), input([1, 1, 2, 3], 2), input([1, 1, 2, 3], 3)];
  const out = T.sparseAttention(q, k, v, pattern);
  assert.deepEqual(out.toArray().slice(0, 3), [0, 0, 0]);
  assert.ok(
    out
      .toArray()
      .slice(3)
      .some((x) => x !== 0),
  );
  backward(T.sum(out));
  assert.deepEqual(q.grad!.toArray().slice(0, 3), [0, 0, 0]);
});

test('bad patterns and operands are RangeErrors that say what is wrong', () => {
  const q = Tensor.from(new Float32Array(2 * 3 * 4 * 2), [2, 3, 4, 2]);
  const kv = Tensor.from(new Float32Array(2 * 3 * 5 * 2), [2, 3, 5, 2]);
  const ok = {
    rows: 4,
    cols: 5,
    groups: 1,
    offsets: Int32Array.from([0, 1, 2, 3, 4]),
    indices: Int32Array.from([0, 1, 2, 3]),
  };
  assert.equal(T.sparseAttention(q, kv, kv, ok).shape.join(), '2,3,4,2');
  const cases: [Partial<SparsePattern>, RegExp][] = [
    [{ rows: 3 }, /pattern is 3 x 5, but Tq x Tk is 4 x 5/],
    [{ groups: 4, offsets: new Int32Array(20) }, /groups must be 1, B = 2 or B\*h = 6, got 4/],
    [{ offsets: Int32Array.from([0, 1, 2, 3]) }, /offsets has 4 entries, expected groups \* \(rows \+ 1\) = 5/],
    [{ offsets: Int32Array.from([0, 2, 1, 3, 4]) }, /offsets decrease at row 1 of group 0/],
    [{ offsets: Int32Array.from([0, 1, 2, 3, 9]) }, /offsets of group 0 leave \[0, 4\]/],
    [{ indices: Int32Array.from([0, 1, 5, 3]) }, /row 2 of group 0 lists key 5, outside \[0, 5\)/],
    [{ offsets: Int32Array.from([0, 2, 2, 3, 4]), indices: Int32Array.from([1, 1, 2, 3]) }, /out of order or twice/],
  ];
  for (const [change, message] of cases)
    assert.throws(
      () => T.sparseAttention(q, kv, kv, { ...ok, ...change }),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  assert.throws(() => T.sparseAttention(q, q, q, ok), /pattern is 4 x 5, but Tq x Tk is 4 x 4/);
  assert.throws(() => T.sparseAttention(q, kv, q, ok), /do not agree/);
});
