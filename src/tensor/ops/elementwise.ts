// Element-wise ops with NumPy broadcasting: add, sub, mul, div; neg, exp, log, sqrt, pow, tanh,
// sigmoid, relu, gelu, swish; where and maskedFill. Forward and backward side by side.

import { BinaryOp, UnaryOp } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import {
  assertFloat,
  assertSameDType,
  broadcastStrides,
  denseCopyIfNeeded,
  kernels,
  scalar,
  stridedData,
  sumToShape,
} from './util.js';
import type { FloatArray } from '../../backend/backend.js';

type Operand = Tensor | number;

function asTensor(x: Operand, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(x, like.dtype) : x;
}

function binaryForward(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const out = Tensor.empty(shape, a.dtype);
  const dims = Int32Array.from(shape);
  kernels(a).binary(
    op,
    out.floats(),
    stridedData(a) as FloatArray,
    broadcastStrides(a, shape),
    stridedData(b) as FloatArray,
    broadcastStrides(b, shape),
    dims,
  );
  return out;
}

function binary(op: BinaryOp, name: string, x: Operand, y: Operand): [Tensor, Tensor, Tensor] {
  const a = typeof x === 'number' ? asTensor(x, y as Tensor) : x;
  const b = asTensor(y, a);
  assertFloat(a, name, 'first operand');
  assertFloat(b, name, 'second operand');
  assertSameDType(a, b, name);
  return [binaryForward(op, a, b), a, b];
}

/** x + y, broadcasting (either may be a number). */
export function add(x: Operand, y: Operand): Tensor {
  const [out, a, b] = binary(BinaryOp.Add, 'add', x, y);
  return record(out, 'add', [a, b], (g) => [sumToShape(g, a.shape), sumToShape(g, b.shape)]);
}

/** x - y, broadcasting (either may be a number). */
export function sub(x: Operand, y: Operand): Tensor {
  const [out, a, b] = binary(BinaryOp.Sub, 'sub', x, y);
  return record(out, 'sub', [a, b], (g) => [
    sumToShape(g, a.shape),
    b.requiresGrad ? sumToShape(neg(g), b.shape) : null,
  ]);
}

/** x * y, broadcasting (either may be a number). */
export function mul(x: Operand, y: Operand): Tensor {
  const [out, a, b] = binary(BinaryOp.Mul, 'mul', x, y);
  return record(out, 'mul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumToShape(mul(g, a), b.shape) : null,
  ]);
}

/** x / y, broadcasting (either may be a number). */
export function div(x: Operand, y: Operand): Tensor {
  const [out, a, b] = binary(BinaryOp.Div, 'div', x, y);
  return record(out, 'div', [a, b], (g) => [
    a.requiresGrad ? sumToShape(div(g, b), a.shape) : null,
    b.requiresGrad ? sumToShape(neg(div(mul(g, out), b)), b.shape) : null, // d(a/b)/db = -(a/b)/b
  ]);
}

function unary(op: UnaryOp, name: string, x: Tensor, alpha = 0): Tensor {
  assertFloat(x, name);
  const input = denseCopyIfNeeded(x);
  const out = Tensor.empty(x.shape, x.dtype);
  kernels(x).unary(op, out.floats(), input.floats(), x.size, alpha);
  return record(out, name, [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    const dy = denseCopyIfNeeded(g);
    kernels(x).unaryBackward(op, dx.floats(), input.floats(), out.floats(), dy.floats(), x.size, alpha);
    return [dx];
  });
}

/** -x. */
export const neg = (x: Tensor): Tensor => unary(UnaryOp.Neg, 'neg', x);
/** e^x, element by element. */
export const exp = (x: Tensor): Tensor => unary(UnaryOp.Exp, 'exp', x);
/** The natural logarithm, element by element. */
export const log = (x: Tensor): Tensor => unary(UnaryOp.Log, 'log', x);
/** The square root, element by element. */
export const sqrt = (x: Tensor): Tensor => unary(UnaryOp.Sqrt, 'sqrt', x);
/** The hyperbolic tangent, element by element. */
export const tanh = (x: Tensor): Tensor => unary(UnaryOp.Tanh, 'tanh', x);
/** 1 / (1 + e^-x). */
export const sigmoid = (x: Tensor): Tensor => unary(UnaryOp.Sigmoid, 'sigmoid', x);
/** max(x, 0). */
export const relu = (x: Tensor): Tensor => unary(UnaryOp.Relu, 'relu', x);
/** GELU, exact (erf) form, as torch.nn.functional.gelu. */
export const gelu = (x: Tensor): Tensor => unary(UnaryOp.Gelu, 'gelu', x);
/** Swish / SiLU: x * sigmoid(x). */
export const swish = (x: Tensor): Tensor => unary(UnaryOp.Swish, 'swish', x);
/** x^exponent, element by element. */
export const pow = (x: Tensor, exponent: number): Tensor => unary(UnaryOp.Pow, 'pow', x, exponent);
/** x * factor. */
export const mulScalar = (x: Tensor, factor: number): Tensor => unary(UnaryOp.Scale, 'mulScalar', x, factor);
/** x + addend. */
export const addScalar = (x: Tensor, addend: number): Tensor => unary(UnaryOp.AddScalar, 'addScalar', x, addend);

/** cond ? a : b element-wise; cond is an int32 tensor (non-zero = true); all three broadcast. */
export function where(cond: Tensor, x: Operand, y: Operand): Tensor {
  if (cond.dtype !== 'int32') throw new TypeError(`where: the condition must be an int32 tensor, got ${cond.dtype}`);
  const like = typeof x === 'number' ? (typeof y === 'number' ? scalar(0) : y) : x;
  const a = asTensor(x, like);
  const b = asTensor(y, like);
  assertFloat(a, 'where', 'first value');
  assertSameDType(a, b, 'where');
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
  const out = Tensor.empty(shape, a.dtype);
  const c = stridedData(cond) as Int32Array;
  const cStrides = broadcastStrides(cond, shape);
  kernels(a).where(
    out.floats(),
    c,
    cStrides,
    stridedData(a) as FloatArray,
    broadcastStrides(a, shape),
    stridedData(b) as FloatArray,
    broadcastStrides(b, shape),
    Int32Array.from(shape),
  );
  return record(out, 'where', [a, b], (g) => {
    const zero = scalar(0, g.dtype);
    return [
      a.requiresGrad ? sumToShape(where(cond, g, zero), a.shape) : null,
      b.requiresGrad ? sumToShape(where(cond, zero, g), b.shape) : null,
    ];
  });
}

/** x with `value` wherever mask (int32, broadcast to x) is non-zero: torch.Tensor.masked_fill. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}
