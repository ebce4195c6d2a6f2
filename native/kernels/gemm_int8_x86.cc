// The x86 int8 kernels of gemm_int8.cc, compiled for their instruction sets by function attribute only,
// so the addon still loads on CPUs without them.
// - AVX512-VNNI: vpdpbusd multiplies four unsigned bytes by four signed bytes and adds them to an int32
//   lane. The activations go in as xq + 128 (a flip of the sign bit) and 128 * sums[n] is subtracted after.
// - AVX2: vpmaddubsw on |x| and sign(x) * w, whose pair sums (at most 2 * 127 * 127) cannot saturate,
//   then vpmaddwd by ones into int32 lanes.
#include "gemm_int8.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace tt::int8 {
namespace {

#define TT_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))
#define TT_AVX2 __attribute__((target("avx2")))

template <class Byte>
inline int32_t group_of(const Byte* x) {
  int32_t v;
  std::memcpy(&v, x, 4);
  return v;
}

inline __mmask16 first(int64_t n) { return n >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << n) - 1); }

// R rows x P panels (16 columns each; `cols` of them real) from row m0 and column j0 of the share.
template <int R, int P>
TT_VNNI void vnni_block(const Rows& rows, int64_t m0, const Columns& c, int64_t j0, int64_t cols) {
  __m512i acc[R][P];
  for (int r = 0; r < R; r++)
    for (int p = 0; p < P; p++) acc[r][p] = _mm512_setzero_si512();
  const int64_t Kp = rows.Kp, groups = Kp / kGroup, stride = kPanel * Kp;
  const int8_t* w0 = c.packed + j0 * Kp;
  const uint8_t* x0 = rows.xu + m0 * Kp;
  for (int64_t g = 0; g < groups; g++) {
    __m512i w[P];
    for (int p = 0; p < P; p++) w[p] = _mm512_loadu_si512(w0 + p * stride + g * kPanel * kGroup);
    for (int r = 0; r < R; r++) {
      __m512i xb = _mm512_set1_epi32(group_of(x0 + r * Kp + g * kGroup));
      for (int p = 0; p < P; p++) acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], xb, w[p]);
    }
  }
  for (int p = 0; p < P; p++) {
    int64_t j = j0 + p * kPanel;
    __mmask16 mask = first(cols - p * kPanel);
    __m512i offset = _mm512_slli_epi32(_mm512_maskz_loadu_epi32(mask, c.sums + j), 7);
    __m512 sw = _mm512_maskz_loadu_ps(mask, c.scales + j);
    __m512 bias = c.bias == nullptr ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask, c.bias + j);
    for (int r = 0; r < R; r++) {
      __m512 scale = _mm512_mul_ps(_mm512_set1_ps(rows.sx[m0 + r]), sw);
      __m512 y = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc[r][p], offset)), scale);
      // The rounding-mode form is a builtin GCC does not contract into a multiply-add with the line above.
      if (c.bias != nullptr) y = _mm512_add_round_ps(y, bias, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      _mm512_mask_storeu_ps(c.y + (m0 + r) * c.ldy + j, mask, y);
    }
  }
}

// The last r < R rows as one block of exactly r rows: one sweep of the panels for them all, where
// single rows would each sweep them with one chain of dependent vpdpbusd per panel.
template <int R, int P>
TT_VNNI void vnni_tail(int64_t r, const Rows& rows, int64_t m0, const Columns& c, int64_t j0, int64_t cols) {
  if constexpr (R > 0) {
    if (r == R) return vnni_block<R, P>(rows, m0, c, j0, cols);
    vnni_tail<R - 1, P>(r, rows, m0, c, j0, cols);
  }
}

