// Every backward kernel of the js reference backend against central finite differences in float64:
// for L(x) = sum(forward(x) * w) with random weights w, dL/dx_i ~ (L(x + h e_i) - L(x - h e_i)) / 2h.

import test from 'node:test';
import assert from 'node:assert/strict';
import { ReduceOp, UnaryOp, dropoutParams } from '../../src/backend/backend.js';
import { jsBackend as js } from '../../src/backend/js/index.js';

const H = 1e-6;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function randomArray(n: number, rnd: () => number, lo = -2, hi = 2): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (rnd() + 0.5) * (hi - lo));
}

const weightedSum = (out: Float64Array, w: Float64Array): number => out.reduce((s, t, i) => s + t * w[i], 0);

/**
 * Central differences of loss() over every element of x (perturbed in place and restored), compared
 * with the analytic gradient: |numeric - analytic| <= 1e-6 |analytic| + 1e-8 (h = 1e-6 leaves about
 * 1e-10 of rounding noise, so the absolute floor only matters for zero gradients).
 */
function checkGradient(name: string, x: Float64Array, loss: () => number, analytic: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + H;
    const up = loss();
    x[i] = saved - H;
    const down = loss();
    x[i] = saved;
    const numeric = (up - down) / (2 * H);
    const error = Math.abs(numeric - analytic[i]);
    assert.ok(
      error <= 1e-6 * Math.abs(analytic[i]) + 1e-8,
      `${name}[${i}]: analytic ${analytic[i]}, numeric ${numeric}`,
    );
  }
}

test('checkGradient rejects a wrong gradient', () => {
  const x = Float64Array.from([1, 2]);
  const loss = (): number => x[0] * x[0] + x[1];
  assert.throws(() => checkGradient('wrong', x, loss, Float64Array.from([2, 1.00001])));
  checkGradient('right', x, loss, Float64Array.from([2, 1]));
});

test('unaryBackward matches finite differences for every op', () => {
  const rnd = random(1);
  const n = 16;
  const ops: [UnaryOp, number, boolean][] = [
    // [op, alpha, needs x > 0]
    [UnaryOp.Neg, 0, false],
    [UnaryOp.Exp, 0, false],
    [UnaryOp.Log, 0, true],
    [UnaryOp.Sqrt, 0, true],
    [UnaryOp.Tanh, 0, false],
    [UnaryOp.Sigmoid, 0, false],
    [UnaryOp.Relu, 0, false],
    [UnaryOp.Gelu, 0, false],
    [UnaryOp.Swish, 0, false],
    [UnaryOp.Pow, 3, false],
    [UnaryOp.Pow, 0.5, true],
    [UnaryOp.Pow, -1.5, true],
    [UnaryOp.Scale, -2.5, false],
    [UnaryOp.AddScalar, 4, false],
  ];
  for (const [op, alpha, positive] of ops) {
    const x = positive ? randomArray(n, rnd, 0.2, 3) : randomArray(n, rnd, -4, 4);
    const w = randomArray(n, rnd);
    const y = new Float64Array(n);
    const loss = (): number => (js.unary(op, y, x, n, alpha), weightedSum(y, w));
    loss();
    const dx = new Float64Array(n);
    js.unaryBackward(op, dx, x, y, w, n, alpha);
    checkGradient(`unary op ${op}`, x, loss, dx);
  }
  const dx = new Float64Array(2);
  js.unaryBackward(
    UnaryOp.Pow,
    dx,
    Float64Array.from([0, 2]),
    Float64Array.from([1, 1]),
    Float64Array.from([1, 1]),
    2,
    0,
  );
  assert.deepEqual([...dx], [0, 0], 'x ** 0 has derivative 0, even at x = 0');
});

test('maxBackward routes dy to the argmax', () => {
  const rnd = random(2);
  const [outer, size, inner] = [2, 5, 3];
  const x = randomArray(outer * size * inner, rnd);
  const w = randomArray(outer * inner, rnd);
  const out = new Float64Array(outer * inner);
  const argmax = new Int32Array(outer * inner);
  const loss = (): number => (js.reduce(ReduceOp.Max, out, argmax, x, outer, size, inner), weightedSum(out, w));
  loss();
  const dx = new Float64Array(x.length).fill(NaN);
  js.maxBackward(dx, w, argmax, outer, size, inner);
  checkGradient('max', x, loss, dx);
});

