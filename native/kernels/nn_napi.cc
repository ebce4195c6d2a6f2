// The JS face of the network-level kernels (loss, attention, optimiser); kernels_napi.cc holds the
// tensor-level ones. Same positional arguments as the Backend methods.
#include <napi.h>

#include "kernels.h"
#include "napi_args.h"

namespace tt {
namespace {

using Info = Napi::CallbackInfo;

Napi::Value CrossEntropy(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "crossEntropy");
    int64_t rows = a.count(4, "rows"), V = a.count(5, "V");
    int32_t ignore = a.int32(7, "ignoreIndex");
    const int32_t* targets = a.array<int32_t>(3, "targets", rows);
    check_indices(a, "targets", targets, rows, V, ignore);
    cross_entropy(a.array<float>(0, "loss", rows), a.array<float>(1, "lse", rows),
                  a.array<float>(2, "logits", mul(a, "V", rows, V)), targets, rows, V,
                  a.number(6, "eps"), ignore);
  });
}

Napi::Value CrossEntropyBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "crossEntropyBackward");
    int64_t rows = a.count(5, "rows"), V = a.count(6, "V"), n = mul(a, "V", rows, V);
    int32_t ignore = a.int32(8, "ignoreIndex");
    const int32_t* targets = a.array<int32_t>(3, "targets", rows);
    check_indices(a, "targets", targets, rows, V, ignore);
    cross_entropy_backward(a.array<float>(0, "dlogits", n), a.array<float>(1, "logits", n),
                           a.array<float>(2, "lse", rows), targets,
                           a.array<float>(4, "dloss", rows), rows, V, a.number(7, "eps"), ignore);
  });
}

// Reads B, H, Tq, Tk, D, Dv, scale from argument `first` on, and the dropout triple at `drop`.
AttentionShape attention_shape(const Args& a, size_t first, size_t drop) {
  AttentionShape s;
  s.B = a.count(first, "B");
  s.H = a.count(first + 1, "H");
  s.Tq = a.count(first + 2, "Tq");
  s.Tk = a.count(first + 3, "Tk");
  s.D = a.count(first + 4, "D");
  s.Dv = a.count(first + 5, "Dv");
  s.scale = a.number(first + 6, "scale");
  s.threshold = a.uint32(drop, "threshold");
  s.dropScale = a.number(drop + 1, "dropScale");
  s.seed = a.uint32(drop + 2, "seed");
  mul(a, "Tk", mul(a, "Tq", mul(a, "H", s.B, s.H), std::max(s.Tq, s.Tk)),
      std::max(std::max(s.Tk, s.D), s.Dv));
  return s;
}

Napi::Value Attention(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "attention");
    AttentionShape s = attention_shape(a, 5, 15);
    const int64_t BH = s.B * s.H;
    const float* mask = a.array_or_null<float>(13, "mask", 0);
    const int32_t* ms = nullptr;
    if (mask != nullptr) {
      ms = a.array<int32_t>(14, "maskStrides", 4);
      const int64_t dims[] = {s.B, s.H, s.Tq, s.Tk};
      int64_t reach = 1;
      for (int d = 0; d < 4; d++) {
        if (ms[d] < 0) a.fail(true, "maskStrides", "has a negative stride");
        reach += (dims[d] - 1) * ms[d];
      }
      if (BH * s.Tq * s.Tk > 0) a.array<float>(13, "mask", reach);
    }
    attention(a.array<float>(0, "out", BH * s.Tq * s.Dv),
              a.array<float>(1, "weights", BH * s.Tq * s.Tk),
              a.array<float>(2, "q", BH * s.Tq * s.D), a.array<float>(3, "k", BH * s.Tk * s.D),
              a.array<float>(4, "v", BH * s.Tk * s.Dv), s, a.flag(12, "causal"), mask, ms);
  });
}

Napi::Value AttentionBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "attentionBackward");
    AttentionShape s = attention_shape(a, 8, 15);
    const int64_t BH = s.B * s.H;
    attention_backward(
        a.array<float>(0, "dq", BH * s.Tq * s.D), a.array<float>(1, "dk", BH * s.Tk * s.D),
        a.array<float>(2, "dv", BH * s.Tk * s.Dv), a.array<float>(3, "dout", BH * s.Tq * s.Dv),
        a.array<float>(4, "q", BH * s.Tq * s.D), a.array<float>(5, "k", BH * s.Tk * s.D),
        a.array<float>(6, "v", BH * s.Tk * s.Dv), a.array<float>(7, "weights", BH * s.Tq * s.Tk),
        s);
  });
}

Napi::Value Adam(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "adam");
    int64_t n = a.count(4, "n");
    AdamParams p;
    p.lr = a.number(5, "lr");
    p.beta1 = a.number(6, "beta1");
    p.beta2 = a.number(7, "beta2");
    p.eps = a.number(8, "eps");
    p.weightDecay = a.number(9, "weightDecay");
    p.decoupled = a.flag(10, "decoupled");
    p.biasCorrection1 = a.number(11, "biasCorrection1");
    p.biasCorrection2 = a.number(12, "biasCorrection2");
    adam(a.array<float>(0, "param", n), a.array<float>(1, "grad", n), a.array<float>(2, "m", n),
         a.array<float>(3, "v", n), n, p);
  });
}

}  // namespace

void RegisterNnKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("crossEntropy", Napi::Function::New(env, CrossEntropy));
  exports.Set("crossEntropyBackward", Napi::Function::New(env, CrossEntropyBackward));
  exports.Set("attention", Napi::Function::New(env, Attention));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
  exports.Set("adam", Napi::Function::New(env, Adam));
}

}  // namespace tt
