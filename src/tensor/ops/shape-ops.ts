// Views and copies that change shape: reshape, permute/transpose, slice, broadcast, contiguous,
// concat, split, pad. Views share storage; their gradients are views or scatters of g.

import { record } from '../autograd.js';
import { broadcastShapes, denseStrides, formatShape, normAxis, sameShape, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { broadcastStrides, denseCopyIfNeeded, full, kernels, stridedData, sumToShape } from './util.js';

/** A dense copy (or t itself when already dense). */
export function contiguous(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  return record(denseCopyIfNeeded(t), 'contiguous', [t], (g) => [g]);
}

/** Same elements, new shape (one dimension may be -1). A view when t is dense. */
export function reshape(t: Tensor, shape: Shape): Tensor {
  const resolved = resolveShape(shape, t.size, t.shape);
  const source = contiguous(t);
  const out = source.view(resolved, denseStrides(resolved), source.offset);
  return record(out, 'reshape', [source], (g) => [reshape(g, source.shape)]);
}

function resolveShape(shape: Shape, size: number, from: Shape): number[] {
  const inferred = shape.indexOf(-1);
  const known = sizeOf(shape.filter((d) => d !== -1));
  const out = [...shape];
  if (inferred >= 0 && known > 0 && size % known === 0) out[inferred] = size / known;
  if (shape.filter((d) => d === -1).length > 1 || sizeOf(out) !== size || out.some((d) => d < 0)) {
    throw new RangeError(`cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(shape)}`);
  }
  return out;
}

/** The axes reordered: out.shape[i] = t.shape[axes[i]]. */
export function permute(t: Tensor, axes: readonly number[]): Tensor {
  const norm = axes.map((a) => normAxis(a, t.rank));
  if (norm.length !== t.rank || new Set(norm).size !== t.rank) {
    throw new RangeError(`permute: ${formatShape(axes)} is not a permutation of ${t.rank} axes`);
  }
  const out = t.view(
    norm.map((a) => t.shape[a]),
    norm.map((a) => t.strides[a]),
    t.offset,
  );
  const inverse = new Array<number>(t.rank);
  norm.forEach((a, i) => (inverse[a] = i));
  return record(out, 'permute', [t], (g) => [permute(g, inverse)]);
}

/** Swaps two axes (by default the last two). */
export function transpose(t: Tensor, a = -2, b = -1): Tensor {
  const axes = Array.from({ length: t.rank }, (_, i) => i);
  const [x, y] = [normAxis(a, t.rank), normAxis(b, t.rank)];
  [axes[x], axes[y]] = [axes[y], axes[x]];
  return permute(t, axes);
}

/** Elements start <= i < end along one axis, as a view. Negative bounds count from the end. */
export function slice(t: Tensor, axis: number, start: number, end?: number): Tensor {
  const ax = normAxis(axis, t.rank);
  const n = t.shape[ax];
  const from = start < 0 ? start + n : start;
  const to = end === undefined ? n : end < 0 ? end + n : end;
  if (!(from >= 0 && from <= to && to <= n)) {
    throw new RangeError(`slice [${start}, ${end ?? n}) is out of range for axis ${axis} of size ${n}`);
  }
  const shape = [...t.shape];
  shape[ax] = to - from;
  const out = t.view(shape, t.strides, t.offset + from * t.strides[ax]);
  return record(out, 'slice', [t], (g) => [padAxis(g, ax, from, n - to, 0)]);
}

/** A view of t repeated along broadcast axes (stride 0); nothing is copied. */
export function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (!sameShape(broadcastShapes(t.shape, shape), shape)) {
    throw new RangeError(`cannot broadcast ${formatShape(t.shape)} to ${formatShape(shape)}`);
  }
  if (sameShape(t.shape, shape)) return t;
  const out = t.view(shape, Array.from(broadcastStrides(t, shape)), t.offset);
  return record(out, 'broadcastTo', [t], (g) => [sumToShape(g, t.shape)]);
}

/** Inserts an axis of size 1: always a view, whatever t's strides. */
export function unsqueeze(t: Tensor, axis: number): Tensor {
  const ax = normAxis(axis, t.rank + 1);
  const shape = [...t.shape];
  const strides = [...t.strides];
  shape.splice(ax, 0, 1);
  strides.splice(ax, 0, 0);
  return record(t.view(shape, strides, t.offset), 'unsqueeze', [t], (g) => [squeeze(g, ax)]);
}

