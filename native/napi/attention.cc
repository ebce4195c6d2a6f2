// The JS face of dense and sparse attention (attention.cc, sparse_attention.cc). Sizes arrive as
// the AttentionShape / SparseAttentionShape objects of src/backend/backend.ts; a sparse pattern is
// checked in full, since the kernels follow its offsets and indices unguarded.
#include <napi.h>

#include <algorithm>
#include <string>

#include "../kernels/kernels.h"
#include "args.h"

namespace tt {
namespace {

using Info = Napi::CallbackInfo;

// B, H, Tq, Tk, D, Dv and scale: the fields both shape structs share.
template <class S>
void read_dims(const Args& a, const Fields& f, S* s) {
  s->B = f.count("B");
  s->H = f.count("H");
  s->Tq = f.count("Tq");
  s->Tk = f.count("Tk");
  s->D = f.count("D");
  s->Dv = f.count("Dv");
  s->scale = f.number("scale");
  // Every array size below is a product of these; none may overflow int64.
  mul(a, "shape.Tk", mul(a, "shape.Tq", mul(a, "shape.H", s->B, s->H), std::max(s->Tq, s->Tk)),
      std::max({s->Tk, s->D, s->Dv}));
}

AttentionShape attention_shape(const Args& a, size_t i) {
  Fields f(a, i, "shape");
  AttentionShape s;
  read_dims(a, f, &s);
  s.threshold = f.uint32("threshold");
  s.dropScale = f.number("dropScale");
  s.seed = f.uint32("seed");
  return s;
}

struct Sparse {
  SparseAttentionShape s;
  const int32_t* offsets;
  const int32_t* indices;
};

// The SparseAttentionShape at argument `shape`, and the pattern's offsets and indices at `first`
// and `first + 1`, checked to stay inside [0, nnz) and [0, Tk).
Sparse sparse_args(const Args& a, size_t first, size_t shape) {
  Sparse p;
  SparseAttentionShape& s = p.s;
  Fields f(a, shape, "shape");
  s.groups = f.count("groups");
  read_dims(a, f, &s);
  const int64_t BH = s.B * s.H;
  if (s.groups != 1 && s.groups != s.B && s.groups != BH)
    a.fail(true, "shape.groups", "must be 1, B or B*H, got " + std::to_string(s.groups));
  p.offsets = a.array<int32_t>(first, "offsets", mul(a, "shape.groups", s.groups, s.Tq + 1));
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

}  // namespace

namespace glue {

// attention(out, weights, q, k, v, shape, causal, mask, maskStrides)
Napi::Value Attention(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "attention");
    AttentionShape s = attention_shape(a, 5);
    const int64_t BH = s.B * s.H;
    const float* mask = a.array_or_null<float>(7, "mask", 0);
    const int32_t* ms = nullptr;
    if (mask != nullptr) {
      ms = a.array<int32_t>(8, "maskStrides", 4);
      const int64_t dims[] = {s.B, s.H, s.Tq, s.Tk};
      int64_t reach = 1;
      for (int d = 0; d < 4; d++) {
        if (ms[d] < 0) a.fail(true, "maskStrides", "has a negative stride");
        reach += (dims[d] - 1) * ms[d];
      }
      if (BH * s.Tq * s.Tk > 0) a.array<float>(7, "mask", reach);
    }
    attention(a.array<float>(0, "out", BH * s.Tq * s.Dv),
              a.array<float>(1, "weights", BH * s.Tq * s.Tk),
              a.array<float>(2, "q", BH * s.Tq * s.D), a.array<float>(3, "k", BH * s.Tk * s.D),
              a.array<float>(4, "v", BH * s.Tk * s.Dv), s, a.flag(6, "causal"), mask, ms);
  });
}

// attentionBackward(dq, dk, dv, dout, q, k, v, weights, shape)
Napi::Value AttentionBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "attentionBackward");
    AttentionShape s = attention_shape(a, 8);
    const int64_t BH = s.B * s.H;
    attention_backward(
        a.array<float>(0, "dq", BH * s.Tq * s.D), a.array<float>(1, "dk", BH * s.Tk * s.D),
        a.array<float>(2, "dv", BH * s.Tk * s.Dv), a.array<float>(3, "dout", BH * s.Tq * s.Dv),
        a.array<float>(4, "q", BH * s.Tq * s.D), a.array<float>(5, "k", BH * s.Tk * s.D),
        a.array<float>(6, "v", BH * s.Tk * s.Dv), a.array<float>(7, "weights", BH * s.Tq * s.Tk),
        s);
  });
}

// attentionCached(out, weights, q, k, v, index, mask, shape, causal)
Napi::Value AttentionCached(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "attentionCached");
    Fields f(a, 7, "shape");
    CachedAttentionShape s;
    s.N = f.count("N");
    s.H = f.count("H");
    s.Tq = f.count("Tq");
    s.Tk = f.count("Tk");
    s.D = f.count("D");
    s.slots = f.count("slots");
    s.capacity = f.count("capacity");
    s.scale = f.number("scale");
    if (s.Tk > s.capacity) a.fail(true, "shape.Tk", "exceeds shape.capacity");
    const int64_t NH = mul(a, "shape.H", s.N, s.H);
    const int64_t cache = mul(a, "shape.capacity", mul(a, "shape.H", s.slots, s.H), mul(a, "shape.D", s.capacity, s.D));
    const int32_t* index = a.array<int32_t>(5, "index", mul(a, "shape.capacity", s.N, s.capacity));
    for (int64_t n = 0; n < s.N; n++) check_indices(a, "index", index + n * s.capacity, s.Tk, s.slots);
    cached_attention(a.array<float>(0, "out", mul(a, "shape.D", NH * s.Tq, s.D)),
                     a.array_or_null<float>(1, "weights", mul(a, "shape.Tk", NH * s.Tq, s.Tk)),
                     a.array<float>(2, "q", mul(a, "shape.D", NH * s.Tq, s.D)), a.array<float>(3, "k", cache),
                     a.array<float>(4, "v", cache), index,
                     a.array_or_null<float>(6, "mask", s.slots * s.capacity), s, a.flag(8, "causal"));
  });
}

// sparseAttention(out, lse, weights, q, k, v, offsets, indices, shape)
Napi::Value SparseAttention(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "sparseAttention");
    const Sparse p = sparse_args(a, 6, 8);
    const SparseAttentionShape& s = p.s;
    const int64_t BH = s.B * s.H;
    sparse_attention(
        a.array<float>(0, "out", BH * s.Tq * s.Dv), a.array<float>(1, "lse", BH * s.Tq),
        a.array_or_null<float>(2, "weights", BH * s.Tq * s.Tk),
        a.array<float>(3, "q", BH * s.Tq * s.D), a.array<float>(4, "k", BH * s.Tk * s.D),
        a.array<float>(5, "v", BH * s.Tk * s.Dv), p.offsets, p.indices, s);
  });
}

// sparseAttentionBackward(dq, dk, dv, dout, q, k, v, lse, offsets, indices, shape)
Napi::Value SparseAttentionBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "sparseAttentionBackward");
    const Sparse p = sparse_args(a, 8, 10);
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

}  // namespace glue
}  // namespace tt
