// The int8 inference kernels of the contract (merged into the Backend interface of backend.ts by the
// declaration below, as decoding-kernels.ts does): weights quantized per row (per output
// feature) to symmetric int8 with a float32 scale, activations quantized per row as they are multiplied,
// products of int8 with int32 sums. Layout and rounding are defined here so that every backend computes
// the same integers; docs/int8.md describes the format.

/** Output columns per panel of packed int8 weights. */
export const INT8_PANEL = 16;
/** Consecutive k that one 32-bit lane of a packed panel holds (vpdpbusd multiplies four bytes at once). */
export const INT8_GROUP = 4;

/** K rounded up to whole groups: the length of a packed panel's rows. */
export function int8PaddedK(K: number): number {
  return Math.ceil(K / INT8_GROUP) * INT8_GROUP;
}

/** Bytes of the packed panels of an N x K weight. */
export function int8PackedSize(N: number, K: number): number {
  return Math.ceil(N / INT8_PANEL) * INT8_PANEL * int8PaddedK(K);
}

declare module './backend.js' {
  interface Backend {
    /**
     * Per-row symmetric quantization of x (rows x K, float32): for each row r,
     *   scales[r] = f32(max_k |x[r, k]| / 127)
     *   q[r, k] = clamp(roundEven(f32(x[r, k] / scales[r])), -127, 127), and 0 where scales[r] is 0 or x is NaN.
     * f32 is rounding to float32, roundEven rounds to the nearest integer, ties to even.
     */
    quantizeInt8(rows: number, K: number, x: Float32Array, q: Int8Array, scales: Float32Array): void;

    /**
     * Packs the int8 weight q (N x K, a Linear weight's layout) for gemmInt8: panels of INT8_PANEL rows of
     * q, each a sequence of groups of INT8_GROUP columns, with q[j][k] at
     *   packed[((p * Kp / 4 + floor(k / 4)) * 16 + (j - 16 p)) * 4 + k % 4]     (p = floor(j / 16), Kp = int8PaddedK(K))
     * zero-padded to whole panels and groups (int8PackedSize(N, K) bytes); sums[j] = sum_k q[j][k].
     */
    packInt8(N: number, K: number, q: Int8Array, packed: Int8Array, sums: Int32Array): void;

    /**
     * y (M x N) = x (M x K) W^T (+ bias) with W = diag(scales) q, q packed by packInt8: each row of x is
     * quantized as quantizeInt8 does (scale sx[m], values xq[m, k]), then
     *   acc[m, n] = sum_k xq[m, k] q[n, k]                   (int32, exact)
     *   y[m, n] = f32(f32(acc[m, n]) * f32(sx[m] * scales[n])) (+ bias[n], one float32 addition)
     * sums is packInt8's: a kernel may multiply xq + 128 as unsigned bytes and subtract 128 sums[n].
     */
    gemmInt8(
      M: number,
      N: number,
      K: number,
      x: Float32Array,
      packed: Int8Array,
      scales: Float32Array,
      sums: Int32Array,
      bias: Float32Array | null,
      y: Float32Array,
    ): void;
  }
}
