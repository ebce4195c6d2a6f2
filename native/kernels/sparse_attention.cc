// Sparse scaled dot-product attention (section 3.2.1 over listed query-key pairs only, as in the
// Sparse Transformer, Longformer and BigBird): each query row softmaxes its own keys' scores, so
// the cost is O(pairs * (D + Dv)). Rows are split between threads in ranges holding equal numbers
// of pairs. The backward pass recomputes P from the saved lse, walks the rows for dQ and then the
// transposed pattern (keys to queries) for dK and dV, so no two threads ever add into one row.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

// The sum of v's lanes by halving (vec.h's hsum adds them in order, a chain of 15 dependent adds).
TT_INLINE float tree_sum(vf v) {
  typedef float v8 __attribute__((vector_size(32)));
  typedef float v4 __attribute__((vector_size(16)));
  const v8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
               __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  const v4 b =
      __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
  return (b[0] + b[2]) + (b[1] + b[3]);
}

TT_INLINE float dot(const float* x, const float* y, int64_t n) {
  vf acc = {};
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes) acc += vload(x + d) * vload(y + d);
  float sum = tree_sum(acc);
  for (; d < n; d++) sum += x[d] * y[d];
  return sum;
}

// out[c] = x . y[c] for four rows y[0..3]: one pass over x, one horizontal sum per row.
TT_INLINE void dot4(float* out, const float* x, const float* const* y, int64_t n) {
  vf a0 = {}, a1 = {}, a2 = {}, a3 = {};
  int64_t d = 0;
  for (; d + kLanes <= n; d += kLanes) {
    const vf xv = vload(x + d);
    a0 += xv * vload(y[0] + d);
    a1 += xv * vload(y[1] + d);
    a2 += xv * vload(y[2] + d);
    a3 += xv * vload(y[3] + d);
  }
  out[0] = tree_sum(a0);
  out[1] = tree_sum(a1);
  out[2] = tree_sum(a2);
  out[3] = tree_sum(a3);
  for (; d < n; d++)
    for (int c = 0; c < 4; c++) out[c] += x[d] * y[c][d];
}

// out[j] = scale * x . rows[keys[j] * n] for j < count.
TT_INLINE void dots(float* out, float scale, const float* x, const float* rows, const int32_t* keys,
                    int64_t count, int64_t n) {
  int64_t j = 0;
  for (; j + 4 <= count; j += 4) {
    const float* y[4] = {rows + keys[j] * n, rows + keys[j + 1] * n, rows + keys[j + 2] * n,
                         rows + keys[j + 3] * n};
    dot4(out + j, x, y, n);
    for (int c = 0; c < 4; c++) out[j + c] *= scale;
  }
  for (; j < count; j++) out[j] = scale * dot(x, rows + keys[j] * n, n);
}

// y = sum_c weight(c) row(c) over c < n, for rows of `width` floats. Each column chunk is summed in
// registers across all n rows (adding into y in memory would stall on the previous row's store).
template <class Weight, class Row>
TT_INLINE void weighted_sum(float* y, int64_t n, int64_t width, Weight weight, Row row) {
  int64_t e = 0;
  for (; e + 4 * kLanes <= width; e += 4 * kLanes) {
    vf a0 = {}, a1 = {}, a2 = {}, a3 = {};
    for (int64_t c = 0; c < n; c++) {
      const vf w = vsplat(weight(c));
      const float* r = row(c) + e;
      a0 += w * vload(r);
      a1 += w * vload(r + kLanes);
      a2 += w * vload(r + 2 * kLanes);
      a3 += w * vload(r + 3 * kLanes);
    }
    vstore(y + e, a0);
    vstore(y + e + kLanes, a1);
    vstore(y + e + 2 * kLanes, a2);
    vstore(y + e + 3 * kLanes, a3);
  }
  for (; e + kLanes <= width; e += kLanes) {
    vf a = {};
    for (int64_t c = 0; c < n; c++) a += vsplat(weight(c)) * vload(row(c) + e);
    vstore(y + e, a);
  }
  for (; e < width; e++) {
    float a = 0;
    for (int64_t c = 0; c < n; c++) a += weight(c) * row(c)[e];
    y[e] = a;
  }
}

// p[j] = exp(p[j] - shift) for j < n; returns their sum.
TT_INLINE float exp_shifted(float* p, int64_t n, float shift) {
  vf acc = {};
  const vf sh = vsplat(shift);
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    vf e = vexp(vload(p + j) - sh);
    vstore(p + j, e);
    acc += e;
  }
  if (j < n) {
    vf e = vexp(vload_part(p + j, n - j, -__builtin_inff()) - sh);
    vstore_part(p + j, e, n - j);
    acc += e;
  }
  return tree_sum(acc);
}

float* scratch(int64_t n) {
  thread_local std::vector<float> buffer;
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
  return buffer.data();
}

// (b, h) pairs, each with its own block of `n` + 1 row offsets (rows are queries, or keys in the
// transposed pattern); before[bh] counts the pairs of every earlier (b, h).
struct Csr {
  int64_t BH, n;
  std::vector<const int32_t*> rows;  // rows[bh][r] .. rows[bh][r + 1]: row r's entries
  std::vector<int64_t> before;       // BH + 1 entries

