// Elementwise unary functions f and their derivatives, side by side (dx = dy * f'(x)).

import { UnaryOp } from '../backend.js';
import type { FloatArray } from '../backend.js';
import { erfc } from './erf.js';

const INV_SQRT_2PI = 0.3989422804014327; // 1 / sqrt(2 pi)

/** Standard normal CDF; erfc keeps it accurate in the far left tail, where 1 + erf cancels. */
function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/** 1 / (1 + e^-x), never evaluating e^t for large positive t (which would overflow to Infinity). */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function forward(op: UnaryOp, x: number, alpha: number): number {
  switch (op) {
    case UnaryOp.Neg:
      return -x;
    case UnaryOp.Exp:
      return Math.exp(x);
    case UnaryOp.Log:
      return Math.log(x);
    case UnaryOp.Sqrt:
      return Math.sqrt(x);
    case UnaryOp.Tanh:
      return Math.tanh(x);
    case UnaryOp.Sigmoid:
      return sigmoid(x);
    case UnaryOp.Relu:
      return x > 0 ? x : 0;
    case UnaryOp.Gelu:
      return x * normalCdf(x);
    case UnaryOp.Swish:
      return x * sigmoid(x);
    case UnaryOp.Pow:
      return x ** alpha;
    case UnaryOp.Scale:
      return x * alpha;
    case UnaryOp.AddScalar:
      return x + alpha;
    default:
      throw new RangeError(`unknown unary op ${op as number}`);
  }
}

/** f'(x), given x and y = f(x). */
function derivative(op: UnaryOp, x: number, y: number, alpha: number): number {
  switch (op) {
    case UnaryOp.Neg:
      return -1;
    case UnaryOp.Exp:
      return y;
    case UnaryOp.Log:
      return 1 / x;
    case UnaryOp.Sqrt:
      return 0.5 / y;
    case UnaryOp.Tanh:
      return 1 - y * y;
    case UnaryOp.Sigmoid:
      return y * (1 - y);
    case UnaryOp.Relu:
      return x > 0 ? 1 : 0; // PyTorch's choice at x = 0
    case UnaryOp.Gelu:
      return normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case UnaryOp.Swish: {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case UnaryOp.Pow:
      // As PyTorch: exponent 0 has derivative 0 everywhere (not 0 * x^-1, which is NaN at 0).
      return alpha === 0 ? 0 : alpha * x ** (alpha - 1);
    case UnaryOp.Scale:
      return alpha;
    case UnaryOp.AddScalar:
      return 1;
    default:
      throw new RangeError(`unknown unary op ${op as number}`);
  }
}

/** out[i] = f(x[i]) for i < n; out may be x. */
export function unary(op: UnaryOp, out: FloatArray, x: FloatArray, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) out[i] = forward(op, x[i], alpha);
}

/** dx[i] = dy[i] * f'(x[i]) for i < n. */
export function unaryBackward(
  op: UnaryOp,
  dx: FloatArray,
  x: FloatArray,
  y: FloatArray,
  dy: FloatArray,
  n: number,
  alpha: number,
): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i] * derivative(op, x[i], y[i], alpha);
}
