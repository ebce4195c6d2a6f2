// Scaled dot-product attention (section 3.2.1, equation 1): softmax(Q K^T / sqrt(dK) + mask) V with
// optional causal masking and attention dropout, and its gradients. Work is split over the B*h
// (batch, head) pairs; each pair runs its products through tt::sgemm, serially inside the pool.
#include <algorithm>
#include <vector>

#include "../gemm.h"
#include "../threadpool.h"
#include "dropout.h"
#include "kernels.h"
#include "vec.h"

namespace tt {
namespace {

// Per-thread scratch for one (b, h) pair's Tq x Tk matrices; grows, never shrinks.
float* scratch(int slot, int64_t n) {
  thread_local std::vector<float> buffers[2];
  if (static_cast<int64_t>(buffers[slot].size()) < n) buffers[slot].resize(n);
  return buffers[slot].data();
}

// Pairs per task so that a task holds enough multiply-adds to pay for a thread wake-up.
int64_t pair_grain(const AttentionShape& s) {
  const int64_t work = s.Tq * s.Tk * (s.D + s.Dv);
  return std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(1, work));
}

TT_SIMD void add_mask_row(float* row, const float* mask, int64_t mK, int64_t n) {
  if (mK == 1) {
    for (int64_t j = 0; j < n; j++) row[j] += mask[j];
  } else {
    for (int64_t j = 0; j < n; j++) row[j] += mask[j * mK];
  }
}

}  // namespace

void attention(float* out, float* weights, const float* q, const float* k, const float* v,
               const AttentionShape& s, bool causal, const float* mask, const int32_t* ms) {
  const int64_t Tq = s.Tq, Tk = s.Tk, D = s.D, Dv = s.Dv;
  parallel_for(s.B * s.H, pair_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t b = p / s.H, h = p % s.H;
      float* w = weights + p * Tq * Tk;  // (Tq, Tk): scores, then P in place
      sgemm(false, true, Tq, Tk, D, s.scale, q + p * Tq * D, D, k + p * Tk * D, D, 0.0f, w, Tk);
      for (int64_t i = 0; i < Tq; i++) {
        float* row = w + i * Tk;
        if (mask != nullptr)
          add_mask_row(row, mask + b * ms[0] + h * ms[1] + i * ms[2], ms[3], Tk);
        if (causal) {
          // Bottom-right aligned: query i sees keys up to i + (Tk - Tq), as in cached decoding.
          const int64_t first_hidden = std::max<int64_t>(0, std::min(Tk, i + (Tk - Tq) + 1));
          std::fill(row + first_hidden, row + Tk, -__builtin_inff());
        }
        softmax_row(row, row, Tk);
      }
      const float* pd = w;
      if (s.threshold != 0) {
        float* dropped = scratch(0, Tq * Tk);
        dropout_run(dropped, w, Tq * Tk, s.threshold, s.dropScale, s.seed,
                    static_cast<uint32_t>(p * Tq * Tk));
        pd = dropped;
      }
      sgemm(false, false, Tq, Dv, Tk, 1.0f, pd, Tk, v + p * Tk * Dv, Dv, 0.0f, out + p * Tq * Dv,
            Dv);
    }
  });
}

void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q,
                        const float* k, const float* v, const float* weights,
                        const AttentionShape& s) {
  const int64_t Tq = s.Tq, Tk = s.Tk, D = s.D, Dv = s.Dv;
  parallel_for(s.B * s.H, pair_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const float* P = weights + p * Tq * Tk;
      const float* dO = dout + p * Tq * Dv;
      const uint32_t offset = static_cast<uint32_t>(p * Tq * Tk);
      const float* pd = P;
      if (s.threshold != 0) {
        float* dropped = scratch(0, Tq * Tk);
        dropout_run(dropped, P, Tq * Tk, s.threshold, s.dropScale, s.seed, offset);
        pd = dropped;
      }
      // dV = Pd^T dOut
      sgemm(true, false, Tk, Dv, Tq, 1.0f, pd, Tk, dO, Dv, 0.0f, dv + p * Tk * Dv, Dv);
      // dP = dropout(dOut V^T), then dS = P (dP - rowsum(dP P)) in place
      float* dS = scratch(1, Tq * Tk);
      sgemm(false, true, Tq, Tk, Dv, 1.0f, dO, Dv, v + p * Tk * Dv, Dv, 0.0f, dS, Tk);
      if (s.threshold != 0) dropout_run(dS, dS, Tq * Tk, s.threshold, s.dropScale, s.seed, offset);
      softmax_backward(dS, P, dS, Tq, Tk, false);
      // dQ = scale dS K;  dK = scale dS^T Q
      sgemm(false, false, Tq, D, Tk, s.scale, dS, Tk, k + p * Tk * D, D, 0.0f, dq + p * Tq * D, D);
      sgemm(true, false, Tk, D, Tq, s.scale, dS, Tk, q + p * Tq * D, D, 0.0f, dk + p * Tk * D, D);
    }
  });
}

}  // namespace tt