  Csr(int64_t bh_count, int64_t n_rows)
      : BH(bh_count), n(n_rows), rows(bh_count), before(bh_count + 1) {}

  void count() {
    before[0] = 0;
    for (int64_t bh = 0; bh < BH; bh++) before[bh + 1] = before[bh] + (rows[bh][n] - rows[bh][0]);
  }
  // Pairs before flattened row bh * n + r.
  int64_t start(int64_t bh, int64_t r) const { return before[bh] + (rows[bh][r] - rows[bh][0]); }

  // The first flattened row whose pairs start at or after `target` (BH * n when none does).
  int64_t first_row_at(int64_t target) const {
    for (int64_t bh = 0; bh < BH; bh++) {
      if (before[bh + 1] < target) continue;
      const int32_t* o = rows[bh];
      const int64_t want = o[0] + (target - before[bh]);
      const auto below = [](int32_t x, int64_t w) { return x < w; };
      const int64_t r = std::lower_bound(o, o + n, want, below) - o;
      if (r < n) return bh * n + r;
    }
    return BH * n;
  }

  // Runs fn(r0, r1) on flattened row ranges of about equal pair counts, one per thread.
  template <class Fn>
  void parallel_rows(int64_t width, Fn fn) const {
    const int64_t work = (before[BH] + BH * n) * std::max<int64_t>(1, width);
    const int tasks = static_cast<int>(std::clamp<int64_t>(work >> 15, 1, 1 << 10));
    parallel_run(tasks, [&](int t, int T) {
      const int64_t total = before[BH];
      const int64_t r0 = t == 0 ? 0 : first_row_at(total * t / T);
      const int64_t r1 = t == T - 1 ? BH * n : first_row_at(total * (t + 1) / T);
      if (r0 < r1) fn(r0, r1);
    });
  }
};

struct Problem {
  const SparseAttentionShape& s;
  const int32_t* offsets;
  const int32_t* indices;
  Csr byQuery;

  Problem(const SparseAttentionShape& shape, const int32_t* o, const int32_t* idx)
      : s(shape), offsets(o), indices(idx), byQuery(shape.B * shape.H, shape.Tq) {
    for (int64_t bh = 0; bh < byQuery.BH; bh++) byQuery.rows[bh] = offsets + group(bh) * (s.Tq + 1);
    byQuery.count();
  }
  int64_t group(int64_t bh) const {
    return s.groups == 1 ? 0 : s.groups == s.B * s.H ? bh : bh / s.H;
  }
};

// Scores of query row r against its keys into `p`, then P in place; returns lse (-inf when empty).
TT_INLINE float row_probabilities(float* p, const Problem& pr, const float* q, const float* k,
                                  int64_t bh, const int32_t* keys, int64_t n) {
  const SparseAttentionShape& s = pr.s;
  if (n == 0) return -__builtin_inff();
  const float* kb = k + bh * s.Tk * s.D;
  dots(p, s.scale, q, kb, keys, n, s.D);
  float m = -__builtin_inff();
  for (int64_t j = 0; j < n; j++) m = std::max(m, p[j]);
  const float sum = exp_shifted(p, n, m);
  const float inv = 1.0f / sum;
  for (int64_t j = 0; j < n; j++) p[j] *= inv;
  return m + std::log(sum);
}

TT_SIMD void forward_rows(const Problem& pr, float* out, float* lse, float* weights, const float* q,
                          const float* k, const float* v, int64_t r0, int64_t r1) {
  const SparseAttentionShape& s = pr.s;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t bh = r / s.Tq, i = r % s.Tq;
    const int32_t* o = pr.byQuery.rows[bh];
    const int32_t* keys = pr.indices + o[i];
    const int64_t n = o[i + 1] - o[i];
    float* p = scratch(n);
    lse[r] = row_probabilities(p, pr, q + r * s.D, k, bh, keys, n);
    const float* vb = v + bh * s.Tk * s.Dv;
    weighted_sum(
        out + r * s.Dv, n, s.Dv, [&](int64_t j) { return p[j]; },
        [&](int64_t j) { return vb + keys[j] * s.Dv; });
    if (weights != nullptr)
      for (int64_t j = 0; j < n; j++) weights[r * s.Tk + keys[j]] = p[j];
  }
}

