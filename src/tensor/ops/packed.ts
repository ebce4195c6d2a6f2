// Products with a weight packed once (Backend.packPanels / gemmPacked): decoding multiplies a few rows
// by the same Linear weights at every step, and reads them panel by panel without repacking. Inference
// only: nothing is recorded for backward.

import { packedSize } from '../../backend/decoding-kernels.js';
import { isGradEnabled } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { contiguous } from './shape-ops.js';
import { assertFloat, kernels } from './util.js';

/** A weight W (N, K) as packPanels lays it out for x W^T. */
export interface PackedWeight {
  readonly packed: Tensor; // (packedSize(K, N))
  readonly N: number;
  readonly K: number;
}

/** Packs w (N, K), stored as a Linear weight (out, in), for matmulPacked. The caller owns the result. */
export function packWeight(w: Tensor): PackedWeight {
  assertFloat(w, 'packWeight', 'w');
  if (w.rank !== 2) throw new RangeError(`packWeight takes a (N, K) weight, got ${w}`);
  const [N, K] = w.shape;
  const packed = Tensor.empty([packedSize(K, N)], w.dtype);
  kernels(w).packPanels(true, K, N, contiguous(w).floats(), packed.floats());
  return { packed, N, K };
}

/** x (..., K) -> x W^T (+ bias (N)) (..., N) on the packed weight; x must not need a gradient. */
export function matmulPacked(x: Tensor, w: PackedWeight, bias: Tensor | null = null): Tensor {
  assertFloat(x, 'matmulPacked', 'x');
  if (x.dtype !== w.packed.dtype) throw new TypeError(`matmulPacked: x is ${x.dtype}, the weight ${w.packed.dtype}`);
  if (x.shape.at(-1) !== w.K) throw new RangeError(`matmulPacked: ${x} does not end in K = ${w.K}`);
  if (isGradEnabled() && x.requiresGrad) throw new Error('matmulPacked records no gradient; call it under noGrad');
  if (bias !== null && (bias.dtype !== x.dtype || bias.rank !== 1 || bias.shape[0] !== w.N))
    throw new RangeError(`matmulPacked: the bias must be (${w.N}) ${x.dtype}, got ${bias}`);
  const rows = x.size / w.K;
  const out = Tensor.empty([...x.shape.slice(0, -1), w.N], x.dtype);
  kernels(x).gemmPacked(
    rows,
    w.N,
    w.K,
    contiguous(x).floats(),
    w.packed.floats(),
    out.floats(),
    bias === null ? null : contiguous(bias).floats(),
  );
  return out;
}
