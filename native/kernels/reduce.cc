// Sum and max (with argmax) over the middle axis of x viewed as (outer, size, inner), and the
// gradient of max.
#include <algorithm>
#include <cstring>
#include <vector>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kInnerChunk = 1024;  // columns per task when inner > 1: fits L1 with the rows

// inner == 1: each output is one contiguous row of `size` elements.
TT_SIMD float row_sum(const float* x, int64_t n) {
  vf a0 = {}, a1 = {};
  int64_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) a0 += vload(x + i), a1 += vload(x + i + kLanes);
  for (; i + kLanes <= n; i += kLanes) a0 += vload(x + i);
  if (i < n) a1 += vload_part(x + i, n - i, 0.0f);
  return hsum(a0 + a1);
}

// The first index of the maximum; a NaN wins (as torch.max), so divergence shows.
TT_SIMD int64_t row_argmax(const float* x, int64_t n) {
  vf m = vsplat(-__builtin_inff());
  vi nan = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const vf v = vload(x + i);
    m = vmax(m, v);
    nan |= v != v;
  }
  float best = hmax(m);
  bool any_nan = false;
  for (int k = 0; k < kLanes; k++) any_nan |= nan[k] != 0;
  for (; i < n; i++) best = x[i] > best ? x[i] : best, any_nan |= x[i] != x[i];
  for (i = 0; i < n; i++)
    if (any_nan ? x[i] != x[i] : x[i] == best) return i;
  return 0;  // -inf everywhere
}

// inner > 1: accumulate whole rows of `len` columns, which vectorises across the columns.
TT_SIMD void cols_sum(float* out, const float* x, int64_t size, int64_t inner, int64_t len) {
  std::memcpy(out, x, len * sizeof(float));
  for (int64_t s = 1; s < size; s++) {
    const float* row = x + s * inner;
    for (int64_t i = 0; i < len; i++) out[i] += row[i];
  }
}

TT_SIMD void cols_max(float* out, int32_t* arg, const float* x, int64_t size, int64_t inner,
                      int64_t len) {
  std::memcpy(out, x, len * sizeof(float));
  for (int64_t i = 0; i < len; i++) arg[i] = 0;
  for (int64_t s = 1; s < size; s++) {
    const float* row = x + s * inner;
    const int32_t si = static_cast<int32_t>(s);
    for (int64_t i = 0; i < len; i++) {
      // A NaN wins and then stays, since nothing compares greater than it.
      bool better = row[i] > out[i] || (row[i] != row[i] && out[i] == out[i]);
      out[i] = better ? row[i] : out[i];
      arg[i] = better ? si : arg[i];
    }
  }
}

}  // namespace

void reduce(int op, float* out, int32_t* argmax, const float* x, int64_t outer, int64_t size,
            int64_t inner) {
  if (size == 0) {  // the empty reduction: 0 for sum, -inf for max
    fill(out, op == kSum ? 0.0f : -__builtin_inff(), outer * inner);
    if (argmax != nullptr) fill(argmax, int32_t(0), outer * inner);
    return;
  }
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, kGrain / size), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; o++) {
        const float* row = x + o * size;
        if (op == kSum) {
          out[o] = row_sum(row, size);
        } else {
          int64_t a = row_argmax(row, size);
          out[o] = row[a];
          if (argmax != nullptr) argmax[o] = static_cast<int32_t>(a);
        }
      }
    });
    return;
  }
  std::vector<int32_t> scratch;
  const int64_t chunks = (inner + kInnerChunk - 1) / kInnerChunk;
  if (op == kMax && argmax == nullptr) scratch.resize(outer * inner);
  int32_t* arg = argmax != nullptr ? argmax : scratch.data();
  const int64_t grain = std::max<int64_t>(1, kGrain / (size * std::min(inner, kInnerChunk)));
  parallel_for(outer * chunks, grain, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t o = t / chunks, i0 = (t % chunks) * kInnerChunk;
      const int64_t len = std::min(kInnerChunk, inner - i0);
      const float* src = x + o * size * inner + i0;
      if (op == kSum) {
        cols_sum(out + o * inner + i0, src, size, inner, len);
      } else {
        cols_max(out + o * inner + i0, arg + o * inner + i0, src, size, inner, len);
      }
    }
  });
}

void max_backward(float* dx, const float* dy, const int32_t* argmax, int64_t outer, int64_t size,
                  int64_t inner) {
  parallel_for(outer, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, size * inner)),
               [&](int64_t o0, int64_t o1) {
                 for (int64_t o = o0; o < o1; o++) {
                   float* d = dx + o * size * inner;
                   std::memset(d, 0, size * inner * sizeof(float));
                   for (int64_t i = 0; i < inner; i++)
                     d[argmax[o * inner + i] * inner + i] = dy[o * inner + i];
                 }
               });
}

}  // namespace tt