// dQ row by row; P and scale * dS of every pair go to `P` and `dS` at the pair's position.
TT_SIMD void backward_rows(const Problem& pr, float* dq, float* P, float* dS, const float* dout,
                           const float* q, const float* k, const float* v, const float* lse,
                           int64_t r0, int64_t r1) {
  const SparseAttentionShape& s = pr.s;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t bh = r / s.Tq, i = r % s.Tq;
    const int32_t* o = pr.byQuery.rows[bh];
    const int32_t* keys = pr.indices + o[i];
    const int64_t n = o[i + 1] - o[i], at = pr.byQuery.start(bh, i);
    const float *qi = q + r * s.D, *gi = dout + r * s.Dv;
    const float *kb = k + bh * s.Tk * s.D, *vb = v + bh * s.Tk * s.Dv;
    dots(P + at, s.scale, qi, kb, keys, n, s.D);
    dots(dS + at, 1.0f, gi, vb, keys, n, s.Dv);  // dP for now
    exp_shifted(P + at, n, lse[r]);
    float row_dot = 0;  // sum_j P_ij dP_ij
    for (int64_t j = 0; j < n; j++) row_dot += P[at + j] * dS[at + j];
    float* ds = dS + at;
    for (int64_t j = 0; j < n; j++) ds[j] = s.scale * P[at + j] * (ds[j] - row_dot);
    weighted_sum(
        dq + r * s.D, n, s.D, [&](int64_t j) { return ds[j]; },
        [&](int64_t j) { return kb + keys[j] * s.D; });
  }
}

// The pattern of group g transposed: for each key, the queries that attend it and where their pair
// sits among the group's pairs.
struct Transposed {
  std::vector<int32_t> offsets, queries, pairs;
};

Transposed transpose(const int32_t* o, const int32_t* indices, int64_t Tq, int64_t Tk) {
  Transposed t;
  const int64_t nnz = o[Tq] - o[0];
  t.offsets.assign(Tk + 1, 0);
  t.queries.resize(nnz);
  t.pairs.resize(nnz);
  for (int64_t p = o[0]; p < o[Tq]; p++) t.offsets[indices[p] + 1]++;
  for (int64_t j = 0; j < Tk; j++) t.offsets[j + 1] += t.offsets[j];
  std::vector<int32_t> next(t.offsets.begin(), t.offsets.end() - 1);
  for (int64_t i = 0; i < Tq; i++) {
    for (int64_t p = o[i]; p < o[i + 1]; p++) {
      const int32_t at = next[indices[p]]++;
      t.queries[at] = static_cast<int32_t>(i);
      t.pairs[at] = static_cast<int32_t>(p - o[0]);
    }
  }
  return t;
}

// dK and dV key by key from the stored P and scale * dS.
TT_SIMD void backward_keys(const Problem& pr, const Csr& byKey, const std::vector<Transposed>& tr,
                           float* dk, float* dv, const float* P, const float* dS, const float* dout,
                           const float* q, int64_t r0, int64_t r1) {
  const SparseAttentionShape& s = pr.s;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t bh = r / s.Tk, j = r % s.Tk;
    const Transposed& t = tr[pr.group(bh)];
    const int64_t first = t.offsets[j], n = t.offsets[j + 1] - first;
    const int32_t *queries = t.queries.data() + first, *pairs = t.pairs.data() + first;
    const float *Pb = P + byKey.before[bh], *dSb = dS + byKey.before[bh];
    const float *qb = q + bh * s.Tq * s.D, *gb = dout + bh * s.Tq * s.Dv;
    weighted_sum(
        dk + r * s.D, n, s.D, [&](int64_t c) { return dSb[pairs[c]]; },
        [&](int64_t c) { return qb + queries[c] * s.D; });
    weighted_sum(
        dv + r * s.Dv, n, s.Dv, [&](int64_t c) { return Pb[pairs[c]]; },
        [&](int64_t c) { return gb + queries[c] * s.Dv; });
  }
}

}  // namespace

void sparse_attention(float* out, float* lse, float* weights, const float* q, const float* k,
                      const float* v, const int32_t* offsets, const int32_t* indices,
                      const SparseAttentionShape& s) {
  const Problem pr(s, offsets, indices);
  pr.byQuery.parallel_rows(s.D + s.Dv, [&](int64_t r0, int64_t r1) {
    forward_rows(pr, out, lse, weights, q, k, v, r0, r1);
  });
}

void sparse_attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q,
                               const float* k, const float* v, const float* lse,
                               const int32_t* offsets, const int32_t* indices,
                               const SparseAttentionShape& s) {
  const Problem pr(s, offsets, indices);
  const int64_t pairs = pr.byQuery.before[pr.byQuery.BH];
  // Uninitialised: every pair's P and dS is written before it is read.
  std::unique_ptr<float[]> P(new float[pairs]), dS(new float[pairs]);
  pr.byQuery.parallel_rows(2 * s.D + s.Dv, [&](int64_t r0, int64_t r1) {
    backward_rows(pr, dq, P.get(), dS.get(), dout, q, k, v, lse, r0, r1);
  });
  std::vector<Transposed> tr(s.groups);
  parallel_for(s.groups, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; g++)
      tr[g] = transpose(offsets + g * (s.Tq + 1), indices, s.Tq, s.Tk);
  });
  Csr byKey(pr.byQuery.BH, s.Tk);
  for (int64_t bh = 0; bh < byKey.BH; bh++) byKey.rows[bh] = tr[pr.group(bh)].offsets.data();
  byKey.count();
  byKey.parallel_rows(s.D + s.Dv, [&](int64_t r0, int64_t r1) {
    backward_keys(pr, byKey, tr, dk, dv, P.get(), dS.get(), dout, q, r0, r1);
  });
}

}  // namespace tt
