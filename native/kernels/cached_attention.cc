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

TT_SIMD float dot(const float* a, const float* b, int64_t n) {
  vf acc = vsplat(0.0f);
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes) acc += vload(a + d) * vload(b + d);
  float s = hsum(acc);
  for (; d < n; d++) s += a[d] * b[d];
  return s;
}

// y += alpha x
TT_SIMD void axpy_row(float* y, const float* x, float alpha, int64_t n) {
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes) vstore(y + d, vload(y + d) + vload(x + d) * alpha);
  for (; d < n; d++) y[d] += alpha * x[d];
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
        const float* qi = q + (p * Tq + i) * D;
        // Bottom-right aligned causal mask: query i sees keys up to i + (Tk - Tq).
        const int64_t seen = causal ? std::max<int64_t>(0, std::min(Tk, i + (Tk - Tq) + 1)) : Tk;
        for (int64_t j = 0; j < seen; j++) {
          const int64_t at = (slot[j] * s.H + h) * cap + j;
          row[j] = s.scale * dot(qi, k + at * D, D) + (mask != nullptr ? mask[slot[j] * cap + j] : 0.0f);
        }
        std::fill(row + seen, row + Tk, -__builtin_inff());
        softmax_row(row, row, Tk);
        float* o = out + (p * Tq + i) * D;
        std::fill(o, o + D, 0.0f);
        for (int64_t j = 0; j < seen; j++)
          if (row[j] != 0.0f) axpy_row(o, v + ((slot[j] * s.H + h) * cap + j) * D, row[j], D);
        if (weights != nullptr) std::copy(row, row + Tk, weights + (p * Tq + i) * Tk);
      }
    }
  });
}

}  // namespace tt
