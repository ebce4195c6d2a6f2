// Cross-entropy with label smoothing (section 5.4 of the paper, eps_ls = 0.1) over rows of logits,
// fused with its log-sum-exp, and its gradient.
#include <algorithm>
#include <cmath>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 14;

// loss = (1 - eps)(lse - x[t]) + eps (lse - mean x), unless loss is null; returns lse.
TT_SIMD float loss_row(float* loss, const float* x, int64_t V, int32_t target, float eps) {
  vf m = vsplat(-__builtin_inff());
  int64_t i = 0;
  for (; i + kLanes <= V; i += kLanes) m = vmax(m, vload(x + i));
  if (i < V) m = vmax(m, vload_part(x + i, V - i, -__builtin_inff()));
  const float mx = hmax(m);
  const vf mv = vsplat(mx);
  vf se = {}, sx = {};
  for (i = 0; i + kLanes <= V; i += kLanes) {
    const vf xv = vload(x + i);
    se += vexp(xv - mv);
    sx += xv;
  }
  if (i < V) {
    se += vexp(vload_part(x + i, V - i, -__builtin_inff()) - mv);
    sx += vload_part(x + i, V - i, 0.0f);
  }
  const float lse = mx + std::log(hsum(se));
  if (loss == nullptr) return lse;
  // Without smoothing the mean term is skipped: a -inf logit must not make 0 * inf = NaN.
  float value = (1.0f - eps) * (lse - x[target]);
  if (eps != 0.0f) value += eps * (lse - hsum(sx) / V);
  *loss = value;
  return lse;
}

TT_SIMD void grad_row(float* d, const float* x, float lse, int64_t V, int32_t target, float eps,
                      float dl) {
  const vf lv = vsplat(lse), dv = vsplat(dl), off = vsplat(eps / V);
  int64_t i = 0;
  for (; i + kLanes <= V; i += kLanes) vstore(d + i, dv * (vexp(vload(x + i) - lv) - off));
  if (i < V) vstore_part(d + i, dv * (vexp(vload_part(x + i, V - i, 0.0f) - lv) - off), V - i);
  d[target] -= dl * (1.0f - eps);
}

template <class Row>
void for_rows(int64_t rows, int64_t V, Row row) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, V)),
               [&](int64_t r0, int64_t r1) {
                 for (int64_t r = r0; r < r1; r++) row(r);
               });
}

}  // namespace

void cross_entropy(float* loss, float* lse, const float* logits, const int32_t* targets,
                   int64_t rows, int64_t V, float eps, int32_t ignoreIndex) {
  for_rows(rows, V, [&](int64_t r) {
    const bool ignored = targets[r] == ignoreIndex;
    if (ignored) loss[r] = 0.0f;
    lse[r] = loss_row(ignored ? nullptr : loss + r, logits + r * V, V, targets[r], eps);
  });
}

void cross_entropy_backward(float* dlogits, const float* logits, const float* lse,
                            const int32_t* targets, const float* dloss, int64_t rows, int64_t V,
                            float eps, int32_t ignoreIndex) {
  for_rows(rows, V, [&](int64_t r) {
    float* d = dlogits + r * V;
    if (targets[r] == ignoreIndex) {
      std::fill(d, d + V, 0.0f);
      return;
    }
    grad_row(d, logits + r * V, lse[r], V, targets[r], eps, dloss[r]);
  });
}

}  // namespace tt
