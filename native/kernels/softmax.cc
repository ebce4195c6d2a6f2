// Row-wise softmax and log-softmax over the last axis, and their gradients.
#include <algorithm>
#include <cmath>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 14;

TT_INLINE float row_max(const float* x, int64_t n) {
  vf m = vsplat(-__builtin_inff());
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) m = vmax(m, vload(x + i));
  if (i < n) m = vmax(m, vload_part(x + i, n - i, -__builtin_inff()));
  return hmax(m);
}

// Sum of exp(x - shift), optionally storing the terms in y.
template <bool kStore>
TT_INLINE float exp_sum(float* y, const float* x, int64_t n, float shift) {
  vf acc = {};
  const vf sh = vsplat(shift);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    vf e = vexp(vload(x + i) - sh);
    if (kStore) vstore(y + i, e);
    acc += e;
  }
  if (i < n) {
    vf e = vexp(vload_part(x + i, n - i, -__builtin_inff()) - sh);
    if (kStore) vstore_part(y + i, e, n - i);
    acc += e;
  }
  return hsum(acc);
}

TT_SIMD void log_softmax_row(float* y, const float* x, int64_t n) {
  const float m = row_max(x, n);
  const float log_sum = std::log(exp_sum<false>(nullptr, x, n, m));
  // (x - m) - log_sum rather than x - (m + log_sum): near the maximum the result is small and the
  // rounding of m + log_sum would dominate it.
  for (int64_t i = 0; i < n; i++) y[i] = (x[i] - m) - log_sum;
}

TT_SIMD void softmax_backward_row(float* dx, const float* y, const float* dy, int64_t n) {
  vf acc = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) acc += vload(dy + i) * vload(y + i);
  float dot = hsum(acc);
  for (; i < n; i++) dot += dy[i] * y[i];
  for (i = 0; i < n; i++) dx[i] = y[i] * (dy[i] - dot);
}

TT_SIMD void log_softmax_backward_row(float* dx, const float* y, const float* dy, int64_t n) {
  vf acc = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) acc += vload(dy + i);
  float sum = hsum(acc);
  for (; i < n; i++) sum += dy[i];
  const vf s = vsplat(sum);
  for (i = 0; i + kLanes <= n; i += kLanes) vstore(dx + i, vload(dy + i) - vexp(vload(y + i)) * s);
  for (; i < n; i++) dx[i] = dy[i] - std::exp(y[i]) * sum;
}

template <class Row>
void for_rows(int64_t rows, int64_t cols, Row row) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, cols)),
               [&](int64_t r0, int64_t r1) {
                 for (int64_t r = r0; r < r1; r++) row(r * cols);
               });
}

}  // namespace

TT_SIMD void softmax_row(float* y, const float* x, int64_t n) {
  const float m = row_max(x, n);
  if (m == -__builtin_inff()) {
    std::fill(y, y + n, 0.0f);
    return;
  }
  const float inv = 1.0f / exp_sum<true>(y, x, n, m);
  for (int64_t i = 0; i < n; i++) y[i] *= inv;
}

// The softmax kernel itself keeps the mathematical answer for a row of only -inf: NaN, as PyTorch.
TT_SIMD void plain_softmax_row(float* y, const float* x, int64_t n) {
  const float m = row_max(x, n);
  const float inv = 1.0f / exp_sum<true>(y, x, n, m);
  for (int64_t i = 0; i < n; i++) y[i] *= inv;
}

void softmax(float* out, const float* x, int64_t rows, int64_t cols, bool log) {
  for_rows(rows, cols, [&](int64_t o) {
    if (log) {
      log_softmax_row(out + o, x + o, cols);
    } else {
      plain_softmax_row(out + o, x + o, cols);
    }
  });
}

void softmax_backward(float* dx, const float* y, const float* dy, int64_t rows, int64_t cols,
                      bool log) {
  for_rows(rows, cols, [&](int64_t o) {
    if (log) {
      log_softmax_backward_row(dx + o, y + o, dy + o, cols);
    } else {
      softmax_backward_row(dx + o, y + o, dy + o, cols);
    }
  });
}

}  // namespace tt
