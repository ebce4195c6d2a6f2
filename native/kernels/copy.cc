// Strided copy (the kernel behind transpose, slicing, concatenation and broadcast materialisation)
// and fill, for float32 and int32 arrays.
#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "strided.h"
#include "vec.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kTile = 32;

template <class T>
TT_INLINE void copy_loop(T* dst, int64_t sd, const T* src, int64_t ss, int64_t n, bool accumulate) {
  if (accumulate) {
    if (sd == 1 && ss == 1) {
      for (int64_t i = 0; i < n; i++) dst[i] += src[i];
    } else {
      for (int64_t i = 0; i < n; i++) dst[i * sd] += src[i * ss];
    }
  } else if (sd == 1 && ss == 1) {
    std::memcpy(dst, src, n * sizeof(T));
  } else if (sd == 1 && ss == 0) {
    const T x = src[0];
    for (int64_t i = 0; i < n; i++) dst[i] = x;
  } else {
    for (int64_t i = 0; i < n; i++) dst[i * sd] = src[i * ss];
  }
}

TT_SIMD void copy_row(float* dst, int64_t sd, const float* src, int64_t ss, int64_t n, bool acc) {
  copy_loop(dst, sd, src, ss, n, acc);
}

TT_SIMD void copy_row(int32_t* dst, int64_t sd, const int32_t* src, int64_t ss, int64_t n,
                      bool acc) {
  copy_loop(dst, sd, src, ss, n, acc);
}

// A transpose (the source walks its last two dimensions in swapped order) read row by row would
// touch a new cache line per element; square tiles reuse each line across the tile instead.
template <class T>
bool copy_transposed(T* dst, const T* src, const Strided& s, bool accumulate) {
  const int r = s.rank;
  if (r < 2 || s.stride[0][r - 1] != 1 || s.stride[1][r - 1] == 1 || s.stride[1][r - 2] != 1 ||
      s.shape[r - 1] < kTile || s.shape[r - 2] < kTile)
    return false;
  const int64_t R = s.shape[r - 2], C = s.shape[r - 1];
  const int64_t dR = s.stride[0][r - 2], sC = s.stride[1][r - 1];
  const int64_t tilesR = (R + kTile - 1) / kTile, tilesC = (C + kTile - 1) / kTile;
  int64_t outer = 1;
  for (int d = 0; d < r - 2; d++) outer *= s.shape[d];
  parallel_for(outer * tilesR * tilesC, kGrain / (kTile * kTile), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      int64_t rem = t / (tilesR * tilesC), od = 0, os = 0;
      for (int d = r - 3; d >= 0; d--) {
        const int64_t idx = rem % s.shape[d];
        rem /= s.shape[d];
        od += idx * s.stride[0][d];
        os += idx * s.stride[1][d];
      }
      const int64_t i0 = (t / tilesC % tilesR) * kTile, j0 = (t % tilesC) * kTile;
      const int64_t i1 = std::min(R, i0 + kTile), j1 = std::min(C, j0 + kTile);
      for (int64_t i = i0; i < i1; i++) {
        T* d = dst + od + i * dR;
        const T* x = src + os + i;
        if (accumulate) {
          for (int64_t j = j0; j < j1; j++) d[j] += x[j * sC];
        } else {
          for (int64_t j = j0; j < j1; j++) d[j] = x[j * sC];
        }
      }
    }
  });
  return true;
}

}  // namespace

template <class T>
void copy(T* dst, const int32_t* dstStrides, const T* src, const int32_t* srcStrides,
          const int32_t* shape, int rank, bool accumulate) {
  const int32_t* strides[] = {dstStrides, srcStrides};
  Strided s = collapse(rank, shape, strides, 2);
  if (copy_transposed(dst, src, s, accumulate)) return;
  const int64_t n = s.row_length();
  const int64_t sd = s.stride[0][s.rank - 1], ss = s.stride[1][s.rank - 1];
  for_each_row(s, kGrain, [&](const int64_t* off, int64_t) {
    copy_row(dst + off[0], sd, src + off[1], ss, n, accumulate);
  });
}

template <class T>
void fill(T* out, T value, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) out[i] = value;
  });
}

template void copy<float>(float*, const int32_t*, const float*, const int32_t*, const int32_t*, int,
                          bool);
template void copy<int32_t>(int32_t*, const int32_t*, const int32_t*, const int32_t*,
                            const int32_t*, int, bool);
template void fill<float>(float*, float, int64_t);
template void fill<int32_t>(int32_t*, int32_t, int64_t);

}  // namespace tt
