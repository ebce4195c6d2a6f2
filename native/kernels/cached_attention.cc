// Attention over a decoding cache that does not move (section 3.2.1 on the decoder's cached keys): the
// keys and values of every step are written once into rows of a preallocated cache, and each query row
// finds its keys through an index, so reordering beams or dropping finished sentences moves indices,
// never keys. One (row, head) pair per task; D is a head's size (64 in the base model), so the dot
// products and the weighted sum run on whole vectors.
#include <algorithm>
#include <vector>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

// The sum of the lanes by halves (four vector adds), where hsum adds them one by one.
TT_INLINE float lane_sum(vf v) {
#if defined(__clang__)
  vf t = v + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  t = t + __builtin_shufflevector(t, t, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
  t = t + __builtin_shufflevector(t, t, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  t = t + __builtin_shufflevector(t, t, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
#else
  vf t = v + __builtin_shuffle(v, vi{8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7});
  t = t + __builtin_shuffle(t, vi{4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11});
  t = t + __builtin_shuffle(t, vi{2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13});
  t = t + __builtin_shuffle(t, vi{1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14});
#endif
  return t[0];
}

TT_INLINE float dot(const float* a, const float* b, int64_t n) {
  vf acc = vsplat(0.0f);
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes) acc += vload(a + d) * vload(b + d);
  float s = lane_sum(acc);
  for (; d < n; d++) s += a[d] * b[d];
  return s;
}

// y += alpha x
TT_INLINE void axpy_row(float* y, const float* x, float alpha, int64_t n) {
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes) vstore(y + d, vload(y + d) + vload(x + d) * alpha);
  for (; d < n; d++) y[d] += alpha * x[d];
}

// One query row of one head: scores over its `seen` keys (the rest -inf), softmax, weighted sum of
// the values. All of it in one clone, so the per-key products are inlined, not calls. With V whole
// vectors per head (D = 16 V), the query and the output stay in registers across the keys; V = 0 is
// any D, with the output summed in memory.
template <int V>
TT_INLINE void attend_row_body(float* o, float* row, const float* qi, const float* k, const float* v,
                               const int32_t* slot, const float* mask, const CachedAttentionShape& s,
                               int64_t h, int64_t seen) {
  const int64_t D = s.D, cap = s.capacity;
  vf qv[V > 0 ? V : 1];
  for (int u = 0; u < V; u++) qv[u] = vload(qi + u * kLanes);
  for (int64_t j = 0; j < seen; j++) {
    const float* kj = k + ((slot[j] * s.H + h) * cap + j) * D;
    float dotted;
    if constexpr (V > 0) {
      vf acc = qv[0] * vload(kj);
      for (int u = 1; u < V; u++) acc += qv[u] * vload(kj + u * kLanes);
      dotted = lane_sum(acc);
    } else {
      dotted = dot(qi, kj, D);
    }
    row[j] = s.scale * dotted + (mask != nullptr ? mask[slot[j] * cap + j] : 0.0f);
  }
  std::fill(row + seen, row + s.Tk, -__builtin_inff());
  softmax_row(row, row, s.Tk);
  if constexpr (V > 0) {
    vf ov[V];
    for (int u = 0; u < V; u++) ov[u] = vsplat(0.0f);
    for (int64_t j = 0; j < seen; j++) {
      const float w = row[j];
      if (w == 0.0f) continue;  // a masked key's value never enters, even if it is not finite
      const float* vj = v + ((slot[j] * s.H + h) * cap + j) * D;
      for (int u = 0; u < V; u++) ov[u] += vload(vj + u * kLanes) * w;
    }
    for (int u = 0; u < V; u++) vstore(o + u * kLanes, ov[u]);
  } else {
    std::fill(o, o + D, 0.0f);
    for (int64_t j = 0; j < seen; j++)
      if (row[j] != 0.0f) axpy_row(o, v + ((slot[j] * s.H + h) * cap + j) * D, row[j], D);
  }
}

TT_SIMD void attend_row(float* o, float* row, const float* qi, const float* k, const float* v, const int32_t* slot,
                        const float* mask, const CachedAttentionShape& s, int64_t h, int64_t seen) {
  switch (s.D) {
    case 32:
      return attend_row_body<2>(o, row, qi, k, v, slot, mask, s, h, seen);
    case 64:
      return attend_row_body<4>(o, row, qi, k, v, slot, mask, s, h, seen);
    case 128:
      return attend_row_body<8>(o, row, qi, k, v, slot, mask, s, h, seen);
    default:
      return attend_row_body<0>(o, row, qi, k, v, slot, mask, s, h, seen);
  }
}

}  // namespace

void cached_attention(float* out, float* weights, const float* q, const float* k, const float* v,
                      const int32_t* index, const float* mask, const CachedAttentionShape& s,
                      bool causal) {
  const int64_t Tq = s.Tq, Tk = s.Tk, D = s.D, cap = s.capacity;
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 14) / std::max<int64_t>(1, Tq * Tk * D));
  parallel_for(s.N * s.H, grain, [&](int64_t p0, int64_t p1) {
    thread_local std::vector<float> scores;
    if (static_cast<int64_t>(scores.size()) < Tk) scores.resize(Tk);
    float* row = scores.data();
    for (int64_t p = p0; p < p1; p++) {
      const int64_t n = p / s.H, h = p % s.H;
      const int32_t* slot = index + n * cap;
      for (int64_t i = 0; i < Tq; i++) {
        // Bottom-right aligned causal mask: query i sees keys up to i + (Tk - Tq).
        const int64_t seen = causal ? std::max<int64_t>(0, std::min(Tk, i + (Tk - Tq) + 1)) : Tk;
        attend_row(out + (p * Tq + i) * D, row, q + (p * Tq + i) * D, k, v, slot, mask, s, h, seen);
        if (weights != nullptr) std::copy(row, row + Tk, weights + (p * Tq + i) * Tk);
      }
    }
  });
}

}  // namespace tt
