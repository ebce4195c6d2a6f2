// Reductions over axes: sum, mean, max; and sumTo, the gradient of broadcasting.

import { ReduceOp } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { denseStrides, formatShape, normAxes, normAxis, sameShape, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { broadcastTo, reshape } from './shape-ops.js';
import { assertFloat, denseCopyIfNeeded, kernels, reduceAxis } from './util.js';
import { mulScalar } from './elementwise.js';

function reducedShape(shape: Shape, axes: readonly number[], keepDim: boolean): number[] {
  return keepDim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Sum over axes (all by default). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  assertFloat(x, 'sum');
  const list = normAxes(axes, x.rank);
  let acc = denseCopyIfNeeded(x);
  for (const axis of [...list].reverse()) {
    const next = reduceAxis(acc, axis, ReduceOp.Sum);
    if (acc !== x) acc.dispose();
    acc = next;
  }
  const keptShape = reducedShape(x.shape, list, true);
  const out = acc === x ? Tensor.empty(x.shape, x.dtype) : acc;
  if (acc === x)
    kernels(x).copy(out.dense(), Int32Array.of(1), x.dense(), Int32Array.of(1), Int32Array.of(x.size), false);
  const result = out.view(
    reducedShape(x.shape, list, keepDim),
    denseStrides(reducedShape(x.shape, list, keepDim)),
    out.offset,
  );
  return record(result, 'sum', [x], (g) => [broadcastTo(reshape(g, keptShape), x.shape)]);
}

/** The mean over the given axes (all by default). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  const list = normAxes(axes, x.rank);
  const count = sizeOf(list.map((a) => x.shape[a]));
  return mulScalar(sum(x, list, keepDim), 1 / count);
}

/** Maximum along one axis; the gradient goes to the first maximal element. */
export function max(x: Tensor, axis: number, keepDim = false): Tensor {
  assertFloat(x, 'max');
  const ax = normAxis(axis, x.rank);
  const dense = denseCopyIfNeeded(x);
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const argmax = new Int32Array(outer * inner);
  const kept = reduceAxis(dense, ax, ReduceOp.Max, argmax);
  const shape = reducedShape(x.shape, [ax], keepDim);
  const out = kept.view(shape, denseStrides(shape), kept.offset);
  return record(out, 'max', [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    const dy = denseCopyIfNeeded(g);
    kernels(x).maxBackward(dx.floats(), dy.floats(), argmax, outer, x.shape[ax], inner);
    return [dx];
  });
}

/** Sums g over the axes along which `shape` was broadcast to g's shape (the gradient of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) throw new RangeError(`sumTo: cannot reduce ${formatShape(g.shape)} to ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(sum(g, axes, true), shape);
}
