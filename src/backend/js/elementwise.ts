// Broadcasting elementwise kernels (binary, where) and the dense helpers fill and axpy.

import { BinaryOp } from '../backend.js';
import type { DataArray, FloatArray } from '../backend.js';
import { forEachRow, lastDim, lastStride } from './strided.js';

function binaryFunction(op: BinaryOp): (x: number, y: number) => number {
  switch (op) {
    case BinaryOp.Add:
      return (x, y) => x + y;
    case BinaryOp.Sub:
      return (x, y) => x - y;
    case BinaryOp.Mul:
      return (x, y) => x * y;
    case BinaryOp.Div:
      return (x, y) => x / y;
    default:
      throw new RangeError(`unknown binary op ${op as number}`);
  }
}

/** out (dense, `shape`) = a op b, each read through its own strides (0 = broadcast). */
export function binary(
  op: BinaryOp,
  out: FloatArray,
  a: FloatArray,
  aStrides: Int32Array,
  b: FloatArray,
  bStrides: Int32Array,
  shape: Int32Array,
): void {
  const f = binaryFunction(op);
  const cols = lastDim(shape);
  const aStep = lastStride(aStrides);
  const bStep = lastStride(bStrides);
  forEachRow(shape, [aStrides, bStrides], (n, [a0, b0]) => {
    for (let j = 0; j < cols; j++) out[n + j] = f(a[a0 + j * aStep], b[b0 + j * bStep]);
  });
}

/** out (dense, `shape`) = cond != 0 ? a : b, each read through its own strides. */
export function where(
  out: FloatArray,
  cond: Int32Array,
  condStrides: Int32Array,
  a: FloatArray,
  aStrides: Int32Array,
  b: FloatArray,
  bStrides: Int32Array,
  shape: Int32Array,
): void {
  const cols = lastDim(shape);
  const cStep = lastStride(condStrides);
  const aStep = lastStride(aStrides);
  const bStep = lastStride(bStrides);
  forEachRow(shape, [condStrides, aStrides, bStrides], (n, [c0, a0, b0]) => {
    for (let j = 0; j < cols; j++) {
      out[n + j] = cond[c0 + j * cStep] !== 0 ? a[a0 + j * aStep] : b[b0 + j * bStep];
    }
  });
}

/** out[i] = value for i < n. */
export function fill(out: DataArray, value: number, n: number): void {
  out.fill(value, 0, n);
}

/** y[i] += alpha * x[i] for i < n. */
export function axpy(y: FloatArray, x: FloatArray, alpha: number, n: number): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}
