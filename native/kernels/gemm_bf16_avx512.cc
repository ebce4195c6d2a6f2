// AVX512-BF16 kernel of the bf16 GEMM: vdpbf16ps adds the products of 16 pairs of bf16 into 16 float32
// lanes, twice the multiply-adds of a float32 FMA per instruction (Zen 4, Cooper Lake, Sapphire Rapids).
// A 12 x 32 register block as the float32 kernel's: 24 accumulators, two B vectors, one A broadcast.
// Compiled for these instructions by function attribute only; gemm_bf16.cc checks the CPU first.
#include "gemm_bf16.h"

#if defined(__x86_64__) && defined(__GNUC__) && (__GNUC__ >= 10 || defined(__clang__))
#include <immintrin.h>

namespace tt::bf16 {
namespace {

#define TT_BF16 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16,fma")))

constexpr int MR = 12, NR = 32;

TT_BF16 inline __mmask16 mask16(int64_t n) {
  return n >= 16 ? 0xFFFF : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1);
}
TT_BF16 inline __mmask32 mask32(int64_t n) {
  return n >= 32 ? 0xFFFFFFFFu : n <= 0 ? 0 : static_cast<__mmask32>((1u << n) - 1);
}

// 16 consecutive pairs (32 elements, n of them present) of one line, as 16 words.
TT_BF16 inline __m512i load_pairs(Operand s, int64_t at, int64_t n) {
  if (s.bf16) return _mm512_maskz_loadu_epi16(mask32(n), static_cast<const uint16_t*>(s.data) + at);
  const float* f = static_cast<const float*>(s.data) + at;
  __m512 lo = _mm512_maskz_loadu_ps(mask16(n), f), hi = _mm512_maskz_loadu_ps(mask16(n - 16), f + 16);
  return reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(hi, lo));
}

// 16 consecutive elements (n of them present) as 16 bf16 in a 256-bit register.
TT_BF16 inline __m256i load_16(Operand s, int64_t at, int64_t n) {
  if (s.bf16) return _mm256_maskz_loadu_epi16(mask16(n), static_cast<const uint16_t*>(s.data) + at);
  __m512 f = _mm512_maskz_loadu_ps(mask16(n), static_cast<const float*>(s.data) + at);
  return reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(f));
}

// r[i] word j <- r[j] word i.
TT_BF16 inline void transpose16(__m512i r[16]) {
  __m512i t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
    r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
    r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
    r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int g = 0; g < 16; g += 8)
    for (int c = 0; c < 4; c++) {
      t[g + c] = _mm512_shuffle_i32x4(r[g + c], r[g + 4 + c], 0x88);
      t[g + 4 + c] = _mm512_shuffle_i32x4(r[g + c], r[g + 4 + c], 0xdd);
    }
  for (int c = 0; c < 4; c++) {
    r[c] = _mm512_shuffle_i32x4(t[c], t[8 + c], 0x88);
    r[8 + c] = _mm512_shuffle_i32x4(t[c], t[8 + c], 0xdd);
    r[4 + c] = _mm512_shuffle_i32x4(t[4 + c], t[12 + c], 0x88);
    r[12 + c] = _mm512_shuffle_i32x4(t[4 + c], t[12 + c], 0xdd);
  }
}

// Lines along k (element (x, p) at src[x * ld + p]): a line's pairs are consecutive words, so a panel is
// a 16 x 16 word transpose of 16 lines at a time.
template <int R>
TT_BF16 void pack_along(Operand src, int64_t ld, int64_t lines, int64_t kc, uint32_t* out) {
  const int64_t kp = (kc + 1) / 2;
  for (int x0 = 0; x0 < R; x0 += 16) {
    __mmask16 keep = mask16(R - x0);
    for (int64_t q0 = 0; q0 < kp; q0 += 16) {
      __m512i r[16];
      for (int i = 0; i < 16; i++)
        r[i] = x0 + i < lines ? load_pairs(src, (x0 + i) * ld + 2 * q0, kc - 2 * q0) : _mm512_setzero_si512();
      transpose16(r);
      int64_t nq = kp - q0 < 16 ? kp - q0 : 16;
      for (int64_t t = 0; t < nq; t++) _mm512_mask_storeu_epi32(out + (q0 + t) * R + x0, keep, r[t]);
    }
  }
}

// Lines across k (element (x, p) at src[p * ld + x]): rows 2q and 2q + 1 interleave into pairs.
template <int R>
TT_BF16 void pack_across(Operand src, int64_t ld, int64_t lines, int64_t kc, uint32_t* out) {
  const int64_t kp = (kc + 1) / 2;
  for (int64_t q = 0; q < kp; q++) {
    for (int x0 = 0; x0 < R; x0 += 16) {
      int64_t n = lines - x0;
      __m512i lo = _mm512_cvtepu16_epi32(load_16(src, 2 * q * ld + x0, n));
      __m512i hi = 2 * q + 1 < kc ? _mm512_cvtepu16_epi32(load_16(src, (2 * q + 1) * ld + x0, n))
                                  : _mm512_setzero_si512();
      _mm512_mask_storeu_epi32(out + q * R + x0, mask16(R - x0), _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
    }
  }
}

template <int R>
TT_BF16 void pack(Operand src, int64_t ld, bool along, int64_t lines, int64_t kc, uint32_t* out) {
  const int64_t kp = (kc + 1) / 2;
  for (int64_t x0 = 0; x0 < lines; x0 += R, out += R * kp) {
    int64_t n = lines - x0 < R ? lines - x0 : R;
    int64_t skip = along ? x0 * ld : x0;
    Operand at{src.bf16 ? static_cast<const void*>(static_cast<const uint16_t*>(src.data) + skip)
                        : static_cast<const void*>(static_cast<const float*>(src.data) + skip),
               src.bf16};
    if (along) pack_along<R>(at, ld, n, kc, out);
    else pack_across<R>(at, ld, n, kc, out);
  }
}

TT_BF16 void micro(int64_t kp, const uint32_t* a, const uint32_t* b, float* c, int64_t ldc, float alpha,
                   float beta, int m, int n) {
  __m512 lo[MR], hi[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) lo[i] = hi[i] = _mm512_setzero_ps();
  for (int64_t q = 0; q < kp; q++, a += MR, b += NR) {
    __m512bh b0 = reinterpret_cast<__m512bh>(_mm512_load_si512(b));
    __m512bh b1 = reinterpret_cast<__m512bh>(_mm512_load_si512(b + 16));
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      __m512bh ai = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(a[i])));
      lo[i] = _mm512_dpbf16_ps(lo[i], ai, b0);
      hi[i] = _mm512_dpbf16_ps(hi[i], ai, b1);
    }
  }
  __mmask16 k0 = mask16(n), k1 = mask16(n - 16);
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

TT_BF16 void cast(uint16_t* out, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 k = mask16(n - i);
    __m256bh h = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(k, x + i));
    _mm256_mask_storeu_epi16(out + i, k, reinterpret_cast<__m256i>(h));
  }
}

const Kernel kAvx512Bf16{"avx512bf16", MR, NR, 512, 512, micro, pack<MR>, pack<NR>, cast};

}  // namespace

const Kernel* avx512bf16_kernel() {
  __builtin_cpu_init();
  bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512bf16");
  return ok ? &kAvx512Bf16 : nullptr;
}

}  // namespace tt::bf16

#else

namespace tt::bf16 {
const Kernel* avx512bf16_kernel() { return nullptr; }
}  // namespace tt::bf16

#endif
