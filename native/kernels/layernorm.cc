// Layer normalisation over the last axis (Ba et al. 2016, used after every sub-layer of the
// Transformer, section 3.1) and its gradients.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 14;

TT_INLINE float sum(const float* x, int64_t n) {
  vf acc = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) acc += vload(x + i);
  if (i < n) acc += vload_part(x + i, n - i, 0.0f);
  return hsum(acc);
}

// Two passes (mean, then squared deviations) so the variance does not cancel catastrophically.
TT_SIMD void norm_row(float* out, float* mean_out, float* rstd_out, const float* x,
                      const float* gamma, const float* beta, int64_t n, float eps) {
  const float mean = sum(x, n) / n;
  vf acc = {};
  const vf mv = vsplat(mean);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    vf d = vload(x + i) - mv;
    acc += d * d;
  }
  float var = hsum(acc);
  for (; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
  const float rstd = 1.0f / std::sqrt(var / n + eps);
  *mean_out = mean;
  *rstd_out = rstd;
  for (i = 0; i < n; i++)
    out[i] = (x[i] - mean) * rstd * (gamma != nullptr ? gamma[i] : 1.0f) +
             (beta != nullptr ? beta[i] : 0.0f);
}

// dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy * gamma; dgamma += dy xhat, dbeta += dy.
TT_SIMD void norm_backward_row(float* dx, float* dgamma, float* dbeta, const float* dy,
                               const float* x, float mean, float rstd, const float* gamma,
                               int64_t n) {
  vf ag = {}, agx = {};
  const vf mv = vsplat(mean), rv = vsplat(rstd);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const vf xhat = (vload(x + i) - mv) * rv;
    const vf g = gamma != nullptr ? vload(dy + i) * vload(gamma + i) : vload(dy + i);
    ag += g;
    agx += g * xhat;
  }
  float sg = hsum(ag), sgx = hsum(agx);
  for (; i < n; i++) {
    const float xhat = (x[i] - mean) * rstd;
    const float g = gamma != nullptr ? dy[i] * gamma[i] : dy[i];
    sg += g;
    sgx += g * xhat;
  }
  const float a = sg / n, b = sgx / n;
  for (i = 0; i < n; i++) {
    const float xhat = (x[i] - mean) * rstd;
    const float g = gamma != nullptr ? dy[i] * gamma[i] : dy[i];
    dx[i] = rstd * (g - a - xhat * b);
  }
  if (dgamma != nullptr)
    for (i = 0; i < n; i++) dgamma[i] += dy[i] * (x[i] - mean) * rstd;
  if (dbeta != nullptr)
    for (i = 0; i < n; i++) dbeta[i] += dy[i];
}

}  // namespace

void layer_norm(float* out, float* mean, float* rstd, const float* x, const float* gamma,
                const float* beta, int64_t rows, int64_t cols, float eps) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, cols)),
               [&](int64_t r0, int64_t r1) {
                 for (int64_t r = r0; r < r1; r++)
                   norm_row(out + r * cols, mean + r, rstd + r, x + r * cols, gamma, beta, cols,
                            eps);
               });
}

void layer_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* mean, const float* rstd, const float* gamma, int64_t rows,
                         int64_t cols) {
  // Each task sums dgamma and dbeta over its own rows into private buffers, merged afterwards, so
  // the column sums need no atomics.
  const bool affine = dgamma != nullptr || dbeta != nullptr;
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(num_threads(), rows * cols / kGrain));
  std::vector<float> partial(affine ? tasks * 2 * cols : 0, 0.0f);
  parallel_run(static_cast<int>(tasks), [&](int t, int T) {
    const int64_t r0 = rows * t / T, r1 = rows * (t + 1) / T;
    float* pg = dgamma != nullptr ? partial.data() + t * 2 * cols : nullptr;
    float* pb = dbeta != nullptr ? partial.data() + t * 2 * cols + cols : nullptr;
    for (int64_t r = r0; r < r1; r++)
      norm_backward_row(dx + r * cols, pg, pb, dy + r * cols, x + r * cols, mean[r], rstd[r],
                        gamma, cols);
  });
  if (!affine) return;
  for (int64_t c = 0; c < cols; c++) {
    float g = 0, b = 0;
    for (int64_t t = 0; t < tasks; t++) g += partial[t * 2 * cols + c], b += partial[t * 2 * cols + cols + c];
    if (dgamma != nullptr) dgamma[c] = g;
    if (dbeta != nullptr) dbeta[c] = b;
  }
}

}  // namespace tt
