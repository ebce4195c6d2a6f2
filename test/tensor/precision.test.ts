// Mixed precision in the tensor engine: inside withPrecision('bf16') matmul and both of its gradients use
// bf16 operands with float32 sums, parameters are cast once per scope, and the products run in the
// forward's precision even when backward() is called after the scope.

import assert from 'node:assert/strict';
import test from 'node:test';

import { fromBf16, toBf16 } from '../../src/backend/js/bf16.js';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** The bf16 value of every element, as a float32 tensor. */
function rounded(t: Tensor): Tensor {
  return T.tensor(
    t.toArray().map((x) => fromBf16(toBf16(x))),
    [...t.shape],
  );
}

/** max |a - b| / max |reference|. */
function relativeGap(a: Tensor, b: Tensor, reference: Tensor): number {
  const [x, y, r] = [a.toArray(), b.toArray(), reference.toArray()];
  const scale = Math.max(...r.map(Math.abs));
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]))) / scale;
}

const x = () => T.randn([3, 5, 40], { std: 1 }); // (B, T, K)
const w = () => T.randn([24, 40], { std: 0.2 }); // (out, K)

test('a bf16 matmul equals the float32 product of the bf16-rounded operands', () => {
  T.manualSeed(3);
  const [a, b] = [x(), w().keep()];
  const got = T.withPrecision('bf16', () => T.matmul(a, b, { transB: true }));
  const want = T.matmul(rounded(a), rounded(b), { transB: true });
  // Same exact products; only the order of the float32 sums may differ.
  assert.ok(relativeGap(got, want, want) < 40 * 2 ** -23, `gap ${relativeGap(got, want, want)}`);
  // ... and differs from the float32 product by no more than bf16's rounding of the operands allows.
  const full = T.matmul(a, b, { transB: true });
  const gap = relativeGap(got, full, full);
  assert.ok(gap > 0 && gap < 40 * 2 * 2 ** -8, `gap to float32 ${gap}`);
});

test('both gradients of a bf16 matmul are bf16 products, close to the float32 ones', () => {
  T.manualSeed(4);
  const a = x().requireGrad();
  const b = w().keep().requireGrad();
  const g = T.randn([3, 5, 24]);
  T.withPrecision('bf16', () => T.backward(T.matmul(a, b, { transB: true }), g));
  const [da, db] = [a.grad!, b.grad!];
  // dA = g B and dB = g^T A with rounded operands.
  const wantA = T.matmul(rounded(g), rounded(b));
  const wantB = T.matmul(T.reshape(rounded(g), [15, 24]), T.reshape(rounded(a), [15, 40]), { transA: true });
  assert.ok(relativeGap(da, wantA, wantA) < 30 * 2 ** -23);
  assert.ok(relativeGap(db, wantB, wantB) < 30 * 2 ** -23);
});

test('backward after the scope runs in the forward precision', () => {
  T.manualSeed(5);
  const a = x().requireGrad();
  const b = w().keep();
  T.backward(T.withPrecision('bf16', () => T.sum(T.matmul(a, b, { transB: true }))));
  const after = a.grad!.toArray();
  a.grad = null;
  T.withPrecision('bf16', () => T.backward(T.sum(T.matmul(a, b, { transB: true }))));
  assert.deepEqual(after, a.grad!.toArray());
});

test('a parameter is cast once per scope: a later scope sees its new values', () => {
  T.manualSeed(6);
  const a = x();
  const b = w().keep();
  const before = T.withPrecision('bf16', () => T.matmul(a, b, { transB: true })).toArray();
  const data = b.dense();
  T.withPrecision('bf16', () => {
    const first = T.matmul(a, b, { transB: true }).toArray();
    assert.deepEqual(first, before);
    data.fill(0.5); // an in-place change inside the scope, as no trainer makes: the cached copy is used
    assert.deepEqual(T.matmul(a, b, { transB: true }).toArray(), before);
  });
  const later = T.withPrecision('bf16', () => T.matmul(a, b, { transB: true }));
  const want = T.matmul(rounded(a), T.full([24, 40], 0.5), { transB: true });
  assert.ok(relativeGap(later, want, want) < 40 * 2 ** -23);
  assert.equal(T.matmulPrecision(), 'float32', 'the precision is restored after the scope');
});
