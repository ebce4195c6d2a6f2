// int8 inference products (Backend.quantizeInt8 / packInt8 / gemmInt8): a weight W (N, K), stored as a
// Linear weight (out, in), quantized once per output row to symmetric int8 with a float32 scale, then
// x W^T computed on int8 with int32 sums, x quantized per row as it comes. Inference only: nothing is
// recorded for backward.

import { int8PackedSize } from '../../backend/int8-contract.js';
import { isGradEnabled } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { contiguous } from './shape-ops.js';
import { assertFloat, kernels } from './util.js';

/** A weight W (N, K) quantized per row and packed for matmulInt8. */
export interface Int8Weight {
  readonly N: number;
  readonly K: number;
  /** (N, K) the int8 values, row-major: W[n, k] ~ q[n * K + k] * scales[n]. */
  readonly q: Int8Array;
  /** (N) the scale of each row, max |W[n, :]| / 127. */
  readonly scales: Float32Array;
  /** q in gemmInt8's panels (int8PackedSize(N, K) bytes). */
  readonly packed: Int8Array;
  /** (N) sum_k q[n, k], for kernels that multiply unsigned activations. */
  readonly sums: Int32Array;
}

/** Packs int8 values q (N, K) with their row scales, quantized earlier (an int8 model folder). */
export function packInt8Weight(q: Int8Array, scales: Float32Array, N: number, K: number): Int8Weight {
  if (q.length !== N * K || scales.length !== N)
    throw new RangeError(`packInt8Weight: ${q.length} values and ${scales.length} scales for (${N}, ${K})`);
  const packed = new Int8Array(int8PackedSize(N, K));
  const sums = new Int32Array(N);
  kernels('float32').packInt8(N, K, q, packed, sums);
  return { N, K, q, scales, packed, sums };
}

/** Quantizes a float32 weight w (N, K) per row to int8 and packs it. */
export function quantizeWeightInt8(w: Tensor): Int8Weight {
  assertFloat(w, 'quantizeWeightInt8', 'w');
  if (w.rank !== 2 || w.dtype !== 'float32')
    throw new RangeError(`quantizeWeightInt8 takes a float32 (N, K) weight, got ${w}`);
  const [N, K] = w.shape;
  const be = kernels(w);
  const q = new Int8Array(N * K);
  const scales = new Float32Array(N);
  be.quantizeInt8(N, K, contiguous(w).floats() as Float32Array, q, scales);
  const packed = new Int8Array(int8PackedSize(N, K));
  const sums = new Int32Array(N);
  be.packInt8(N, K, q, packed, sums);
  return { N, K, q, scales, packed, sums };
}

/** The float32 values the int8 weight stands for, (N, K): q[n, k] * scales[n]. */
export function dequantizeInt8(w: Int8Weight): Tensor {
  const out = new Float32Array(w.N * w.K);
  for (let n = 0; n < w.N; n++) for (let k = 0; k < w.K; k++) out[n * w.K + k] = w.q[n * w.K + k] * w.scales[n];
  return Tensor.from(out, [w.N, w.K]);
}

/** x (..., K) -> x W^T (+ bias) (..., N) on the int8 weight; x must not need a gradient. */
export function matmulInt8(x: Tensor, w: Int8Weight, bias: Tensor | null = null): Tensor {
  assertFloat(x, 'matmulInt8', 'x');
  if (x.dtype !== 'float32') throw new TypeError(`matmulInt8: x must be float32, got ${x.dtype}`);
  if (x.shape.at(-1) !== w.K) throw new RangeError(`matmulInt8: ${x} does not end in K = ${w.K}`);
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== w.N))
    throw new RangeError(`matmulInt8: bias ${bias} is not (${w.N})`);
  if (isGradEnabled() && x.requiresGrad) throw new Error('matmulInt8 records no gradient; call it under noGrad');
  const rows = x.size / w.K;
  const out = Tensor.empty([...x.shape.slice(0, -1), w.N], 'float32');
  const b = bias === null ? null : (contiguous(bias).floats() as Float32Array);
  kernels(x).gemmInt8(
    rows,
    w.N,
    w.K,
    contiguous(x).floats() as Float32Array,
    w.packed,
    w.scales,
    w.sums,
    b,
    out.floats() as Float32Array,
  );
  return out;
}
