// The bf16 kernels of the contract (mixed precision), which Backend extends: bfloat16 is the high half of a
// float32 (8 significant bits, float32's exponent range), held as Uint16Array bits.

/** An operand of gemmBf16: float32 values, or bf16 bits. */
export type Bf16Operand = Float32Array | Uint16Array;

export interface Bf16Kernels {
  /**
   * gemm with bf16 operands and float32 accumulation: gemm's arguments, but a and b are float32 values or
   * bf16 bits. Every element of op(A) and op(B) is first rounded to bf16 (nearest even, subnormals to zero;
   * js/bf16.ts toBf16), then
   *   C_b = alpha * sum_p bf16(A_b)[i, p] * bf16(B_b)[p, j] + beta * C_b
   * with each product exact in float32 and the sum in float32, in an order the kernel chooses.
   */
  gemmBf16(
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
  ): void;

  /** out[i] = toBf16(x[i]) for i < n: the bf16 bits of float32 values, rounded to nearest even. */
  castBf16(out: Uint16Array, x: Float32Array, n: number): void;
}
