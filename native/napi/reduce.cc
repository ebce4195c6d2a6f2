// The JS face of the reductions (reduce.cc, softmax.cc): sum and max over the middle axis, the
// gradient of max, and row-wise softmax forward and backward.
#include <napi.h>

#include "../kernels/kernels.h"
#include "args.h"

namespace tt {
namespace glue {

using Info = Napi::CallbackInfo;

Napi::Value Reduce(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "reduce");
    int op = op_code(a, 0, kReduceOps);
    int64_t outer = a.count(4, "outer"), size = a.count(5, "size"), inner = a.count(6, "inner");
    int64_t n_out = mul(a, "inner", outer, inner), n_in = mul(a, "size", n_out, size);
    reduce(op, a.array<float>(1, "out", n_out), a.array_or_null<int32_t>(2, "argmax", n_out),
           a.array<float>(3, "x", n_in), outer, size, inner);
  });
}

Napi::Value MaxBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "maxBackward");
    int64_t outer = a.count(3, "outer"), size = a.count(4, "size"), inner = a.count(5, "inner");
    int64_t n_out = mul(a, "inner", outer, inner), n_in = mul(a, "size", n_out, size);
    const int32_t* arg = a.array<int32_t>(2, "argmax", n_out);
    if (size == 0) return;  // dx is empty: there is nothing to route the gradient to
    check_indices(a, "argmax", arg, n_out, size);
    max_backward(a.array<float>(0, "dx", n_in), a.array<float>(1, "dy", n_out), arg, outer, size,
                 inner);
  });
}

Napi::Value Softmax(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "softmax");
    int64_t rows = a.count(2, "rows"), cols = a.count(3, "cols"), n = mul(a, "cols", rows, cols);
    softmax(a.array<float>(0, "out", n), a.array<float>(1, "x", n), rows, cols, a.flag(4, "log"));
  });
}

Napi::Value SoftmaxBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "softmaxBackward");
    int64_t rows = a.count(3, "rows"), cols = a.count(4, "cols"), n = mul(a, "cols", rows, cols);
    softmax_backward(a.array<float>(0, "dx", n), a.array<float>(1, "y", n),
                     a.array<float>(2, "dy", n), rows, cols, a.flag(5, "log"));
  });
}

}  // namespace glue
}  // namespace tt
