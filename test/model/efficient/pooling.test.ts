// Pooling attention: poolSize 1 is full attention; window means over real keys match a loop
// reference (a short last window, a window of padding only); padded keys change nothing; gradients.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { PoolingAttention, poolingAttention } from '../../../src/model/efficient/pooling.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import {
  appendPadding,
  appendPositions,
  assertClose,
  attendInputs,
  onEveryBackend,
  padding,
  qkv,
  rows,
  softmaxAttentionLoops,
} from '../../helpers/attention-loops.js';

/** Window means of x over its real keys with loops, and which windows hold any: [(B, h, m, d), (B, m)]. */
function poolLoops(x: Tensor, keyPadding: Tensor | null, P: number): [Tensor, Tensor] {
  const [B, H, Tk, d] = x.shape;
  const m = Math.ceil(Tk / P);
  const X = rows(x);
  const real = keyPadding?.toArray();
  const isReal = (b: number, j: number) => real === undefined || real[b * Tk + j] !== 0;
  const out: number[] = [];
  const kept: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let w = 0; w < m; w++)
      kept.push([...Array(P).keys()].some((o) => w * P + o < Tk && isReal(b, w * P + o)) ? 1 : 0);
    for (let h = 0; h < H; h++)
      for (let w = 0; w < m; w++) {
        const members = [...Array(P).keys()].map((o) => w * P + o).filter((j) => j < Tk && isReal(b, j));
        for (let c = 0; c < d; c++)
          out.push(members.length === 0 ? 0 : members.reduce((s, j) => s + X(b, h, j)[c], 0) / members.length);
      }
  }
  return [T.tensor(out, [B, H, m, d], 'float64'), Tensor.from(Int32Array.from(kept), [B, m])];
}

test('pooling: poolSize 1 is full attention, weights included, on every backend', () => {
  onEveryBackend((dtype, tol, backend) => {
    const [q, k, v] = qkv([2, 2, 4, 6, 3, 3], dtype, 2);
    const keyPadding = padding([6, 3], 6);
    const pooled = poolingAttention(attendInputs(q, k, v, { keyPadding, needWeights: true }), 1);
    const full = T.attention(q, k, v, { mask: T.reshape(keyPadding, [2, 1, 1, 6]) });
    assertClose(pooled.output.toArray(), softmaxAttentionLoops(q, k, v, keyPadding), tol, `${backend} output`);
    assertClose(pooled.weights!.toArray(), full.weights.toArray(), tol, `${backend} weights`);
  });
});

test('pooling: window means over real keys, a short last window and an all-padding window masked out', () => {
  onEveryBackend((dtype, tol, backend) => {
    const [q, k, v] = qkv([2, 2, 3, 8, 3, 2], dtype, 3);
    const keyPadding = padding([8, 4], 8); // poolSize 3: windows {0,1,2} {3,4,5} {6,7}; the second sequence's last is padding
    const [K, kept] = poolLoops(k, keyPadding, 3);
    const [V] = poolLoops(v, keyPadding, 3);
    assert.deepEqual(kept.toArray(), [1, 1, 1, 1, 1, 0]);
    const { output } = poolingAttention(attendInputs(q, k, v, { keyPadding }), 3);
    assertClose(output.toArray(), softmaxAttentionLoops(q, K, V, kept), tol, `${backend} ${dtype}`);
  });
});

test('pooling: per-key weights reproduce the output and sum to one', () => {
  const [q, k, v] = qkv([2, 1, 3, 7, 2, 2], 'float64', 4);
  const keyPadding = padding([7, 5], 7);
  const { output, weights } = poolingAttention(attendInputs(q, k, v, { keyPadding, needWeights: true }), 2);
  assert.ok(weights !== null);
  assert.deepEqual(weights.shape, [2, 1, 3, 7]);
  assertClose(T.matmul(weights, v).toArray(), output.toArray(), 1e-10, 'weights v');
  assertClose(T.sum(weights, -1).toArray(), new Array<number>(6).fill(1), 1e-10, 'row sums');
  const w = weights.toArray();
  for (let i = 0; i < 3; i++) for (const j of [5, 6]) assert.equal(w[(3 + i) * 7 + j], 0, 'a padded key');
});

test('pooling: padded keys change nothing', () => {
  onEveryBackend((dtype, tol) => {
    const [q, k, v] = qkv([2, 1, 3, 5, 3, 3], dtype, 12);
    const keyPadding = padding([5, 4], 5);
    const plain = poolingAttention(attendInputs(q, k, v, { keyPadding }), 2).output;
    const padded = poolingAttention(
      attendInputs(q, appendPositions(k, 4, 13), appendPositions(v, 4, 14), {
        keyPadding: appendPadding(keyPadding, 2, 5, 4),
      }),
      2,
    ).output;
    assertClose(padded.toArray(), plain.toArray(), tol, dtype);
  });
});

test('pooling: gradients with respect to q, k and v (float64, padded, a short last window)', () => {
  const keyPadding = padding([7, 4], 7);
  gradcheck(
    'pooling',
    (q, k, v) => poolingAttention(attendInputs(q, k, v, { keyPadding }), 3).output,
    qkv([2, 2, 3, 7, 3, 2], 'float64', 80),
  );
});

test('pooling: no parameters; causal use is an error; dropout applies while training', () => {
  const mechanism = new PoolingAttention(
    { kind: 'pooling', poolSize: 2 },
    { dModel: 8, h: 2, maxLength: 16, causal: false },
  );
  assert.equal(mechanism.parameters().length, 0);
  const [q, k, v] = qkv([1, 2, 4, 4, 4, 4], 'float32');
  assert.throws(() => mechanism.attend(attendInputs(q, k, v, { causal: true })), /causal/);
  const trained = mechanism.attend(attendInputs(q, k, v, { dropout: 0.5, training: true })).output;
  const evaluated = mechanism.attend(attendInputs(q, k, v, { dropout: 0.5 })).output;
  assert.notDeepEqual(trained.toArray(), evaluated.toArray());
});
