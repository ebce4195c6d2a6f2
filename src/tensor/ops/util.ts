// Small helpers the op files share: kernel lookup, strided operands, dense copies, scalars.

import type { Backend, DataArray } from '../../backend/backend.js';
import { backendFor } from '../../backend/registry.js';
import { denseStrides, formatShape, type Shape } from '../shape.js';
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

export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return full(shape, 0, dtype);
}

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