// Every row over panel groups of P, the rows in blocks of R (then the rest as one block), the last
// panels one by one.
template <int R, int P>
TT_VNNI void vnni_sweep(const Rows& rows, const Columns& c) {
  int64_t j0 = 0;
  for (; j0 + P * kPanel <= c.n || (P == 1 && j0 < c.n); j0 += P * kPanel) {
    int64_t cols = std::min<int64_t>(P * kPanel, c.n - j0), m = 0;
    for (; m + R <= rows.M; m += R) vnni_block<R, P>(rows, m, c, j0, cols);
    vnni_tail<R - 1, P>(rows.M - m, rows, m, c, j0, cols);
  }
  if (P > 1 && j0 < c.n) vnni_sweep<R, 1>(rows, Columns{c.n - j0, c.packed + j0 * rows.Kp, c.scales + j0,
                                                         c.sums + j0, c.bias == nullptr ? nullptr : c.bias + j0,
                                                         c.y + j0, c.ldy});
}

// Few rows keep more panels in flight, so that several accumulator chains hide vpdpbusd's latency.
TT_VNNI void vnni_panels(const Rows& rows, const Columns& c) {
  if (rows.M == 1) return vnni_sweep<1, 4>(rows, c);
  if (rows.M <= 3) return vnni_sweep<2, 4>(rows, c);
  if (rows.M <= 7) return vnni_sweep<4, 3>(rows, c);
  vnni_sweep<8, 2>(rows, c);
}

template <int R, int P>
TT_AVX2 void avx2_block(const Rows& rows, int64_t m0, const Columns& c, int64_t j0, int64_t cols) {
  constexpr int V = 2 * P;  // 8 columns per ymm
  __m256i acc[R][V];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = _mm256_setzero_si256();
  const int64_t Kp = rows.Kp, groups = Kp / kGroup, stride = kPanel * Kp;
  const int8_t* w0 = c.packed + j0 * Kp;
  const int8_t* x0 = rows.xq + m0 * Kp;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t g = 0; g < groups; g++) {
    __m256i w[V];
    for (int v = 0; v < V; v++)
      w[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w0 + (v / 2) * stride + g * kPanel * kGroup +
                                                                 (v % 2) * 32));
    for (int r = 0; r < R; r++) {
      __m256i xb = _mm256_set1_epi32(group_of(x0 + r * Kp + g * kGroup));
      __m256i ax = _mm256_abs_epi8(xb);
      for (int v = 0; v < V; v++) {
        __m256i pairs = _mm256_maddubs_epi16(ax, _mm256_sign_epi8(w[v], xb));
        acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(pairs, ones));
      }
    }
  }
  for (int r = 0; r < R; r++) {
    float sx = rows.sx[m0 + r];
    float* y = c.y + (m0 + r) * c.ldy + j0;
    for (int v = 0; v < V; v++) {
      int64_t j = v * 8;
      if (j >= cols) break;
      if (cols - j >= 8) {
        __m256 scale = _mm256_mul_ps(_mm256_set1_ps(sx), _mm256_loadu_ps(c.scales + j0 + j));
        __m256 out = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[r][v]), scale);
        if (c.bias != nullptr) out = _mm256_add_ps(out, _mm256_loadu_ps(c.bias + j0 + j));
        _mm256_storeu_ps(y + j, out);
      } else {
        alignas(32) int32_t lanes[8];
        _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc[r][v]);
        for (int64_t l = 0; l < cols - j; l++)
          y[j + l] = scale_output(lanes[l], sx, c.scales[j0 + j + l], c.bias, j0 + j + l);
      }
    }
  }
}

template <int R, int P>
TT_AVX2 void avx2_tail(int64_t r, const Rows& rows, int64_t m0, const Columns& c, int64_t j0, int64_t cols) {
  if constexpr (R > 0) {
    if (r == R) return avx2_block<R, P>(rows, m0, c, j0, cols);
    avx2_tail<R - 1, P>(r, rows, m0, c, j0, cols);
  }
}

