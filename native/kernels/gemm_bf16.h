// The instruction-set-specific half of the bf16 GEMM (gemm_bf16.cc drives it): packing operands into
// bf16 pairs and the micro-kernel. vdpbf16ps multiplies pairs of bf16 along k, so a packed panel holds
// 32-bit words (two bf16: element 2q in the low half, 2q + 1 in the high half), kp = ceil(kc / 2) of them
// per line, the last pair and the last panel zero-padded.
#pragma once
#include <cstdint>
#include <cstring>

namespace tt::bf16 {

// An operand of a bf16 product: float32 values (rounded to bf16 as they are packed) or bf16 bits.
struct Operand {
  const void* data;
  bool bf16;
};

// Packed A: panels of mr lines, word (i, q) of a panel at q * mr + i.
// Packed B: panels of nr lines, word (q, j) of a panel at q * nr + j.
struct Kernel {
  const char* name;
  int mr, nr;
  int64_t kc, nc;  // cache blocks, in elements of k (kc even)
  // C[0:m, 0:n] = alpha * (Ap @ Bp) + beta * C over kp pairs; beta == 0 never reads C.
  void (*micro)(int64_t kp, const uint32_t* ap, const uint32_t* bp, float* c, int64_t ldc, float alpha,
                float beta, int m, int n);
  // Packs op(X)[0:lines, 0:kc] where element (x, p) is at src[x * ld + p] (along) or src[p * ld + x].
  void (*pack_a)(Operand src, int64_t ld, bool along, int64_t lines, int64_t kc, uint32_t* out);
  void (*pack_b)(Operand src, int64_t ld, bool along, int64_t lines, int64_t kc, uint32_t* out);
  // out[i] = to_bf16(x[i]) for i < n.
  void (*cast)(uint16_t* out, const float* x, int64_t n);
};

// The AVX512-BF16 kernel, or nullptr when this build or this CPU lacks the instructions.
const Kernel* avx512bf16_kernel();

// Round to nearest even, as vcvtneps2bf16 does: subnormal inputs become signed zero, NaN stays NaN.
inline uint16_t to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7F800000u) == 0) return static_cast<uint16_t>((u >> 16) & 0x8000u);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

// The float32 value of bf16 bits; subnormals read as signed zero, as vdpbf16ps reads them.
inline float from_bf16(uint16_t h) {
  uint32_t u = (h & 0x7F80u) == 0 ? (h & 0x8000u) << 16 : static_cast<uint32_t>(h) << 16;
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

}  // namespace tt::bf16
