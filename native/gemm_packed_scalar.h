// The skinny path (Kernel::packed) in plain loops that the compiler vectorises for its target (the
// baseline x86-64 or arm64 instruction set, WebAssembly SIMD128): rows over weights packed in panels.
// Included inside a kernel file's anonymous namespace after TT_TARGET is defined.
// No include guard on purpose: one copy per including translation unit, compiled for its instruction set.

constexpr int kRowPanels = 2;

// kFetch is unused: these loops leave memory to the hardware prefetcher.
template <int MR, int NP, bool kFetch>
void packed_block(int64_t K, const float* a, int64_t lda, const float* bp, const float* bias, float* c, int64_t ldc,
                  int64_t cols) {
  float acc[MR][NP * kPanel] = {};
  const int64_t step = kPanel * K;
  for (int64_t p = 0; p < K; p++)
    for (int i = 0; i < MR; i++)
      for (int q = 0; q < NP; q++)
        for (int j = 0; j < kPanel; j++) acc[i][q * kPanel + j] += a[i * lda + p] * bp[q * step + p * kPanel + j];
  for (int i = 0; i < MR; i++)
    for (int64_t j = 0; j < cols; j++) c[i * ldc + j] = bias == nullptr ? acc[i][j] : acc[i][j] + bias[j];
}

#include "gemm_packed_loops.h"

void packed(int64_t M, int64_t K, const float* a, int64_t lda, const float* bp, int64_t n, const float* bias,
            float* c, int64_t ldc) {
  packed_groups<1>(M, K, a, lda, bp, n, bias, c, ldc);
}
