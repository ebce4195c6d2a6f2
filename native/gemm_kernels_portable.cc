// Portable sgemm kernel: plain loops over a 4 x 8 register block that compilers vectorise for the
// baseline instruction set (SSE2 on x86-64, NEON on arm64). Eight accumulator vectors fit SSE2's
// sixteen registers with room for the operands and keep two FMA pipes of four-cycle latency busy.
#include <cstdint>

#include "gemm_kernels.h"

namespace tt::gemm {
namespace {

#define TT_TARGET
#include "gemm_pack.h"

constexpr int MR = 4, NR = 8;

void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
           float beta, int m, int n) {
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; p++, a += MR, b += NR)
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) acc[i][j] += a[i] * b[j];
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      c[i * ldc + j] = alpha * acc[i][j] + (beta != 0.0f ? beta * c[i * ldc + j] : 0.0f);
}

#include "gemm_packed_scalar.h"

const Kernel kPortable{"portable", MR, NR, 256, 256, micro, pack_a<MR>, pack_b<NR>, packed};

}  // namespace

const Kernel* portable_kernel() { return &kPortable; }

}  // namespace tt::gemm
