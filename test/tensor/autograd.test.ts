// The tape: backward, gradient accumulation, no-grad mode, graph release, tidy scopes and the pool.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

const leaf = (values: number[], shape?: number[]) => T.tensor(values, shape).requireGrad();

test('backward of a small graph matches the hand-derived gradient', () => {
  const x = leaf([1, 2, 3]);
  const y = T.sum(T.mul(T.mul(x, x), 3)); // d/dx 3x^2 = 6x
  y.backward();
  assert.deepEqual(x.grad?.toArray(), [6, 12, 18]);
});

test('gradients accumulate across backward calls until zeroed', () => {
  const x = leaf([1, -1]);
  T.backward(T.sum(T.mulScalar(x, 2)));
  T.backward(T.sum(T.mulScalar(x, 3)));
  assert.deepEqual(x.grad?.toArray(), [5, 5]);
});

test('a tensor used twice receives both gradients', () => {
  const x = leaf([2]);
  const y = T.add(T.mul(x, x), T.exp(x));
  T.backward(T.sum(y));
  assert.ok(Math.abs((x.grad?.item() ?? 0) - (4 + Math.exp(2))) < 1e-4);
});

test('noGrad records nothing', () => {
  const x = leaf([1, 2]);
  const y = T.noGrad(() => T.mul(x, x));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradNode, null);
  assert.throws(() => T.backward(T.sum(y)), /does not require a gradient/);
});

test('the graph is released by backward', () => {
  const x = leaf([1, 2]);
  const y = T.sum(T.mul(x, x));
  T.backward(y);
  assert.equal(y.gradNode, null);
});

test('backward needs a scalar or an explicit gradient of the right shape', () => {
  const x = leaf([1, 2]);
  const y = T.mul(x, 2);
  assert.throws(() => T.backward(y), /one-element tensor/);
  assert.throws(() => T.backward(y, T.tensor([1, 2, 3])), /does not match/);
  const g = T.tensor([1, 10]);
  T.backward(y, g);
  assert.deepEqual(x.grad?.toArray(), [2, 20]);
  assert.deepEqual(g.toArray(), [1, 10], 'the caller gradient is not modified');
});

test('tidy disposes what the scope created and keeps what it returns', () => {
  let inner: Tensor | null = null;
  const kept = T.tensor([1]).keep();
  const result = tidy(() => {
    inner = T.tensor([1, 2, 3]);
    const k = T.tensor([4]).keep();
    return { out: T.add(inner, 1), k };
  });
  assert.equal(inner!.disposed, true);
  assert.equal(result.out.disposed, false);
  assert.equal(result.k.disposed, false);
  assert.equal(kept.disposed, false);
  assert.throws(() => inner!.toArray(), /disposed/);
});

test('disposed buffers are reused by the next scope', () => {
  const before = T.bufferPool.bytes;
  tidy(() => {
    T.zeros([1000]);
  });
  assert.ok(T.bufferPool.bytes > before, 'the buffer went back to the pool');
  const during = T.bufferPool.bytes;
  tidy(() => {
    T.zeros([1000]);
    assert.ok(T.bufferPool.bytes < during, 'the buffer came from the pool');
  });
});

test('a view keeps its storage alive after the base tensor is disposed', () => {
  const base = T.tensor([1, 2, 3, 4]);
  const view = T.reshape(base, [2, 2]);
  base.dispose();
  assert.deepEqual(view.toArray(), [1, 2, 3, 4]);
});

test('int32 tensors cannot require gradients and float ops reject them', () => {
  const ids = T.tensor([1, 2], [2], 'int32');
  assert.throws(() => ids.requireGrad(), /int32/);
  assert.throws(() => T.exp(ids), /float tensor/);
});