template <int R, int P>
TT_AVX2 void avx2_sweep(const Rows& rows, const Columns& c) {
  int64_t j0 = 0;
  for (; j0 + P * kPanel <= c.n || (P == 1 && j0 < c.n); j0 += P * kPanel) {
    int64_t cols = std::min<int64_t>(P * kPanel, c.n - j0), m = 0;
    for (; m + R <= rows.M; m += R) avx2_block<R, P>(rows, m, c, j0, cols);
    avx2_tail<R - 1, P>(rows.M - m, rows, m, c, j0, cols);
  }
  if (P > 1 && j0 < c.n) avx2_sweep<R, 1>(rows, Columns{c.n - j0, c.packed + j0 * rows.Kp, c.scales + j0,
                                                         c.sums + j0, c.bias == nullptr ? nullptr : c.bias + j0,
                                                         c.y + j0, c.ldy});
}

TT_AVX2 void avx2_panels(const Rows& rows, const Columns& c) {
  if (rows.M == 1) return avx2_sweep<1, 2>(rows, c);
  if (rows.M <= 3) return avx2_sweep<2, 2>(rows, c);
  avx2_sweep<4, 1>(rows, c);
}

// quantize_row 16 at a time: vcvtps2dq rounds to nearest even as the contract does, and the clamp to
// +-127 before it changes nothing the rounding would not; NaNs are masked to 0.
TT_VNNI float avx512_quantize_row(const float* x, int64_t K, int8_t* q) {
  __m512 amax = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; k += 16)
    amax = _mm512_max_ps(_mm512_abs_ps(_mm512_maskz_loadu_ps(first(K - k), x + k)), amax);  // NaN keeps amax
  float s = _mm512_reduce_max_ps(amax) / 127.0f;
  if (s == 0.0f) {
    std::memset(q, 0, static_cast<size_t>(K));
    return s;
  }
  const __m512 vs = _mm512_set1_ps(s), lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
  for (int64_t k = 0; k < K; k += 16) {
    __mmask16 mask = first(K - k);
    __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(mask, x + k), vs);
    __mmask16 ordered = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
    __m512i i = _mm512_maskz_cvtps_epi32(ordered, _mm512_min_ps(_mm512_max_ps(v, lo), hi));
    _mm512_mask_cvtepi32_storeu_epi8(q + k, mask, i);
  }
  return s;
}

TT_AVX2 float avx2_quantize_row(const float* x, int64_t K, int8_t* q) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 amax = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) amax = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + k)), amax);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, amax);
  float m = 0.0f;
  for (float a : lanes) m = a > m ? a : m;
  for (; k < K; k++) {
    float a = x[k] < 0.0f ? -x[k] : x[k];
    if (a > m) m = a;
  }
  float s = m / 127.0f;
  if (s == 0.0f) {
    std::memset(q, 0, static_cast<size_t>(K));
    return s;
  }
  const __m256 vs = _mm256_set1_ps(s), lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
  alignas(32) int32_t ints[8];
  for (k = 0; k + 8 <= K; k += 8) {
    __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + k), vs);
    __m256 ordered = _mm256_cmp_ps(v, v, _CMP_ORD_Q);
    __m256i i = _mm256_cvtps_epi32(_mm256_and_ps(ordered, _mm256_min_ps(_mm256_max_ps(v, lo), hi)));
    _mm256_store_si256(reinterpret_cast<__m256i*>(ints), i);
    for (int l = 0; l < 8; l++) q[k + l] = static_cast<int8_t>(ints[l]);
  }
  for (; k < K; k++) q[k] = quantize_value(x[k] / s);
  return s;
}

const Kernel kVnni{"avx512vnni", vnni_panels, avx512_quantize_row, true};
const Kernel kAvx2{"avx2", avx2_panels, avx2_quantize_row, false};

}  // namespace

const Kernel* vnni_kernel() {
  __builtin_cpu_init();
  bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vnni");
  return ok ? &kVnni : nullptr;
}

const Kernel* avx2_kernel() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? &kAvx2 : nullptr;
}

}  // namespace tt::int8

#else

namespace tt::int8 {
const Kernel* vnni_kernel() { return nullptr; }
const Kernel* avx2_kernel() { return nullptr; }
}  // namespace tt::int8

#endif
