// The int8 inference kernels in plain loops: the specification of int8-contract.ts that the native and
// wasm kernels must match bit for bit.

import { INT8_GROUP, INT8_PANEL, int8PaddedK } from '../int8-contract.js';

const f32 = Math.fround;
/** 1.5 * 2^23: adding and subtracting it rounds a float32 of magnitude below 2^22 to an integer, ties to even. */
const ROUNDER = 12582912;

/** roundEven(clamp(v, -127, 127)), and 0 for NaN: one value of quantizeInt8. */
export function quantizeValue(v: number): number {
  if (!(v === v)) return 0;
  const clamped = v > 127 ? 127 : v < -127 ? -127 : v;
  return f32(f32(clamped + ROUNDER) - ROUNDER);
}

/** The scale of one row: f32(max |x| / 127); a NaN is skipped as the C++ comparison skips it. */
function rowScale(x: Float32Array, start: number, K: number): number {
  let amax = 0;
  for (let k = 0; k < K; k++) {
    const a = Math.abs(x[start + k]);
    if (a > amax) amax = a;
  }
  return f32(amax / 127);
}

export function quantizeInt8(rows: number, K: number, x: Float32Array, q: Int8Array, scales: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const s = rowScale(x, r * K, K);
    scales[r] = s;
    for (let k = 0; k < K; k++) q[r * K + k] = s === 0 ? 0 : quantizeValue(f32(x[r * K + k] / s));
  }
}

export function packInt8(N: number, K: number, q: Int8Array, packed: Int8Array, sums: Int32Array): void {
  const groups = int8PaddedK(K) / INT8_GROUP;
  const panels = Math.ceil(N / INT8_PANEL);
  for (let p = 0; p < panels; p++)
    for (let g = 0; g < groups; g++)
      for (let jj = 0; jj < INT8_PANEL; jj++)
        for (let t = 0; t < INT8_GROUP; t++) {
          const j = p * INT8_PANEL + jj,
            k = g * INT8_GROUP + t;
          packed[((p * groups + g) * INT8_PANEL + jj) * INT8_GROUP + t] = j < N && k < K ? q[j * K + k] : 0;
        }
  for (let j = 0; j < N; j++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += q[j * K + k];
    sums[j] = sum;
  }
}

export function gemmInt8(
  M: number,
  N: number,
  K: number,
  x: Float32Array,
  packed: Int8Array,
  scales: Float32Array,
  _sums: Int32Array,
  bias: Float32Array | null,
  y: Float32Array,
): void {
  const groups = int8PaddedK(K) / INT8_GROUP;
  const xq = new Int8Array(K);
  const sx = new Float32Array(1);
  for (let m = 0; m < M; m++) {
    quantizeInt8(1, K, x.subarray(m * K, (m + 1) * K), xq, sx);
    for (let n = 0; n < N; n++) {
      const panel = Math.floor(n / INT8_PANEL) * groups;
      const lane = n % INT8_PANEL;
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const g = Math.floor(k / INT8_GROUP);
        acc += xq[k] * packed[((panel + g) * INT8_PANEL + lane) * INT8_GROUP + (k % INT8_GROUP)];
      }
      const v = f32(f32(acc) * f32(sx[0] * scales[n]));
      y[m * N + n] = bias === null ? v : f32(v + bias[n]);
    }
  }
}
