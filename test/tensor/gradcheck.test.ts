// A gradient check for every differentiable op, by central finite differences in float64.

import test from 'node:test';
import * as T from '../../src/tensor/index.js';
import { Generator } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { gradcheck, input } from '../helpers/gradcheck.js';

const ints = (values: number[], shape?: number[]) => Tensor.from(Int32Array.from(values), shape);

test('matmul: plain, transposed operands, batched, broadcast batch', () => {
  gradcheck('matmul', (a, b) => T.matmul(a, b), [input([3, 4], 1), input([4, 5], 2)]);
  gradcheck('matmul transA', (a, b) => T.matmul(a, b, { transA: true }), [input([4, 3], 1), input([4, 5], 2)]);
  gradcheck('matmul transB', (a, b) => T.matmul(a, b, { transB: true }), [input([3, 4], 1), input([5, 4], 2)]);
  gradcheck('matmul both', (a, b) => T.matmul(a, b, { transA: true, transB: true }), [
    input([4, 3], 1),
    input([5, 4], 2),
  ]);
  gradcheck('matmul batched', (a, b) => T.matmul(a, b), [input([2, 3, 3, 4], 1), input([2, 3, 4, 2], 2)]);
  gradcheck('matmul rows @ weight^T', (a, b) => T.matmul(a, b, { transB: true }), [
    input([2, 3, 4], 1),
    input([5, 4], 2),
  ]);
  gradcheck('matmul broadcast batch', (a, b) => T.matmul(a, b, { transA: true }), [
    input([2, 1, 4, 3], 1),
    input([3, 4, 2], 2),
  ]);
  gradcheck('matmul of a transposed view', (a, b) => T.matmul(T.transpose(a), b), [input([4, 3], 1), input([4, 2], 2)]);
});

test('binary ops with broadcasting', () => {
  const shapes: [number[], number[]][] = [
    [
      [3, 4],
      [3, 4],
    ],
    [[2, 3, 4], [4]],
    [
      [3, 1],
      [1, 5],
    ],
    [
      [2, 1, 4],
      [3, 1],
    ],
  ];
  for (const [sa, sb] of shapes) {
    gradcheck('add', T.add, [input(sa, 1), input(sb, 2)]);
    gradcheck('sub', T.sub, [input(sa, 1), input(sb, 2)]);
    gradcheck('mul', T.mul, [input(sa, 1), input(sb, 2)]);
    gradcheck('div', T.div, [input(sa, 1), input(sb, 2, { shift: 3 })]);
  }
  gradcheck('add a number', (a) => T.add(a, 2.5), [input([3], 1)]);
  gradcheck('binary on a transposed view', (a, b) => T.mul(T.transpose(a), b), [input([4, 3], 1), input([3, 4], 2)]);
});

test('unary ops', () => {
  const x = () => input([2, 7], 3);
  gradcheck('neg', T.neg, [x()]);
  gradcheck('exp', T.exp, [x()]);
  gradcheck('log', T.log, [input([2, 7], 3, { shift: 4 })]);
  gradcheck('sqrt', T.sqrt, [input([2, 7], 3, { shift: 4 })]);
  gradcheck('pow', (a) => T.pow(a, 3), [x()]);
  gradcheck('pow fractional', (a) => T.pow(a, 1.5), [input([5], 3, { shift: 4 })]);
  gradcheck('tanh', T.tanh, [x()]);
  gradcheck('sigmoid', T.sigmoid, [x()]);
  gradcheck('relu', T.relu, [input([2, 7], 3, { shift: 0.05 })]);
  gradcheck('gelu', T.gelu, [x()]);
  gradcheck('swish', T.swish, [x()]);
  gradcheck('mulScalar', (a) => T.mulScalar(a, -1.5), [x()]);
  gradcheck('addScalar', (a) => T.addScalar(a, 0.5), [x()]);
});

test('reductions: sum, mean, max over axes', () => {
  gradcheck('sum all', (a) => T.sum(a), [input([3, 4], 1)]);
  gradcheck('sum axis', (a) => T.sum(a, 1), [input([2, 3, 4], 1)]);
  gradcheck('sum axes keepDim', (a) => T.sum(a, [0, 2], true), [input([2, 3, 4], 1)]);
  gradcheck('mean', (a) => T.mean(a, -1), [input([2, 3, 4], 1)]);
  gradcheck('max', (a) => T.max(a, 1), [input([2, 5, 3], 1)]);
  gradcheck('max keepDim last', (a) => T.max(a, -1, true), [input([4, 6], 1)]);
});

test('softmax and log-softmax', () => {
  gradcheck('softmax', (a) => T.softmax(a), [input([3, 5], 1)]);
  gradcheck('softmax middle axis', (a) => T.softmax(a, 1), [input([2, 4, 3], 1)]);
  gradcheck('logSoftmax', (a) => T.logSoftmax(a), [input([3, 5], 1)]);
});

