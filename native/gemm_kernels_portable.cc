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

// The skinny path: one or two rows over one panel, in plain loops the compiler vectorises.
constexpr int kRowPanels = 2;

template <int MR, int NP>
void packed_block(int64_t K, const float* a, int64_t lda, const float* bp, float* c, int64_t ldc, int64_t cols) {
  float acc[MR][NP * kPanel] = {};
  const int64_t step = kPanel * K;
  for (int64_t p = 0; p < K; p++)
    for (int i = 0; i < MR; i++)
      for (int q = 0; q < NP; q++)
        for (int j = 0; j < kPanel; j++) acc[i][q * kPanel + j] += a[i * lda + p] * bp[q * step + p * kPanel + j];
  for (int i = 0; i < MR; i++)
    for (int64_t j = 0; j < cols; j++) c[i * ldc + j] = acc[i][j];
}

#include "gemm_packed_loops.h"

void packed(int64_t M, int64_t K, const float* a, int64_t lda, const float* bp, int64_t n, float* c, int64_t ldc) {
  packed_groups<1>(M, K, a, lda, bp, n, c, ldc);
}

const Kernel kPortable{"portable", MR, NR, 256, 256, micro, pack_a<MR>, pack_b<NR>, packed};

}  // namespace

const Kernel* portable_kernel() { return &kPortable; }

}  // namespace tt::gemm
