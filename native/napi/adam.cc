// The JS face of the Adam / AdamW step (adam.cc); the hyper-parameters arrive as the AdamParams
// object of src/backend/backend.ts.
#include <napi.h>

#include "../kernels/kernels.h"
#include "args.h"

namespace tt {
namespace glue {

// adam(param, grad, m, v, n, params)
Napi::Value Adam(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "adam");
    int64_t n = a.count(4, "n");
    Fields f(a, 5, "params");
    AdamParams p;
    p.lr = f.number("lr");
    p.beta1 = f.number("beta1");
    p.beta2 = f.number("beta2");
    p.eps = f.number("eps");
    p.weightDecay = f.number("weightDecay");
    p.decoupled = f.flag("decoupled");
    p.biasCorrection1 = f.number("biasCorrection1");
    p.biasCorrection2 = f.number("biasCorrection2");
    adam(a.array<float>(0, "param", n), a.array<float>(1, "grad", n), a.array<float>(2, "m", n),
         a.array<float>(3, "v", n), n, p);
  });
}

}  // namespace glue
}  // namespace tt
