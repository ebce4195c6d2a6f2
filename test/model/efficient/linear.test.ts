// Linear attention against an O(T^2) loop reference: non-causal and causal, padded, chunked with
// lengths the chunk does not divide, one decoding step; and its gradients in float64.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { LinearAttention, linearAttention, LINEAR_EPS } from '../../../src/model/efficient/linear.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import {
  appendPadding,
  appendPositions,
  assertClose,
  attendInputs,
  firstRows,
  onEveryBackend,
  padding,
  qkv,
  rows,
} from '../../helpers/attention-loops.js';

const phi = (x: number) => (x > 0 ? x + 1 : Math.exp(x));

/** Equation 6 of the paper with loops: every (query, key) pair, (B, h, Tq, dV) row-major. */
function linearLoops(q: Tensor, k: Tensor, v: Tensor, keyPadding: Tensor | null, causal: boolean): number[] {
  const [B, H, Tq] = q.shape;
  const [Tk, dV] = [k.shape[2], v.shape[3]];
  const [Q, K, V] = [rows(q), rows(k), rows(v)];
  const real = keyPadding?.toArray();
  const out: number[] = [];
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < Tq; i++) {
        const numerator = new Array<number>(dV).fill(0);
        let denominator = 0;
        for (let j = 0; j < Tk; j++) {
          if ((real !== undefined && real[b * Tk + j] === 0) || (causal && j > i + Tk - Tq)) continue;
          const s = Q(b, h, i).reduce((acc, qd, d) => acc + phi(qd) * phi(K(b, h, j)[d]), 0);
          denominator += s;
          V(b, h, j).forEach((vd, d) => (numerator[d] += s * vd));
        }
        out.push(...numerator.map((n) => n / (denominator + LINEAR_EPS)));
      }
  return out;
}

test('linear: equals the loop reference, non-causal and causal, with padding, on every backend', () => {
  onEveryBackend((dtype, tol, backend) => {
    const [q, k, v] = qkv([2, 2, 7, 7, 3, 4], dtype);
    const keyPadding = padding([7, 4], 7);
    for (const causal of [false, true]) {
      const expected = linearLoops(q, k, v, keyPadding, causal);
      for (const chunk of [64, 3, 1]) {
        const { output } = linearAttention(attendInputs(q, k, v, { keyPadding, causal }), chunk);
        assertClose(output.toArray(), expected, tol, `${backend} ${dtype} causal ${causal} chunk ${chunk}`);
      }
    }
  });
});

test('linear causal: fewer queries than keys (a prompt after a cache) and more queries than keys', () => {
  onEveryBackend((dtype, tol) => {
    for (const [Tq, Tk] of [
      [4, 9],
      [5, 3],
    ]) {
      const [q, k, v] = qkv([1, 2, Tq, Tk, 3, 2], dtype, 4);
      const expected = linearLoops(q, k, v, null, true);
      const { output } = linearAttention(attendInputs(q, k, v, { causal: true }), 2);
      assertClose(output.toArray(), expected, tol, `Tq ${Tq}, Tk ${Tk}`);
    }
  });
});

test('linear: a decoding step (the last query over every cached key) equals the last row of the full call', () => {
  onEveryBackend((dtype, tol) => {
    const [q, k, v] = qkv([2, 2, 6, 6, 4, 4], dtype, 7);
    const full = linearAttention(attendInputs(q, k, v, { causal: true }), 4).output; // (B, h, 6, dV)
    const step = linearAttention(attendInputs(T.slice(q, 2, 5), k, v, { causal: true }), 4).output;
    assert.deepEqual(step.shape, [2, 2, 1, 4]);
    assertClose(step.toArray(), T.slice(full, 2, 5).toArray(), tol, 'step 6');
  });
});

