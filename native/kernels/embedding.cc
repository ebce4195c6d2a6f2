// Token embedding lookup (section 3.4) and its gradient, a scatter-add over repeated ids.
#include <algorithm>
#include <cstring>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 15;

TT_SIMD void add_row(float* dst, const float* src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] += src[i];
}

}  // namespace

void embedding(float* out, const float* table, const int32_t* ids, int64_t n, int64_t dim) {
  parallel_for(n, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, dim)),
               [&](int64_t i0, int64_t i1) {
                 for (int64_t i = i0; i < i1; i++)
                   std::memcpy(out + i * dim, table + int64_t(ids[i]) * dim, dim * sizeof(float));
               });
}

// Repeated ids make rows collide, so threads never split the ids: wide rows are split by columns
// (every task walks all ids over its own column range); narrow rows are split by id residue
// (task t owns the table rows with id % T == t). Either way each table element has one writer and
// the sums are added in id order, so the result does not depend on the thread count.
void embedding_backward(float* dtable, const float* dy, const int32_t* ids, int64_t n,
                        int64_t dim) {
  const int64_t work = n * dim;
  const int tasks = static_cast<int>(std::min<int64_t>(num_threads(), std::max<int64_t>(1, work / kGrain)));
  if (dim >= 64 * tasks) {
    parallel_run(tasks, [&](int t, int T) {
      const int64_t c0 = dim * t / T, c1 = dim * (t + 1) / T;
      for (int64_t i = 0; i < n; i++)
        add_row(dtable + int64_t(ids[i]) * dim + c0, dy + i * dim + c0, c1 - c0);
    });
    return;
  }
  parallel_run(tasks, [&](int t, int T) {
    for (int64_t i = 0; i < n; i++)
      if (ids[i] % T == t) add_row(dtable + int64_t(ids[i]) * dim, dy + i * dim, dim);
  });
}

}  // namespace tt
