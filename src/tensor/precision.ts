// Mixed precision, as autocast does it: inside withPrecision('bf16', fn) every float32 matmul, forward and
// backward, multiplies bf16 operands with float32 sums (Backend.gemmBf16), while everything else (softmax,
// layer norm, reductions, the loss, the optimizer and the float32 master weights) stays float32. The
// model does not change: the trainer, the translator or the server sets the precision around its work.

import type { Tensor } from './tensor.js';
import { kernels } from './ops/util.js';

/** The number formats of matrix products: float32, or bf16 operands with float32 sums. */
export type Precision = 'float32' | 'bf16';
/** Every Precision, for parsing settings. */
export const PRECISIONS: readonly Precision[] = ['float32', 'bf16'];

let current: Precision = 'float32';
/** Parameters cast to bf16 in the current scope; each is cast once per scope, then reused. */
let castInScope: Set<Tensor> | null = null;
/** The bf16 copy of each parameter, kept across scopes so that steady-state training allocates nothing. */
const copies = new WeakMap<Tensor, Uint16Array>();

/** The precision of matrix products now. */
export function matmulPrecision(): Precision {
  return current;
}

/**
 * Runs fn with matrix products in `precision`. A parameter (a kept tensor) is cast to bf16 at its first
 * product in the scope and the copy reused until the scope ends, so wrap exactly the work during which
 * the weights do not change: one update's forward and backward passes (the optimizer steps after it),
 * or a whole translation.
 */
export function withPrecision<T>(precision: Precision, fn: () => T): T {
  const saved = { current, castInScope };
  current = precision;
  castInScope = precision === 'bf16' ? (castInScope ?? new Set()) : null;
  try {
    return fn();
  } finally {
    ({ current, castInScope } = saved);
  }
}

/**
 * The bf16 bits of a dense float32 parameter, cast once per withPrecision scope; null for anything else
 * (activations are rounded by the kernel as it packs them).
 */
export function bf16Copy(t: Tensor): Uint16Array | null {
  if (castInScope === null || !t.kept || t.dtype !== 'float32' || !t.isContiguous()) return null;
  let copy = copies.get(t);
  if (castInScope.has(t) && copy !== undefined) return copy;
  if (copy === undefined || copy.length !== t.size) {
    copy = new Uint16Array(t.size);
    copies.set(t, copy);
  }
  kernels(t).castBf16(copy, t.floats() as Float32Array, t.size);
  castInScope.add(t);
  return copy;
}
