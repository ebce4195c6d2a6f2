// The js reference backend's forward kernels, each against an independent, obviously-correct
// computation written here. Gradients are checked in js-gradients.test.ts; attention, cross-entropy
// and Adam in js-nn.test.ts.

import test from 'node:test';
import assert from 'node:assert/strict';
import { BinaryOp, ReduceOp, UnaryOp, dropoutHash, dropoutParams } from '../../src/backend/backend.js';
import { jsBackend as js } from '../../src/backend/js/index.js';
import { erf, erfc } from '../../src/backend/js/erf.js';

const i32 = (...xs: number[]): Int32Array => Int32Array.from(xs);
const f64 = (...xs: number[]): Float64Array => Float64Array.from(xs);

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i]));
    assert.ok(ok, `element ${i}: ${actual[i]} vs expected ${expected[i]}`);
  }
}

// Naive reference: matrices as arrays of rows.
type Matrix = number[][];
const matmul = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, aik, k) => s + aik * b[k][j], 0)));
const transpose = (a: Matrix): Matrix => a[0].map((_, j) => a.map((row) => row[j]));
const flat = (a: Matrix): number[] => a.flat();

test('gemm: every transpose combination against explicit sums', () => {
  const A: Matrix = [
    [1, 2, 3],
    [4, 5, 6],
  ]; // 2 x 3
  const B: Matrix = [
    [7, -1],
    [0, 2],
    [1, 3],
  ]; // 3 x 2
  const expected = flat(matmul(A, B));
  assert.deepEqual(expected, [10, 12, 34, 24]);
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const a = f64(...flat(transA ? transpose(A) : A));
      const b = f64(...flat(transB ? transpose(B) : B));
      const c = new Float64Array(4);
      js.gemm(transA, transB, 2, 2, 3, 1, a, 0, b, 0, 0, c, 0, 1);
      assertClose(c, expected);
    }
  }
});

test('gemm: batches with a shared B (stride 0), alpha and beta; beta = 0 ignores NaN', () => {
  const A0: Matrix = [
    [1, 2],
    [3, 4],
  ];
  const A1: Matrix = [
    [-1, 0],
    [2, 5],
  ];
  const Bm: Matrix = [
    [2, 1, 0],
    [1, -3, 4],
  ];
  const a = f64(...flat(A0), ...flat(A1));
  const b = f64(...flat(Bm));
  const c = f64(1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2);
  js.gemm(false, false, 2, 3, 2, 2, a, 4, b, 0, 0.5, c, 6, 2);
  const expected = [...flat(matmul(A0, Bm)).map((x) => 2 * x + 0.5), ...flat(matmul(A1, Bm)).map((x) => 2 * x + 1)];
  assertClose(c, expected);

  const poisoned = new Float32Array(6).fill(NaN);
  js.gemm(false, false, 2, 3, 2, 1, Float32Array.from(flat(A0)), 0, Float32Array.from(b), 0, 0, poisoned, 0, 1);
  assertClose(poisoned, flat(matmul(A0, Bm)));
});

test('binary: all four ops with row, column and scalar broadcasting', () => {
  const a = f64(1, 2, 3, 4, 5, 6); // (2, 3)
  const row = f64(10, 20, 30); // (3) broadcast over rows
  const col = f64(-1, 2); // (2, 1) broadcast over columns
  const ops: [BinaryOp, (x: number, y: number) => number][] = [
    [BinaryOp.Add, (x, y) => x + y],
    [BinaryOp.Sub, (x, y) => x - y],
    [BinaryOp.Mul, (x, y) => x * y],
    [BinaryOp.Div, (x, y) => x / y],
  ];
  for (const [op, f] of ops) {
    const out = new Float64Array(6);
    js.binary(op, out, a, i32(3, 1), row, i32(0, 1), i32(2, 3));
    assertClose(
      out,
      [0, 1, 2, 3, 4, 5].map((n) => f(a[n], row[n % 3])),
    );
    js.binary(op, out, col, i32(1, 0), a, i32(3, 1), i32(2, 3));
    assertClose(
      out,
      [0, 1, 2, 3, 4, 5].map((n) => f(col[Math.floor(n / 3)], a[n])),
    );
  }
  const scalar = new Float64Array(1);
  js.binary(BinaryOp.Mul, scalar, f64(3), i32(), f64(-4), i32(), i32());
  assert.equal(scalar[0], -12);
});

test('where: broadcast condition picks between strided inputs', () => {
  const out = new Float32Array(6);
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // (2, 3)
  const bT = Float32Array.from([-1, -4, -2, -5, -3, -6]); // (3, 2) read transposed
  js.where(out, i32(1, 0, 7), i32(0, 1), a, i32(3, 1), bT, i32(1, 2), i32(2, 3));
  assert.deepEqual([...out], [1, -2, 3, 4, -5, 6]);
});

