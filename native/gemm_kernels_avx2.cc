// AVX2 + FMA sgemm kernel: a 6 x 16 register block (12 ymm accumulators, two B vectors, one
// broadcast of A), the classic Haswell shape. Compiled for AVX2 by function attribute only.
#include "gemm_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace tt::gemm {
namespace {

#define TT_TARGET __attribute__((target("avx2,fma")))
#define TT_PACK_X86
#include "gemm_pack.h"

constexpr int MR = 6, NR = 16;

TT_TARGET void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                     float alpha, float beta, int m, int n) {
  __m256 lo[MR], hi[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) lo[i] = hi[i] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; p++, a += MR, b += NR) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      __m256 ai = _mm256_broadcast_ss(a + i);
      lo[i] = _mm256_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm256_fmadd_ps(ai, b1, hi[i]);
    }
  }
  __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  if (m == MR && n == NR) {
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      float* ci = c + i * ldc;
      __m256 r0 = _mm256_mul_ps(lo[i], va), r1 = _mm256_mul_ps(hi[i], va);
      if (beta != 0.0f) {
        r0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci), r0);
        r1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8), r1);
      }
      _mm256_storeu_ps(ci, r0);
      _mm256_storeu_ps(ci + 8, r1);
    }
    return;
  }
  // Edge tile: AVX2 masked stores are slow on some CPUs, so go through a buffer.
  alignas(32) float t[MR * NR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) {
    _mm256_store_ps(t + i * NR, _mm256_mul_ps(lo[i], va));
    _mm256_store_ps(t + i * NR + 8, _mm256_mul_ps(hi[i], va));
  }
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      c[i * ldc + j] = t[i * NR + j] + (beta != 0.0f ? beta * c[i * ldc + j] : 0.0f);
}

// The skinny path: a panel is two ymm wide, so MR rows times NP panels take 2 MR NP of the twelve
// accumulators.
constexpr int kRowPanels = 6;

template <int MR, int NP, bool kFetch>
TT_TARGET void packed_block(int64_t K, const float* a, int64_t lda, const float* bp, const float* bias, float* c,
                            int64_t ldc, int64_t cols) {
  __m256 acc[MR][NP][2];
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int q = 0; q < NP; q++) acc[i][q][0] = acc[i][q][1] = _mm256_setzero_ps();
  const int64_t step = kPanel * K;
  for (int64_t p = 0; p < K; p++) {
    __m256 b[NP][2];
#pragma GCC unroll 8
    for (int q = 0; q < NP; q++) {
      b[q][0] = _mm256_loadu_ps(bp + q * step + p * kPanel);
      b[q][1] = _mm256_loadu_ps(bp + q * step + p * kPanel + 8);
      if constexpr (kFetch && NP <= 2)
        _mm_prefetch(reinterpret_cast<const char*>(bp + q * step + (p + kFetchAhead) * kPanel), _MM_HINT_T0);
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      __m256 ai = _mm256_broadcast_ss(a + i * lda + p);
#pragma GCC unroll 8
      for (int q = 0; q < NP; q++) {
        acc[i][q][0] = _mm256_fmadd_ps(ai, b[q][0], acc[i][q][0]);
        acc[i][q][1] = _mm256_fmadd_ps(ai, b[q][1], acc[i][q][1]);
      }
    }
  }
  for (int i = 0; i < MR; i++)
    for (int q = 0; q < NP; q++) {
      int64_t left = cols - q * kPanel;
      if (left <= 0) break;
      float* ci = c + i * ldc + q * kPanel;
      if (left >= kPanel) {
        __m256 lo = acc[i][q][0], hi = acc[i][q][1];
        if (bias != nullptr) {  // added once to the sum, as the reference does
          lo = _mm256_add_ps(lo, _mm256_loadu_ps(bias + q * kPanel));
          hi = _mm256_add_ps(hi, _mm256_loadu_ps(bias + q * kPanel + 8));
        }
        _mm256_storeu_ps(ci, lo);
        _mm256_storeu_ps(ci + 8, hi);
        continue;
      }
      alignas(32) float t[kPanel];
      _mm256_store_ps(t, acc[i][q][0]);
      _mm256_store_ps(t + 8, acc[i][q][1]);
      for (int64_t j = 0; j < left; j++) ci[j] = bias == nullptr ? t[j] : t[j] + bias[q * kPanel + j];
    }
}

#include "gemm_packed_loops.h"

TT_TARGET void packed(int64_t M, int64_t K, const float* a, int64_t lda, const float* bp, int64_t n,
                      const float* bias, float* c, int64_t ldc) {
  if (M <= 2) return packed_groups<4>(M, K, a, lda, bp, n, bias, c, ldc);
  packed_groups<1>(M, K, a, lda, bp, n, bias, c, ldc);
}

const Kernel kAvx2{"avx2", MR, NR, 256, 384, micro, pack_a<MR>, pack_b<NR>, packed};

}  // namespace

const Kernel* avx2_kernel() {
  __builtin_cpu_init();
  bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok ? &kAvx2 : nullptr;
}

}  // namespace tt::gemm

#else

namespace tt::gemm {
const Kernel* avx2_kernel() { return nullptr; }
}  // namespace tt::gemm

#endif