/** Removes an axis of size 1: always a view, whatever t's strides. */
export function squeeze(t: Tensor, axis: number): Tensor {
  const ax = normAxis(axis, t.rank);
  if (t.shape[ax] !== 1) throw new RangeError(`squeeze: axis ${axis} has size ${t.shape[ax]}, not 1`);
  const keep = (_: number, i: number) => i !== ax;
  const out = t.view(t.shape.filter(keep), t.strides.filter(keep), t.offset);
  return record(out, 'squeeze', [t], (g) => [unsqueeze(g, ax)]);
}

/**
 * Copies src into the region of dst that starts at `starts` (dst dense, same rank), in place and
 * recording nothing: how a decoding cache that does not move takes each step's keys and values.
 */
export function copyInto(dst: Tensor, src: Tensor, starts: readonly number[]): void {
  let offset = 0;
  starts.forEach((s, i) => (offset += s * dst.strides[i]));
  const region = dst.dense().subarray(offset);
  kernels(dst).copy(
    region,
    Int32Array.from(dst.strides),
    stridedData(src),
    Int32Array.from(src.strides),
    Int32Array.from(src.shape),
    false,
  );
}

/** The tensors joined along an axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('concat needs at least one tensor');
  const first = tensors[0];
  const ax = normAxis(axis, first.rank);
  for (const t of tensors) {
    const same =
      t.rank === first.rank && t.dtype === first.dtype && t.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!same) throw new RangeError(`concat: ${t} does not match ${first} outside axis ${axis}`);
  }
  const shape = [...first.shape];
  shape[ax] = tensors.reduce((n, t) => n + t.shape[ax], 0);
  const out = Tensor.empty(shape, first.dtype);
  const starts = new Array<number>(first.rank).fill(0);
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(starts[ax]);
    copyInto(out, t, starts);
    starts[ax] += t.shape[ax];
  }
  return record(out, 'concat', tensors, (g) =>
    tensors.map((t, i) => slice(g, ax, offsets[i], offsets[i] + t.shape[ax])),
  );
}

/** Splits along an axis into pieces of the given sizes (or equal pieces of size `sizes`), as views. */
export function split(t: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const ax = normAxis(axis, t.rank);
  const n = t.shape[ax];
  const list =
    typeof sizes === 'number'
      ? Array.from({ length: Math.ceil(n / sizes) }, (_, i) => Math.min(sizes, n - i * sizes))
      : sizes;
  if (list.reduce((a, b) => a + b, 0) !== n || list.some((s) => !(s >= 0))) {
    throw new RangeError(`split: sizes ${formatShape(list)} do not add up to ${n} along axis ${axis}`);
  }
  let start = 0;
  return list.map((s) => slice(t, ax, start, (start += s)));
}

function padAxis(t: Tensor, axis: number, before: number, after: number, value: number): Tensor {
  const widths: [number, number][] = t.shape.map(() => [0, 0]);
  widths[axis] = [before, after];
  return padWith(t, widths, value);
}

/**
 * Pads with a constant. widths gives [before, after] for the last widths.length axes, in axis order
 * (torch.nn.functional.pad lists the same pairs starting from the last axis).
 */
export function pad(t: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor {
  if (widths.length > t.rank) throw new RangeError(`pad: ${widths.length} widths for a tensor of rank ${t.rank}`);
  const full: [number, number][] = t.shape.map(() => [0, 0]);
  widths.forEach((w, i) => (full[t.rank - widths.length + i] = [w[0], w[1]]));
  return padWith(t, full, value);
}

function padWith(t: Tensor, widths: readonly (readonly [number, number])[], value: number): Tensor {
  if (widths.some(([b, a]) => !Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0)) {
    throw new RangeError('pad: widths must be non-negative integers');
  }
  const out = full(
    t.shape.map((d, i) => d + widths[i][0] + widths[i][1]),
    value,
    t.dtype,
  );
  copyInto(
    out,
    t,
    widths.map((w) => w[0]),
  );
  return record(out, 'pad', [t], (g) => {
    let inner = g;
    widths.forEach(([b], i) => (inner = slice(inner, i, b, b + t.shape[i])));
    return [inner];
  });
}