test('softmaxBackward matches finite differences, for softmax and log-softmax', () => {
  const rnd = random(3);
  const [rows, cols] = [3, 7];
  for (const log of [false, true]) {
    const x = randomArray(rows * cols, rnd, -3, 3);
    const w = randomArray(rows * cols, rnd);
    const y = new Float64Array(rows * cols);
    const loss = (): number => (js.softmax(y, x, rows, cols, log), weightedSum(y, w));
    loss();
    const dx = new Float64Array(rows * cols);
    js.softmaxBackward(dx, y, w, rows, cols, log);
    checkGradient(log ? 'log-softmax' : 'softmax', x, loss, dx);
  }
});

test('layerNormBackward matches finite differences for x, gamma and beta, with and without affine', () => {
  const rnd = random(4);
  const [rows, cols, eps] = [4, 6, 1e-5];
  for (const affine of [true, false]) {
    const x = randomArray(rows * cols, rnd, -3, 3);
    const gamma = affine ? randomArray(cols, rnd, 0.5, 1.5) : null;
    const beta = affine ? randomArray(cols, rnd) : null;
    const w = randomArray(rows * cols, rnd);
    const [out, mean, rstd] = [new Float64Array(rows * cols), new Float64Array(rows), new Float64Array(rows)];
    const loss = (): number => (js.layerNorm(out, mean, rstd, x, gamma, beta, rows, cols, eps), weightedSum(out, w));
    loss();
    const dx = new Float64Array(rows * cols);
    const dgamma = affine ? new Float64Array(cols) : null;
    const dbeta = affine ? new Float64Array(cols) : null;
    js.layerNormBackward(dx, dgamma, dbeta, w, x, mean, rstd, gamma, rows, cols);
    checkGradient('layerNorm x', x, loss, dx);
    if (gamma && beta && dgamma && dbeta) {
      checkGradient('layerNorm gamma', gamma, loss, dgamma);
      checkGradient('layerNorm beta', beta, loss, dbeta);
    }
  }
});

test('crossEntropyBackward matches finite differences, with smoothing and an ignored row', () => {
  const rnd = random(5);
  const [rows, V, ignoreIndex] = [4, 5, -100];
  const targets = Int32Array.from([3, ignoreIndex, 0, 4]);
  for (const eps of [0, 0.1]) {
    const logits = randomArray(rows * V, rnd, -3, 3);
    const dloss = randomArray(rows, rnd);
    const [loss, lse] = [new Float64Array(rows), new Float64Array(rows)];
    const total = (): number => (
      js.crossEntropy(loss, lse, logits, targets, rows, V, eps, ignoreIndex),
      weightedSum(loss, dloss)
    );
    total();
    const dlogits = new Float64Array(rows * V).fill(NaN);
    js.crossEntropyBackward(dlogits, logits, lse, targets, dloss, rows, V, eps, ignoreIndex);
    assert.deepEqual([...dlogits.subarray(V, 2 * V)], [0, 0, 0, 0, 0]);
    checkGradient(`cross-entropy eps=${eps}`, logits, total, dlogits);
  }
});

test('attentionBackward matches finite differences with mask, causal (incl. an empty row) and dropout', () => {
  const rnd = random(6);
  const [B, Hh, Tq, Tk, D, Dv] = [2, 2, 4, 3, 3, 2];
  const scale = 0.7;
  // (1, H, Tq, Tk) mask shared by the batch; key 0 of head 1 is hidden from query 3.
  const mask = randomArray(Hh * Tq * Tk, rnd);
  mask[(1 * Tq + 3) * Tk + 0] = -Infinity;
  const maskStrides = Int32Array.from([0, Tq * Tk, Tk, 1]);
  for (const p of [0, 0.3]) {
    const { threshold, scale: dropScale } = dropoutParams(p);
    const shape = { B, H: Hh, Tq, Tk, D, Dv, scale, threshold, dropScale, seed: 99 };
    const q = randomArray(B * Hh * Tq * D, rnd);
    const k = randomArray(B * Hh * Tk * D, rnd);
    const v = randomArray(B * Hh * Tk * Dv, rnd);
    const w = randomArray(B * Hh * Tq * Dv, rnd);
    const out = new Float64Array(w.length);
    const weights = new Float64Array(B * Hh * Tq * Tk);
    const run = (): number => {
      js.attention(out, weights, q, k, v, shape, true, mask, maskStrides);
      return weightedSum(out, w);
    };
    run();
    const [dq, dk, dv] = [new Float64Array(q.length), new Float64Array(k.length), new Float64Array(v.length)];
    js.attentionBackward(dq, dk, dv, w, q, k, v, weights, shape);
    assert.deepEqual([...dq.subarray(0, D)], [0, 0, 0], 'query 0 sees no key (Tq > Tk, causal)');
    checkGradient(`attention dq p=${p}`, q, run, dq);
    checkGradient(`attention dk p=${p}`, k, run, dk);
    checkGradient(`attention dv p=${p}`, v, run, dv);
  }
});
