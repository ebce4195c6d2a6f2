// Small helpers the op files share: kernel lookup, strided operands, dense copies, scalars, and the
// gradient of broadcasting.

import { ReduceOp, type Backend, type DataArray } from '../../backend/backend.js';
import { backendFor } from '../../backend/registry.js';
import { broadcastShapes, denseStrides, formatShape, sameShape, sizeOf, type Shape } from '../shape.js';
import { Tensor, type DType } from '../tensor.js';

export function kernels(t: Tensor | DType): Backend {
  return backendFor(typeof t === 'string' ? t : t.dtype);
}

/** The storage from the tensor's first element on, for kernels that take explicit strides. */
export function stridedData(t: Tensor): DataArray {
  return t.storage.data.subarray(t.offset);
}

/** Strides of t viewed with shape `shape` (t broadcast to it; missing leading axes broadcast). */
export function broadcastStrides(t: Tensor, shape: Shape): Int32Array {
  const out = new Int32Array(shape.length);
  const lead = shape.length - t.rank;
  for (let i = 0; i < t.rank; i++) out[lead + i] = t.shape[i] === 1 ? 0 : t.strides[i];
  return out;
}

/** t itself when its elements are dense, else a dense copy (no graph: callers record their own). */
export function denseCopyIfNeeded(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = Tensor.empty(t.shape, t.dtype);
  kernels(t).copy(
    out.dense(),
    Int32Array.from(denseStrides(t.shape)),
    stridedData(t),
    Int32Array.from(t.strides),
    Int32Array.from(t.shape),
    false,
  );
  return out;
}

/** Reduces one axis of a dense tensor with keepDim semantics (the axis becomes 1). No graph. */
export function reduceAxis(x: Tensor, axis: number, op: ReduceOp, argmax: Int32Array | null = null): Tensor {
  const shape = [...x.shape];
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const size = shape[axis];
  shape[axis] = 1;
  const out = Tensor.empty(shape, x.dtype);
  kernels(x).reduce(op, out.floats(), argmax, x.floats(), outer, size, inner);
  return out;
}

/**
 * g summed over the axes along which `shape` was broadcast to g's shape: the gradient of
 * broadcasting, for backward closures. It records no graph (backward runs under noGrad), so the op
 * files need not import each other's recorded ops: sum's gradient is a broadcast and broadcasting's
 * gradient is a sum, which would otherwise make a cycle.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  if (shape.length > g.rank || !sameShape(broadcastShapes(shape, g.shape), g.shape))
    throw new RangeError(`sumTo: cannot reduce ${formatShape(g.shape)} to ${formatShape(shape)}`);
  const lead = g.rank - shape.length;
  let acc = denseCopyIfNeeded(g);
  // Innermost axis first, as sum() does, so both give the same floats.
  for (let axis = g.rank - 1; axis >= 0; axis--) {
    if (axis >= lead && (shape[axis - lead] !== 1 || g.shape[axis] === 1)) continue;
    const next = reduceAxis(acc, axis, ReduceOp.Sum);
    if (acc !== g) acc.dispose();
    acc = next;
  }
  return acc.view(shape, denseStrides(shape), acc.offset);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return full(shape, 0, dtype);
}

/** A tensor of the shape filled with value. */
export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  const t = Tensor.empty(shape, dtype);
  kernels(dtype).fill(t.dense(), value, t.size);
  return t;
}

/** A rank-0 tensor holding a number, in the given dtype. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return full([], value, dtype);
}

export function assertFloat(t: Tensor, op: string, what = 'input'): void {
  if (t.dtype === 'int32')
    throw new TypeError(`${op}: ${what} must be a float tensor, got int32 ${formatShape(t.shape)}`);
}

export function assertSameDType(a: Tensor, b: Tensor, op: string): void {
  if (a.dtype !== b.dtype) throw new TypeError(`${op}: operands have different dtypes (${a.dtype} and ${b.dtype})`);
}
