// N-d strided iteration shared by the broadcasting kernels (binary, where, copy), and the copy kernel.

import type { DataArray } from '../backend.js';

/**
 * Walks a `shape`-shaped index space row by row (a row is the last axis). For each row calls
 * visit(n, offsets): n is the row's first element in a dense `shape` array, offsets[k] the row's
 * first element in operand k (read through strides[k]). The caller loops over the row itself with
 * `lastDim(shape)` and `lastStride(strides[k])`, so the per-element work stays a plain loop.
 */
export function forEachRow(
  shape: Int32Array,
  strides: readonly Int32Array[],
  visit: (n: number, offsets: readonly number[]) => void,
): void {
  const outer = shape.length - 1; // axes walked here; the last axis belongs to the caller
  const cols = lastDim(shape);
  let rows = 1;
  for (let d = 0; d < outer; d++) rows *= shape[d];
  if (rows === 0 || cols === 0) return;

  const index = new Int32Array(Math.max(outer, 0));
  const offsets: number[] = new Array<number>(strides.length).fill(0);
  for (let n = 0; n < rows * cols; n += cols) {
    visit(n, offsets);
    // Odometer step: bump the last outer axis; axes that wrap rewind their offsets and carry.
    for (let d = outer - 1; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < strides.length; k++) offsets[k] += strides[k][d];
      if (index[d] < shape[d]) break;
      index[d] = 0;
      for (let k = 0; k < strides.length; k++) offsets[k] -= strides[k][d] * shape[d];
    }
  }
}

/** Length of the last axis (1 for a scalar, rank 0). */
export function lastDim(shape: Int32Array): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1];
}

/** Stride of the last axis (0 for a scalar, rank 0). */
export function lastStride(strides: Int32Array): number {
  return strides.length === 0 ? 0 : strides[strides.length - 1];
}

/** dst[idx . dstStrides] (=, or += when accumulate) src[idx . srcStrides] over `shape`. */
export function copy(
  dst: DataArray,
  dstStrides: Int32Array,
  src: DataArray,
  srcStrides: Int32Array,
  shape: Int32Array,
  accumulate: boolean,
): void {
  const cols = lastDim(shape);
  const dStep = lastStride(dstStrides);
  const sStep = lastStride(srcStrides);
  forEachRow(shape, [dstStrides, srcStrides], (_n, [d0, s0]) => {
    for (let j = 0; j < cols; j++) {
      const value = src[s0 + j * sStep];
      if (accumulate) dst[d0 + j * dStep] += value;
      else dst[d0 + j * dStep] = value;
    }
  });
}