test('copy: transposed strides, accumulation, broadcast source, Int32 data', () => {
  const src = f64(1, 2, 3, 4, 5, 6); // (2, 3)
  const dst = new Float64Array(6); // (3, 2) = src^T
  js.copy(dst, i32(1, 2), src, i32(3, 1), i32(2, 3), false);
  assert.deepEqual([...dst], [1, 4, 2, 5, 3, 6]);
  js.copy(dst, i32(1, 2), src, i32(3, 1), i32(2, 3), true);
  assert.deepEqual([...dst], [2, 8, 4, 10, 6, 12]);

  const tiled = new Int32Array(12); // (2, 3, 2) from a (3) vector along the middle axis
  js.copy(tiled, i32(6, 2, 1), i32(7, 8, 9), i32(0, 1, 0), i32(2, 3, 2), false);
  assert.deepEqual([...tiled], [7, 7, 8, 8, 9, 9, 7, 7, 8, 8, 9, 9]);
});

test('fill and axpy touch exactly n elements', () => {
  const y = f64(1, 1, 1, 1);
  js.fill(y, 3, 3);
  assert.deepEqual([...y], [3, 3, 3, 1]);
  js.axpy(y, f64(1, 2, 3, 4), -2, 3);
  assert.deepEqual([...y], [1, -1, -3, 1]);
});

test('reduce: sum and max over the middle axis; argmax is the first maximum; NaN wins', () => {
  const x = f64(1, 5, 3, 5, 3, 2, /* o=1 */ 0, -1, 4, -1, 4, -2); // (2, 3, 2)
  const out = new Float64Array(4);
  js.reduce(ReduceOp.Sum, out, null, x, 2, 3, 2);
  assert.deepEqual([...out], [1 + 3 + 3, 5 + 5 + 2, 0 + 4 + 4, -1 - 1 - 2]);
  const argmax = new Int32Array(4);
  js.reduce(ReduceOp.Max, out, argmax, x, 2, 3, 2);
  assert.deepEqual([...out], [3, 5, 4, -1]);
  assert.deepEqual([...argmax], [1, 0, 1, 0]);
  js.reduce(ReduceOp.Max, out, argmax, f64(1, NaN, 9, NaN), 1, 4, 1);
  assert.ok(Number.isNaN(out[0]));
  assert.equal(argmax[0], 1);
});

test('unary: each op against Math, and exact GELU', () => {
  const x = f64(-2.5, -0.7, 0.3, 1.9);
  const cases: [UnaryOp, number, (t: number) => number][] = [
    [UnaryOp.Neg, 0, (t) => -t],
    [UnaryOp.Exp, 0, Math.exp],
    [UnaryOp.Tanh, 0, Math.tanh],
    [UnaryOp.Sigmoid, 0, (t) => 1 / (1 + Math.exp(-t))],
    [UnaryOp.Relu, 0, (t) => Math.max(t, 0)],
    [UnaryOp.Swish, 0, (t) => t / (1 + Math.exp(-t))],
    [UnaryOp.Pow, 2, (t) => t * t],
    [UnaryOp.Scale, -3, (t) => -3 * t],
    [UnaryOp.AddScalar, 0.5, (t) => t + 0.5],
  ];
  for (const [op, alpha, f] of cases) {
    const out = new Float64Array(4);
    js.unary(op, out, x, 4, alpha);
    assertClose(out, [...x].map(f), 1e-15);
  }
  const positive = f64(0.25, 4, 9);
  js.unary(UnaryOp.Log, positive, positive, 3, 0); // in place
  assertClose(positive, [Math.log(0.25), Math.log(4), Math.log(9)]);
  js.unary(UnaryOp.Sigmoid, x, f64(-800, 800, 0, 0), 3, 0); // no overflow to NaN
  assert.deepEqual([...x.subarray(0, 3)], [0, 1, 0.5]);

  // x * Phi(x) to 17 digits (mpmath).
  const geluX = f64(-3.5, -1.2, -0.3, 0, 0.4, 1.7, 3);
  const gelu = [
    -0.00081420177662433763, -0.13808360426604993, -0.11462657334331421, 0, 0.26216869664412968, 1.6242387133104768,
    2.9959503059051097,
  ];
  const out = new Float64Array(7);
  js.unary(UnaryOp.Gelu, out, geluX, 7, 0);
  assertClose(out, gelu, 1e-15);
});

test('erf and erfc match 17-digit values to 1e-15 relative', () => {
  const erfs: [number, number][] = [
    [-3.5, -0.99999925690162766],
    [-1.2, -0.91031397822963537],
    [-0.3, -0.32862675945912742],
    [0.4, 0.42839235504666848],
    [1.7, 0.98379045859077456],
    [3, 0.99997790950300141],
  ];
  for (const [x, value] of erfs) assertClose([erf(x)], [value], 1e-15);
  const erfcs: [number, number][] = [
    [0.1, 0.8875370839817151],
    [0.9, 0.20309178757716786],
    [1.5, 0.033894853524689273],
    [2.5, 0.00040695201744495894],
    [4, 1.5417257900280019e-8],
    [6, 2.1519736712498913e-17],
  ];
  for (const [x, value] of erfcs) assert.ok(Math.abs(erfc(x) / value - 1) < 1e-14, `erfc(${x}) = ${erfc(x)}`);
  assert.deepEqual([erf(0), erf(Infinity), erf(-Infinity), erfc(-Infinity)], [0, 1, -1, 2]);
});

