// Strided copy (the kernel behind transpose, slicing, concatenation and broadcast materialisation)
// and fill, for float32 and int32 arrays.
#include <cstring>

#include "kernels.h"
#include "strided.h"
#include "vec.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 15;

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

}  // namespace

template <class T>
void copy(T* dst, const int32_t* dstStrides, const T* src, const int32_t* srcStrides,
          const int32_t* shape, int rank, bool accumulate) {
  const int32_t* strides[] = {dstStrides, srcStrides};
  Strided s = collapse(rank, shape, strides, 2);
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
