// Packing for sgemm (see gemm_kernels.h for the layout). Each kernel file includes this inside an
// anonymous namespace after defining TT_TARGET (its instruction-set attribute), so every SIMD level
// gets its own copy compiled for it; TT_PACK_X86 adds the SSE/AVX tile transposes, TT_PACK_WASM
// the SIMD128 ones.
// No include guard and no includes on purpose: one copy per including translation unit, which
// provides <cstdint> (and <immintrin.h> with TT_PACK_X86, <wasm_simd128.h> with TT_PACK_WASM) before opening its namespace.

// out[p * R + r] = s[r * ld + p] for r < rows, p < kc, and 0 for rows <= r < R: a row-major
// panel turned into packed columns.
template <int R>
TT_TARGET inline void transpose_panel(const float* s, int64_t ld, int rows, int64_t kc, float* out) {
  int r0 = 0;
#ifdef TT_PACK_X86
  for (; r0 + 8 <= rows; r0 += 8) {
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      const float* t = s + r0 * ld + p;
      __m256 r[8], u[8];
      for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(t + i * ld);
      for (int i = 0; i < 8; i += 2) {
        u[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        u[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(u[i], u[i + 2], 0x44);
        r[i + 1] = _mm256_shuffle_ps(u[i], u[i + 2], 0xEE);
        r[i + 2] = _mm256_shuffle_ps(u[i + 1], u[i + 3], 0x44);
        r[i + 3] = _mm256_shuffle_ps(u[i + 1], u[i + 3], 0xEE);
      }
      float* o = out + p * R + r0;
      for (int i = 0; i < 4; i++) {
        _mm256_storeu_ps(o + i * R, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
        _mm256_storeu_ps(o + (i + 4) * R, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
      }
    }
    for (; p < kc; p++)
      for (int i = 0; i < 8; i++) out[p * R + r0 + i] = s[(r0 + i) * ld + p];
  }
  for (; r0 + 4 <= rows; r0 += 4) {
    int64_t p = 0;
    for (; p + 4 <= kc; p += 4) {
      const float* t = s + r0 * ld + p;
      __m128 a = _mm_loadu_ps(t), b = _mm_loadu_ps(t + ld), c = _mm_loadu_ps(t + 2 * ld),
             d = _mm_loadu_ps(t + 3 * ld);
      _MM_TRANSPOSE4_PS(a, b, c, d);
      float* o = out + p * R + r0;
      _mm_storeu_ps(o, a);
      _mm_storeu_ps(o + R, b);
      _mm_storeu_ps(o + 2 * R, c);
      _mm_storeu_ps(o + 3 * R, d);
    }
    for (; p < kc; p++)
      for (int i = 0; i < 4; i++) out[p * R + r0 + i] = s[(r0 + i) * ld + p];
  }
#endif
#ifdef TT_PACK_WASM
  for (; r0 + 4 <= rows; r0 += 4) {
    int64_t p = 0;
    for (; p + 4 <= kc; p += 4) {
      const float* t = s + r0 * ld + p;
      v128_t a = wasm_v128_load(t), b = wasm_v128_load(t + ld), c = wasm_v128_load(t + 2 * ld),
             d = wasm_v128_load(t + 3 * ld);
      v128_t ab0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
      v128_t cd0 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd1 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
      float* o = out + p * R + r0;
      wasm_v128_store(o, wasm_i64x2_shuffle(ab0, cd0, 0, 2));
      wasm_v128_store(o + R, wasm_i64x2_shuffle(ab0, cd0, 1, 3));
      wasm_v128_store(o + 2 * R, wasm_i64x2_shuffle(ab1, cd1, 0, 2));
      wasm_v128_store(o + 3 * R, wasm_i64x2_shuffle(ab1, cd1, 1, 3));
    }
    for (; p < kc; p++)
      for (int i = 0; i < 4; i++) out[p * R + r0 + i] = s[(r0 + i) * ld + p];
  }
#endif
  for (int64_t p = 0; p < kc; p++)
    for (int r = r0; r < R; r++) out[p * R + r] = r < rows ? s[r * ld + p] : 0.0f;
}

// Packs `lines` lines of length kc into panels of R, element (x, p) landing at
// out[(x / R) * R * kc + p * R + x % R] with the last panel zero-padded. The source holds (x, p) at
// src[p * ld + x] when `across` (a plain copy) and at src[x * ld + p] otherwise (a transpose).
template <int R>
TT_TARGET inline void pack_panels(const float* src, int64_t ld, bool across, int64_t lines, int64_t kc,
                                  float* out) {
  for (int64_t x0 = 0; x0 < lines; x0 += R, out += R * kc) {
    int rows = lines - x0 < R ? static_cast<int>(lines - x0) : R;
    if (!across) {
      transpose_panel<R>(src + x0 * ld, ld, rows, kc, out);
    } else if (rows == R) {
      for (int64_t p = 0; p < kc; p++)
        for (int r = 0; r < R; r++) out[p * R + r] = src[p * ld + x0 + r];
    } else {
      for (int64_t p = 0; p < kc; p++) {
        for (int r = 0; r < rows; r++) out[p * R + r] = src[p * ld + x0 + r];
        for (int r = rows; r < R; r++) out[p * R + r] = 0.0f;
      }
    }
  }
}

// The Kernel::pack_a / pack_b entry points for an MR x NR micro-kernel.
template <int MR>
TT_TARGET void pack_a(bool trans, const float* a, int64_t lda, int64_t mc, int64_t kc, float* out) {
  pack_panels<MR>(a, lda, trans, mc, kc, out);
}

template <int NR>
TT_TARGET void pack_b(bool trans, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out) {
  pack_panels<NR>(b, ldb, !trans, nc, kc, out);
}