test('softmax: rows sum to 1 and equal exp/sum; log-softmax = log(softmax); no overflow', () => {
  const x = f64(1, 2, 3, -1, 0.5, 1000, 1001, 999, 1000, 1000);
  const p = new Float64Array(10);
  js.softmax(p, x, 2, 5, false);
  for (let r = 0; r < 2; r++) {
    const row = [...x.subarray(r * 5, r * 5 + 5)].map((t) => Math.exp(t - (r ? 1000 : 0)));
    const sum = row.reduce((s, t) => s + t, 0);
    assertClose(
      p.subarray(r * 5, r * 5 + 5),
      row.map((t) => t / sum),
      1e-15,
    );
    assertClose([p.subarray(r * 5, r * 5 + 5).reduce((s, t) => s + t, 0)], [1], 1e-15);
  }
  const logP = new Float64Array(10);
  js.softmax(logP, x, 2, 5, true);
  assertClose(logP, [...p].map(Math.log), 1e-14);
});

test('layerNorm: normalised rows have mean 0 and biased variance 1; affine applied after', () => {
  const rows = 3,
    cols = 8;
  const x = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.3) * 5 + i);
  const out = new Float64Array(rows * cols);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  js.layerNorm(out, mean, rstd, x, null, null, rows, cols, 0);
  for (let r = 0; r < rows; r++) {
    const row = out.subarray(r * cols, (r + 1) * cols);
    const mu = row.reduce((s, t) => s + t, 0) / cols;
    const variance = row.reduce((s, t) => s + (t - mu) ** 2, 0) / cols;
    assertClose([mu, variance], [0, 1], 1e-14);
    const xRow = x.subarray(r * cols, (r + 1) * cols);
    assertClose([mean[r]], [xRow.reduce((s, t) => s + t, 0) / cols], 1e-14);
  }
  const gamma = Float64Array.from({ length: cols }, (_, j) => 1 + j / 4);
  const beta = Float64Array.from({ length: cols }, (_, j) => -j);
  const affine = new Float64Array(rows * cols);
  js.layerNorm(affine, mean, rstd, x, gamma, beta, rows, cols, 0);
  assertClose(
    affine,
    [...out].map((t, i) => t * gamma[i % cols] + beta[i % cols]),
    1e-14,
  );
  // eps enters under the square root: a constant row normalises to 0, not NaN.
  js.layerNorm(out, mean, rstd, f64(2, 2, 2, 2), null, null, 1, 4, 1e-5);
  assert.deepEqual([...out.subarray(0, 4)], [0, 0, 0, 0]);
  assertClose([rstd[0]], [1 / Math.sqrt(1e-5)]);
});

test('dropout: deterministic per seed, drops about p, scales kept values, offsets shift the mask', () => {
  const n = 100_000;
  const p = 0.3;
  const { threshold, scale } = dropoutParams(p);
  const x = Float64Array.from({ length: n }, (_, i) => 1 + (i % 7));
  const out = new Float64Array(n);
  js.dropout(out, x, n, threshold, scale, 42, 0);
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    if (out[i] === 0) dropped++;
    else assert.equal(out[i], x[i] / (1 - p));
    assert.equal(out[i] !== 0, dropoutHash(42, i) >= threshold);
  }
  assert.ok(Math.abs(dropped / n - p) < 0.01, `dropped fraction ${dropped / n}`);

  const again = new Float64Array(n);
  js.dropout(again, x, n, threshold, scale, 42, 0);
  assert.deepEqual(again, out);
  js.dropout(again, x, n, threshold, scale, 43, 0);
  assert.notDeepEqual(again, out);
  const shifted = new Float64Array(100);
  js.dropout(shifted, x.subarray(500), 100, threshold, scale, 42, 500);
  assert.deepEqual(shifted, out.subarray(500, 600));
});

test('embedding: rows gathered; backward accumulates repeated ids', () => {
  const table = f64(0, 1, 10, 11, 20, 21); // 3 rows of dim 2
  const ids = i32(2, 0, 2);
  const out = new Float64Array(6);
  js.embedding(out, table, ids, 3, 2);
  assert.deepEqual([...out], [20, 21, 0, 1, 20, 21]);
  const dtable = f64(1, 1, 1, 1, 1, 1);
  js.embeddingBackward(dtable, f64(1, 2, 3, 4, 5, 6), ids, 3, 2);
  assert.deepEqual([...dtable], [4, 5, 1, 1, 7, 9]);
});
