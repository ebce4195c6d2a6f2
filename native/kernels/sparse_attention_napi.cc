// The JS face of sparse attention (sparse_attention.cc): the Backend methods' positional arguments,
// with the pattern checked in full, since the kernels follow its offsets and indices unguarded.
#include <napi.h>

#include <algorithm>
#include <string>

#include "kernels.h"
#include "napi_args.h"

namespace tt {
namespace {

using Info = Napi::CallbackInfo;

struct Sparse {
  SparseAttentionShape s;
  const int32_t* offsets;
  const int32_t* indices;
};

// Reads offsets, indices, groups, B, H, Tq, Tk, D, Dv, scale from argument `first` on.
Sparse sparse_args(const Args& a, size_t first) {
  Sparse p;
  SparseAttentionShape& s = p.s;
  s.groups = a.count(first + 2, "groups");
  s.B = a.count(first + 3, "B");
  s.H = a.count(first + 4, "H");
  s.Tq = a.count(first + 5, "Tq");
  s.Tk = a.count(first + 6, "Tk");
  s.D = a.count(first + 7, "D");
  s.Dv = a.count(first + 8, "Dv");
  s.scale = a.number(first + 9, "scale");
  const int64_t BH = mul(a, "H", s.B, s.H);
  mul(a, "Tk", mul(a, "Tq", BH, std::max(s.Tq, s.Tk)), std::max(std::max(s.Tk, s.D), s.Dv));
  if (s.groups != 1 && s.groups != s.B && s.groups != BH)
    a.fail(true, "groups", "must be 1, B or B*H, got " + std::to_string(s.groups));
  p.offsets = a.array<int32_t>(first, "offsets", mul(a, "groups", s.groups, s.Tq + 1));
  p.indices = a.array<int32_t>(first + 1, "indices", 0);
  const int64_t nnz = a.length(first + 1);
  for (int64_t g = 0; g < s.groups; g++) {
    const int32_t* o = p.offsets + g * (s.Tq + 1);
    if (o[0] < 0 || o[s.Tq] > nnz)
      a.fail(true, "offsets",
             "of group " + std::to_string(g) + " leave [0, " + std::to_string(nnz) + "]");
    for (int64_t i = 0; i < s.Tq; i++)
      if (o[i + 1] < o[i]) a.fail(true, "offsets", "decrease in group " + std::to_string(g));
    check_indices(a, "indices", p.indices + o[0], o[s.Tq] - o[0], s.Tk);
  }
  return p;
}

Napi::Value SparseAttention(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "sparseAttention");
    const Sparse p = sparse_args(a, 6);
    const SparseAttentionShape& s = p.s;
    const int64_t BH = s.B * s.H;
    sparse_attention(
        a.array<float>(0, "out", BH * s.Tq * s.Dv), a.array<float>(1, "lse", BH * s.Tq),
        a.array_or_null<float>(2, "weights", BH * s.Tq * s.Tk),
        a.array<float>(3, "q", BH * s.Tq * s.D), a.array<float>(4, "k", BH * s.Tk * s.D),
        a.array<float>(5, "v", BH * s.Tk * s.Dv), p.offsets, p.indices, s);
  });
}

Napi::Value SparseAttentionBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "sparseAttentionBackward");
    const Sparse p = sparse_args(a, 8);
    const SparseAttentionShape& s = p.s;
    const int64_t BH = s.B * s.H;
    sparse_attention_backward(
        a.array<float>(0, "dq", BH * s.Tq * s.D), a.array<float>(1, "dk", BH * s.Tk * s.D),
        a.array<float>(2, "dv", BH * s.Tk * s.Dv), a.array<float>(3, "dout", BH * s.Tq * s.Dv),
        a.array<float>(4, "q", BH * s.Tq * s.D), a.array<float>(5, "k", BH * s.Tk * s.D),
        a.array<float>(6, "v", BH * s.Tk * s.Dv), a.array<float>(7, "lse", BH * s.Tq), p.offsets,
        p.indices, s);
  });
}

}  // namespace

void RegisterSparseAttentionKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("sparseAttention", Napi::Function::New(env, SparseAttention));
  exports.Set("sparseAttentionBackward", Napi::Function::New(env, SparseAttentionBackward));
}

}  // namespace tt