test('layer norm, affine and plain', () => {
  gradcheck('layerNorm affine', (x, g, b) => T.layerNorm(x, g, b), [input([3, 6], 1), input([6], 2), input([6], 3)]);
  gradcheck('layerNorm plain', (x) => T.layerNorm(x, null, null), [input([4, 5], 1)]);
});

test('dropout: the same seed gives the same mask, so it is a linear map', () => {
  gradcheck('dropout', (x) => T.dropout(x, 0.3, true, new Generator(7)), [input([4, 9], 1)]);
});

test('embedding: repeated ids accumulate', () => {
  const ids = ints([0, 2, 2, 4, 1, 2], [2, 3]);
  gradcheck('embedding', (table) => T.embedding(table, ids), [input([5, 3], 1)]);
});

test('views and copies: reshape, permute, slice, broadcast, concat, split, pad', () => {
  gradcheck('reshape', (a) => T.reshape(a, [4, -1]), [input([2, 3, 2], 1)]);
  gradcheck('permute', (a) => T.permute(a, [2, 0, 1]), [input([2, 3, 4], 1)]);
  gradcheck('slice', (a) => T.slice(a, 1, 1, 3), [input([2, 4], 1)]);
  gradcheck('broadcastTo', (a) => T.broadcastTo(a, [3, 2, 4]), [input([2, 1], 1)]);
  gradcheck('concat', (a, b) => T.concat([a, b], 1), [input([2, 3], 1), input([2, 2], 2)]);
  gradcheck('split equal pieces', (a) => T.concat(T.split(a, 2, 1).reverse(), 1), [input([2, 5], 1)]);
  gradcheck(
    'split pieces',
    (a) => {
      const [x, y] = T.split(a, [2, 2], 1);
      return T.mul(x, y);
    },
    [input([3, 4], 1)],
  );
  gradcheck(
    'squeeze and unsqueeze of a transposed view',
    (a) => T.unsqueeze(T.squeeze(T.transpose(T.unsqueeze(a, 1), 0, 2), 1), 0),
    [input([2, 3], 1)],
  );
  gradcheck('pad', (a) => T.pad(a, [[1, 2]], 0.5), [input([2, 3], 1)]);
  gradcheck('contiguous of a transpose', (a) => T.contiguous(T.transpose(a, 0, 1)), [input([3, 2], 1)]);
});

test('where and maskedFill', () => {
  const cond = ints([1, 0, 1, 1, 0, 0], [2, 3]);
  gradcheck('where', (a, b) => T.where(cond, a, b), [input([2, 3], 1), input([3], 2)]);
  gradcheck('maskedFill', (a) => T.maskedFill(a, ints([0, 1, 0], [3]), -2), [input([2, 3], 1)]);
});

test('cross-entropy with label smoothing and an ignore index', () => {
  const targets = ints([1, 4, -100, 0, 2, 3], [2, 3]);
  gradcheck('crossEntropy', (x) => T.crossEntropy(x, targets), [input([2, 3, 5], 1)]);
  gradcheck('crossEntropy smoothed', (x) => T.crossEntropy(x, targets, { labelSmoothing: 0.1 }), [input([2, 3, 5], 1)]);
  gradcheck('crossEntropy sum', (x) => T.crossEntropy(x, targets, { labelSmoothing: 0.2, reduction: 'sum' }), [
    input([2, 3, 5], 1),
  ]);
  gradcheck(
    'crossEntropy none',
    (x) => T.crossEntropy(x, ints([1, 4, 0, 0, 2, 3], [2, 3]), { reduction: 'none', ignoreIndex: 0 }),
    [input([2, 3, 5], 1)],
  );
});

test('scaled dot-product attention: masks, causal, dropout', () => {
  const qkv = (tq: number, tk: number): Tensor[] => [
    input([2, 2, tq, 3], 1),
    input([2, 2, tk, 3], 2),
    input([2, 2, tk, 4], 3),
  ];
  gradcheck('attention', (q, k, v) => T.scaledDotProductAttention(q, k, v), qkv(3, 4));
  gradcheck('attention causal', (q, k, v) => T.scaledDotProductAttention(q, k, v, { causal: true }), qkv(4, 4));
  gradcheck('attention causal cached', (q, k, v) => T.scaledDotProductAttention(q, k, v, { causal: true }), qkv(2, 5));
  const padding = ints([1, 1, 1, 0, 1, 1, 0, 0], [2, 1, 1, 4]);
  gradcheck('attention padding mask', (q, k, v) => T.scaledDotProductAttention(q, k, v, { mask: padding }), qkv(3, 4));
  const additive = input([3, 4], 4);
  additive.requireGrad(false);
  gradcheck(
    'attention additive mask',
    (q, k, v) => T.scaledDotProductAttention(q, k, v, { mask: additive }),
    qkv(3, 4),
  );
  gradcheck(
    'attention dropout',
    (q, k, v) => T.scaledDotProductAttention(q, k, v, { dropout: 0.25, generator: new Generator(3) }),
    qkv(3, 4),
  );
});
