// Inducing-point attention: a case small enough to work by hand, a loop reference (pack then
// unpack), padded keys changing nothing, and gradients with respect to q, k, v and I.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { InducingPointAttention, inducingAttention } from '../../../src/model/efficient/inducing.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import {
  appendPadding,
  appendPositions,
  assertClose,
  attendInputs,
  normal,
  onEveryBackend,
  padding,
  qkv,
  softmaxAttentionLoops,
} from '../../helpers/attention-loops.js';

test('inducing: one zero inducing point gives every query the mean of the real values', () => {
  onEveryBackend((dtype, tol, backend) => {
    const [q, k] = qkv([1, 1, 3, 4, 2, 2], dtype, 5);
    const v = T.tensor([1, 2, 3, 4, 5, 6, 100, 100], [1, 1, 4, 2], dtype); // the last key is padding
    const I = T.zeros([1, 1, 2], dtype); // equal scores for every key: H is their mean
    const { output } = inducingAttention(attendInputs(q, k, v, { keyPadding: padding([3], 4) }), I);
    assertClose(output.toArray(), [3, 4, 3, 4, 3, 4], tol, backend);
  });
});

test('inducing: pack then unpack matches the loop reference, on every backend', () => {
  onEveryBackend((dtype, tol, backend) => {
    const [B, h, m, dK] = [2, 2, 3, 4];
    const [q, k, v] = qkv([B, h, 5, 6, dK, dK], dtype, 6);
    const I = normal([h, m, dK], 90, dtype);
    const keyPadding = padding([6, 2], 6);
    const queries = T.contiguous(T.broadcastTo(T.unsqueeze(I, 0), [B, h, m, dK]));
    const H = T.tensor(softmaxAttentionLoops(queries, k, v, keyPadding), [B, h, m, dK], dtype);
    const { output, weights } = inducingAttention(attendInputs(q, k, v, { keyPadding, needWeights: true }), I);
    assert.equal(weights, null);
    assertClose(output.toArray(), softmaxAttentionLoops(q, H, H, null), tol, `${backend} ${dtype}`);
  });
});

test('inducing: padded keys change nothing', () => {
  onEveryBackend((dtype, tol) => {
    const [q, k, v] = qkv([2, 1, 3, 4, 3, 3], dtype, 15);
    const I = normal([1, 2, 3], 91, dtype);
    const keyPadding = padding([4, 1], 4);
    const plain = inducingAttention(attendInputs(q, k, v, { keyPadding }), I).output;
    const padded = inducingAttention(
      attendInputs(q, appendPositions(k, 3, 16), appendPositions(v, 3, 17), {
        keyPadding: appendPadding(keyPadding, 2, 4, 3),
      }),
      I,
    ).output;
    assertClose(padded.toArray(), plain.toArray(), tol, dtype);
  });
});

test('inducing: gradients with respect to q, k, v and I (float64, padded)', () => {
  const keyPadding = padding([5, 2], 5);
  gradcheck('inducing', (q, k, v, I) => inducingAttention(attendInputs(q, k, v, { keyPadding }), I).output, [
    ...qkv([2, 2, 3, 5, 3, 3], 'float64', 100),
    normal([2, 2, 3], 101),
  ]);
});

test('inducing: I is an (h, m, dK) parameter; causal use and dV != dK are errors', () => {
  const mechanism = new InducingPointAttention(
    { kind: 'inducing', inducingPoints: 3 },
    { dModel: 8, h: 2, maxLength: 16, causal: false },
  );
  assert.deepEqual(
    [...mechanism.namedParameters()].map(([name, p]) => [name, p.shape]),
    [['I', [2, 3, 4]]],
  );
  const [q, k, v] = qkv([1, 2, 5, 5, 4, 4], 'float32');
  assert.throws(() => mechanism.attend(attendInputs(q, k, v, { causal: true })), /causal/);
  const [q2, k2, v2] = qkv([1, 2, 5, 5, 4, 3], 'float32');
  assert.throws(() => mechanism.attend(attendInputs(q2, k2, v2)), /dV = dK/);
  const trained = mechanism.attend(attendInputs(q, k, v, { dropout: 0.5, training: true })).output;
  const evaluated = mechanism.attend(attendInputs(q, k, v, { dropout: 0.5 })).output;
  assert.notDeepEqual(trained.toArray(), evaluated.toArray());
});