test('linear: padded keys change nothing (and appended padded positions leave causal outputs alone)', () => {
  onEveryBackend((dtype, tol) => {
    const [q, k, v] = qkv([2, 1, 5, 5, 3, 3], dtype, 11);
    const keyPadding = padding([5, 3], 5);
    const more = appendPadding(keyPadding, 2, 5, 3);
    const [k2, v2] = [appendPositions(k, 3, 20), appendPositions(v, 3, 21)];
    const plain = linearAttention(attendInputs(q, k, v, { keyPadding })).output;
    const padded = linearAttention(attendInputs(q, k2, v2, { keyPadding: more })).output;
    assertClose(padded.toArray(), plain.toArray(), tol, 'non-causal');
    const causal = linearAttention(attendInputs(q, k, v, { keyPadding, causal: true }), 2).output;
    const q2 = appendPositions(q, 3, 22);
    const longer = linearAttention(attendInputs(q2, k2, v2, { keyPadding: more, causal: true }), 2).output;
    assertClose(firstRows(longer, 5), causal.toArray(), tol, 'causal');
  });
});

test('linear: nothing of size T x T is allocated, causal or not, forward or backward', () => {
  const Tn = 256;
  const [q, k, v] = qkv([1, 1, Tn, Tn, 2, 2], 'float32');
  [q, k, v].forEach((t) => t.requireGrad());
  const empty = Tensor.empty;
  let largest = 0;
  Tensor.empty = (shape, dtype) => {
    largest = Math.max(
      largest,
      shape.reduce((a, b) => a * b, 1),
    );
    return empty(shape, dtype);
  };
  try {
    for (const causal of [false, true])
      T.backward(T.sum(linearAttention(attendInputs(q, k, v, { causal }), 16).output));
  } finally {
    Tensor.empty = empty;
  }
  assert.ok(largest > 0 && largest <= 2 * Tn, `the largest tensor has ${largest} elements`);
});

test('linear: weights for display reproduce the output and respect the causal mask', () => {
  const [q, k, v] = qkv([1, 2, 4, 6, 3, 3], 'float64', 3);
  const keyPadding = padding([5], 6);
  const { output, weights } = linearAttention(
    attendInputs(q, k, v, { keyPadding, causal: true, needWeights: true }),
    3,
  );
  assert.ok(weights !== null);
  assert.deepEqual(weights.shape, [1, 2, 4, 6]);
  assertClose(T.matmul(weights, v).toArray(), output.toArray(), 1e-10, 'weights v');
  const w = weights.toArray();
  for (let row = 0; row < 8; row++) {
    const i = row % 4;
    for (let j = 0; j < 6; j++) if (j > i + 2 || j === 5) assert.equal(w[row * 6 + j], 0, `row ${row}, key ${j}`);
  }
  assert.equal(linearAttention(attendInputs(q, k, v)).weights, null);
});

test('linear: gradients with respect to q, k and v (float64), padded, non-causal and chunked causal', () => {
  const keyPadding = padding([5, 3], 5);
  for (const causal of [false, true]) {
    gradcheck(
      `linear causal ${causal}`,
      (q, k, v) => linearAttention(attendInputs(q, k, v, { keyPadding, causal }), 2).output,
      qkv([2, 2, 5, 5, 3, 2], 'float64', 30),
    );
  }
  gradcheck(
    'linear causal, queries after a prefix',
    (q, k, v) => linearAttention(attendInputs(q, k, v, { causal: true }), 2).output,
    qkv([1, 1, 3, 6, 2, 2], 'float64', 40),
  );
});

test('linear: no parameters; attention dropout while training is refused', () => {
  const mechanism = new LinearAttention({ kind: 'linear' }, { dModel: 8, h: 2, maxLength: 16, causal: true });
  assert.equal(mechanism.parameters().length, 0);
  const [q, k, v] = qkv([1, 2, 3, 3, 4, 4], 'float32');
  assert.throws(() => mechanism.attend(attendInputs(q, k, v, { dropout: 0.1, training: true })), /dropout/);
  const evaluated = mechanism.attend(attendInputs(q, k, v, { dropout: 0.1, causal: true }));
  assertClose(evaluated.output.toArray(), linearLoops(q, k, v, null, true), 1e-4, 'attend()');
});
