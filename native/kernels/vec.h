// Portable SIMD for the kernels: GCC/Clang vector extensions of 16 floats, which compile to one
// AVX-512 register, two AVX2 registers or four SSE/NEON registers depending on the clone that runs.
#pragma once
#include <cstdint>
#include <cstring>

// The vector helpers are always inlined into their callers, so no vector crosses a call boundary
// and the ABI note GCC emits for 64-byte vectors does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

// Hot loops are compiled three times (AVX-512, AVX2+FMA, baseline) and the loader picks the best
// one for the CPU at run time; elsewhere they compile once for the target's baseline.
#if (defined(__x86_64__) || defined(__i386__)) && defined(__linux__) && defined(__GNUC__) && \
    !defined(__clang__)
#define TT_SIMD __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TT_SIMD
#endif

#define TT_INLINE inline __attribute__((always_inline))

namespace tt {

constexpr int kLanes = 16;
typedef float vf __attribute__((vector_size(kLanes * 4)));
typedef int32_t vi __attribute__((vector_size(kLanes * 4)));

TT_INLINE vf vload(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

TT_INLINE void vstore(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

TT_INLINE vf vsplat(float x) { return vf{} + x; }

// Loads the first n < kLanes floats of p, filling the other lanes with `pad`.
TT_INLINE vf vload_part(const float* p, int64_t n, float pad) {
  float buf[kLanes];
  for (int k = 0; k < kLanes; k++) buf[k] = k < n ? p[k] : pad;
  return vload(buf);
}

TT_INLINE void vstore_part(float* p, vf v, int64_t n) {
  for (int k = 0; k < n; k++) p[k] = v[k];
}

TT_INLINE float hsum(vf v) {
  float s = 0;
  for (int k = 0; k < kLanes; k++) s += v[k];
  return s;
}

TT_INLINE float hmax(vf v) {
  float m = v[0];
  for (int k = 1; k < kLanes; k++) m = v[k] > m ? v[k] : m;
  return m;
}

TT_INLINE vf vmax(vf a, vf b) { return a > b ? a : b; }

// e^x to about 2 ulp: x = n ln2 + r with |r| <= ln2 / 2, e^r by the Cephes degree-6 polynomial, 2^n
// built in the exponent bits. Results below 2.7e-38 (the denormal range) flush to 0; NaN propagates.
TT_INLINE vf vexp(vf x) {
  const float lo = -86.5f, hi = 88.72283f, magic = 12582912.0f;  // magic = 1.5 * 2^23 rounds
  vf xc = x < lo ? vsplat(lo) : x;
  xc = xc > hi ? vsplat(hi) : xc;
  vf t = xc * 1.44269504088896341f + magic;
  vf n = t - magic;
  vi ni;
  std::memcpy(&ni, &t, sizeof ni);
  ni -= 0x4b400000;  // the bits of `magic`: what is left is n as an integer
  vf r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  vf p = vsplat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n can be 2^128 at the top of the range, so scale by 2^(n-1) and then by 2.
  vi bits = (ni + 126) << 23;
  vf pow2;
  std::memcpy(&pow2, &bits, sizeof pow2);
  vf y = p * pow2 * 2.0f;
  y = x < lo ? vsplat(0.0f) : y;
  y = x > hi ? vsplat(__builtin_inff()) : y;
  return x != x ? x : y;
}

}  // namespace tt
