// AVX-512 sgemm kernel: a 12 x 32 register block (24 zmm accumulators, two B vectors, one broadcast
// of A), the shape BLIS uses on Zen 4 and Skylake-X. Compiled for AVX-512 by function attribute
// only, so the addon still loads on machines without it (gemm.cc checks the CPU first).
#include "gemm_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace tt::gemm {
namespace {

#define TT_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define TT_PACK_X86
#include "gemm_pack.h"

constexpr int MR = 12, NR = 32;

// Masks selecting the first n of 32 columns, split over two zmm registers.
TT_TARGET inline __mmask16 low_mask(int n) {
  return n >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << n) - 1);
}
TT_TARGET inline __mmask16 high_mask(int n) { return n > 16 ? low_mask(n - 16) : 0; }

// B stored K x N packs as two vector copies per row; masked loads zero-pad the last panel without
// reading past the matrix. Transposed B goes through the generic tile transposes.
TT_TARGET void pack_b_rows(bool trans, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out) {
  if (trans) return pack_b<NR>(trans, b, ldb, kc, nc, out);
  for (int64_t j0 = 0; j0 < nc; j0 += NR, out += NR * kc) {
    int n = nc - j0 < NR ? static_cast<int>(nc - j0) : NR;
    __mmask16 k0 = low_mask(n), k1 = high_mask(n);
    for (int64_t p = 0; p < kc; p++) {
      const float* s = b + p * ldb + j0;
      _mm512_store_ps(out + p * NR, _mm512_maskz_loadu_ps(k0, s));
      _mm512_store_ps(out + p * NR + 16, _mm512_maskz_loadu_ps(k1, s + 16));
    }
  }
}

TT_TARGET void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                     float alpha, float beta, int m, int n) {
  __m512 lo[MR], hi[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) lo[i] = hi[i] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; p++, a += MR, b += NR) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      __m512 ai = _mm512_set1_ps(a[i]);
      lo[i] = _mm512_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm512_fmadd_ps(ai, b1, hi[i]);
    }
  }
  // Edges use masked loads and stores, which never touch memory outside the mask.
  __mmask16 k0 = low_mask(n), k1 = high_mask(n);
  __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    if (i >= m) break;
    float* ci = c + i * ldc;
    __m512 r0 = _mm512_mul_ps(lo[i], va), r1 = _mm512_mul_ps(hi[i], va);
    if (beta != 0.0f) {
      r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k0, ci), r0);
      r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k1, ci + 16), r1);
    }
    _mm512_mask_storeu_ps(ci, k0, r0);
    _mm512_mask_storeu_ps(ci + 16, k1, r1);
  }
}

// The skinny path: MR rows times NP panels in up to 24 zmm accumulators (12 rows x 2 panels, the
// sgemm micro-kernel's shape); one load of a panel's row feeds MR broadcasts of A. The first block of
// rows streams the weights from memory, so the more rows it carries the more multiply-adds hide each
// load (12 rows instead of 8: products of 12 to 32 rows 5-15% faster over the base model's weights).
constexpr int kRowPanels = 24;

template <int MR, int NP, bool kFetch>
TT_TARGET void packed_block(int64_t K, const float* a, int64_t lda, const float* bp, const float* bias, float* c,
                            int64_t ldc, int64_t cols) {
  __m512 acc[MR][NP];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int q = 0; q < NP; q++) acc[i][q] = _mm512_setzero_ps();
  const int64_t step = kPanel * K;
  for (int64_t p = 0; p < K; p++) {
    __m512 b[NP];
#pragma GCC unroll 8
    for (int q = 0; q < NP; q++) b[q] = _mm512_loadu_ps(bp + q * step + p * kPanel);
    // Asked for only where few panels stream at once (with four, the requests cost more than they bring).
    if constexpr (kFetch && NP <= 2) {
#pragma GCC unroll 8
      for (int q = 0; q < NP; q++)
        _mm_prefetch(reinterpret_cast<const char*>(bp + q * step + (p + kFetchAhead) * kPanel), _MM_HINT_T0);
    }
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      __m512 ai = _mm512_set1_ps(a[i * lda + p]);
#pragma GCC unroll 8
      for (int q = 0; q < NP; q++) acc[i][q] = _mm512_fmadd_ps(ai, b[q], acc[i][q]);
    }
  }
  // The bias joins each sum once, as a separate addition (the reference's rounding).
  __m512 add[NP];
#pragma GCC unroll 8
  for (int q = 0; q < NP; q++) {
    int64_t left = cols - q * kPanel;
    __mmask16 m = left >= kPanel ? 0xFFFF : left <= 0 ? 0 : static_cast<__mmask16>((1u << left) - 1);
    add[q] = bias == nullptr ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m, bias + q * kPanel);
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int q = 0; q < NP; q++) {
      int64_t left = cols - q * kPanel;
      if (left <= 0) break;
      __mmask16 m = left >= kPanel ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1);
      __m512 out = bias == nullptr ? acc[i][q] : _mm512_add_ps(acc[i][q], add[q]);
      _mm512_mask_storeu_ps(c + i * ldc + q * kPanel, m, out);
    }
}

#include "gemm_packed_loops.h"

// Few rows need more panels in flight to hide the FMA latency; four suffice even for one row, whose
// sweep is bound by memory (eight panels, eight streams, ran 10% slower over the base model's weights).
// (One panel for 16 rows at once is slower: 16 broadcasts of A from 16 rows per load of B.)
TT_TARGET void packed(int64_t M, int64_t K, const float* a, int64_t lda, const float* bp, int64_t n,
                      const float* bias, float* c, int64_t ldc) {
  if (M <= 3) return packed_groups<4>(M, K, a, lda, bp, n, bias, c, ldc);
  packed_groups<2>(M, K, a, lda, bp, n, bias, c, ldc);
}

const Kernel kAvx512{"avx512", MR, NR, 384, 512, micro, pack_a<MR>, pack_b_rows, packed};

}  // namespace

const Kernel* avx512_kernel() {
  __builtin_cpu_init();
  bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("fma");
  return ok ? &kAvx512 : nullptr;
}

}  // namespace tt::gemm

#else

namespace tt::gemm {
const Kernel* avx512_kernel() { return nullptr; }
}  // namespace tt::gemm

#endif
