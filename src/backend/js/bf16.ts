// bfloat16 (bf16): the high 16 bits of a float32, 8 significant bits. The reference of gemmBf16 and
// castBf16: operands rounded to bf16, products exact in float32, sums accumulated in float32.

import type { Bf16Operand } from '../bf16-contract.js';

const word = new Float32Array(1);
const bits = new Uint32Array(word.buffer);

/**
 * The bf16 bits of x, rounded to nearest even as AVX512-BF16's vcvtneps2bf16 rounds: subnormals become
 * signed zero and NaN stays a (quiet) NaN.
 */
export function toBf16(x: number): number {
  word[0] = x;
  const u = bits[0];
  if ((u & 0x7f800000) === 0) return (u >>> 16) & 0x8000;
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The value of bf16 bits; subnormals read as signed zero, as vdpbf16ps reads them. */
export function fromBf16(h: number): number {
  bits[0] = (h & 0x7f80) === 0 ? (h & 0x8000) << 16 : h << 16;
  return word[0];
}

/** The float32 values of an operand after rounding to bf16, as a new array. */
function roundedValues(x: Bf16Operand): Float32Array {
  const out = new Float32Array(x.length);
  if (x instanceof Uint16Array) for (let i = 0; i < x.length; i++) out[i] = fromBf16(x[i]);
  else for (let i = 0; i < x.length; i++) out[i] = fromBf16(toBf16(x[i]));
  return out;
}

export function gemmBf16(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  a: Bf16Operand,
  strideA: number,
  b: Bf16Operand,
  strideB: number,
  beta: number,
  c: Float32Array,
  strideC: number,
  batch: number,
): void {
  const ra = roundedValues(a);
  const rb = roundedValues(b);
  for (let batchIndex = 0; batchIndex < batch; batchIndex++) {
    const a0 = batchIndex * strideA;
    const b0 = batchIndex * strideB;
    const c0 = batchIndex * strideC;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let p = 0; p < K; p++) {
          const aip = transA ? ra[a0 + p * M + i] : ra[a0 + i * K + p]; // op(A)[i, p]
          const bpj = transB ? rb[b0 + j * K + p] : rb[b0 + p * N + j]; // op(B)[p, j]
          sum = Math.fround(sum + aip * bpj); // the product of two bf16 is exact in float32
        }
        const old = beta === 0 ? 0 : beta * c[c0 + i * N + j];
        c[c0 + i * N + j] = alpha * sum + old;
      }
    }
  }
}

export function castBf16(out: Uint16Array, x: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = toBf16(x[i]);
}
