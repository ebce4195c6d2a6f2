// Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019), the optimiser of section 5.3, as one
// fused pass over parameters, gradients and both moments.
#include <cmath>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

TT_SIMD void adam_range(float* param, const float* grad, float* m, float* v, int64_t n,
                        const AdamParams& p) {
  const float b1 = p.beta1, b2 = p.beta2, c1 = 1.0f - p.beta1, c2 = 1.0f - p.beta2;
  const float step = p.lr / p.biasCorrection1, rbc2 = 1.0f / p.biasCorrection2;
  const float eps = p.eps, wd = p.weightDecay, decay = 1.0f - p.lr * p.weightDecay;
  if (p.decoupled) {
    for (int64_t i = 0; i < n; i++) {
      const float g = grad[i];
      const float mi = b1 * m[i] + c1 * g, vi = b2 * v[i] + c2 * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] = param[i] * decay - step * mi / (std::sqrt(vi * rbc2) + eps);
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      const float g = grad[i] + wd * param[i];
      const float mi = b1 * m[i] + c1 * g, vi = b2 * v[i] + c2 * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] -= step * mi / (std::sqrt(vi * rbc2) + eps);
    }
  }
}

}  // namespace

void adam(float* param, const float* grad, float* m, float* v, int64_t n, const AdamParams& p) {
  parallel_for(n, 1 << 15, [&](int64_t i0, int64_t i1) {
    adam_range(param + i0, grad + i0, m + i0, v + i0, i1 - i0, p);
  });
}

}  // namespace tt
