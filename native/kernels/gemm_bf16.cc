// bf16 matrix products with float32 accumulation (the Backend.gemmBf16 kernel): each operand rounded to
// bf16 (round to nearest even), products exact, sums in float32. On AVX512-BF16 the Goto/BLIS loop nest
// of gemm.cc runs over operands packed into bf16 pairs (gemm_bf16_avx512.cc); elsewhere the operands are
// rounded into float32 copies and multiplied by sgemm, which computes the same thing.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "../gemm.h"
#include "../threadpool.h"
#include "gemm_bf16.h"
#include "kernels.h"

namespace tt {
namespace {

using bf16::Kernel;
using bf16::Operand;

constexpr int64_t kMinParallelWork = 1 << 17;

// The AVX512-BF16 kernel unless TRANSFORMER_SIMD forces a lower level (then: convert and use sgemm).
const Kernel* active() {
  static const Kernel* k = [] {
    const char* env = std::getenv("TRANSFORMER_SIMD");
    bool lower = env != nullptr && (std::strcmp(env, "avx2") == 0 || std::strcmp(env, "portable") == 0);
    return lower ? nullptr : bf16::avx512bf16_kernel();
  }();
  return k;
}

class Scratch {
 public:
  uint32_t* get(size_t n) {
    if (n > size_) {
      size_t bytes = (n * sizeof(uint32_t) + 63) / 64 * 64;
      auto* p = static_cast<uint32_t*>(std::aligned_alloc(64, bytes));
      if (p == nullptr) throw std::bad_alloc();
      data_.reset(p);
      size_ = n;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(uint32_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint32_t, Free> data_;
  size_t size_ = 0;
};

Operand offset(Operand x, int64_t at) {
  if (x.bf16) return {static_cast<const uint16_t*>(x.data) + at, true};
  return {static_cast<const float*>(x.data) + at, false};
}

struct Problem {
  bool transA, transB;
  int64_t M, N, K;
  float alpha;
  Operand A;
  int64_t lda;
  Operand B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;

  Operand a_at(int64_t i, int64_t p) const { return offset(A, transA ? p * lda + i : i * lda + p); }
  Operand b_at(int64_t p, int64_t j) const { return offset(B, transB ? j * ldb + p : p * ldb + j); }
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t even_block(int64_t n, int64_t block, int64_t align) {
  return ceil_div(ceil_div(n, ceil_div(n, block)), align) * align;
}

void gemm_block(const Kernel& k, const Problem& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  thread_local Scratch a_buf, b_buf;
  const int64_t kc_max = even_block(p.K, k.kc, 2), nc_max = even_block(n1 - n0, k.nc, k.nr);
  uint32_t* bp = b_buf.get(kc_max / 2 * nc_max);
  uint32_t* ap = a_buf.get(kc_max / 2 * k.mr);
  for (int64_t jc = n0; jc < n1; jc += nc_max) {
    int64_t nc = std::min(nc_max, n1 - jc);
    for (int64_t pc = 0; pc < p.K; pc += kc_max) {
      int64_t kc = std::min(kc_max, p.K - pc), kp = (kc + 1) / 2;
      k.pack_b(p.b_at(pc, jc), p.ldb, p.transB, nc, kc, bp);
      float beta = pc == 0 ? p.beta : 1.0f;
      for (int64_t ir = m0; ir < m1; ir += k.mr) {
        int m = static_cast<int>(std::min<int64_t>(k.mr, m1 - ir));
        k.pack_a(p.a_at(ir, pc), p.lda, !p.transA, m, kc, ap);
        float* c = p.C + ir * p.ldc + jc;
        for (int64_t jr = 0; jr < nc; jr += k.nr)
          k.micro(kp, ap, bp + jr * kp, c + jr, p.ldc, p.alpha, beta, m,
                  static_cast<int>(std::min<int64_t>(k.nr, nc - jr)));
      }
    }
  }
}

// As gemm.cc: threads form the tm x tn grid over C whose slowest thread does the least work
// (64 bf16 multiply-adds per cycle, about one packed element per cycle).
int rows_of_grid(const Kernel& k, const Problem& p, int T) {
  int best = 1;
  double best_cost = 0;
  for (int tm = 1; tm <= T; tm++) {
    if (T % tm != 0) continue;
    int tn = T / tm;
    double mi = ceil_div(ceil_div(p.M, k.mr), tm) * k.mr;
    double ni = ceil_div(ceil_div(p.N, k.nr), tn) * k.nr;
    double cost = mi * ni * p.K / 64 + p.K * (ni + mi * ceil_div(static_cast<int64_t>(ni), k.nc));
    if (tm == 1 || cost < best_cost) best = tm, best_cost = cost;
  }
  return best;
}

void run(const Kernel& k, const Problem& p) {
  if (p.M <= 0 || p.N <= 0) return;
  if (p.K <= 0 || p.alpha == 0.0f) {
    for (int64_t i = 0; i < p.M; i++)
      for (int64_t j = 0; j < p.N; j++) {
        float* c = p.C + i * p.ldc + j;
        *c = p.beta == 0.0f ? 0.0f : p.beta * *c;
      }
    return;
  }
  if (p.M * p.N * p.K < kMinParallelWork) return gemm_block(k, p, 0, p.M, 0, p.N);
  parallel_run(num_threads(), [&](int t, int T) {
    int tm = rows_of_grid(k, p, T), tn = T / tm, r = t / tn, s = t % tn;
    int64_t pm = ceil_div(p.M, k.mr), pn = ceil_div(p.N, k.nr);
    int64_t m0 = pm * r / tm * k.mr, m1 = std::min(p.M, pm * (r + 1) / tm * k.mr);
    int64_t n0 = pn * s / tn * k.nr, n1 = std::min(p.N, pn * (s + 1) / tn * k.nr);
    if (m0 < m1 && n0 < n1) gemm_block(k, p, m0, m1, n0, n1);
  });
}

// Without AVX512-BF16: float32 copies holding the bf16-rounded values, then sgemm.
std::vector<float> rounded(Operand x, int64_t n) {
  std::vector<float> out(n);
  for (int64_t i = 0; i < n; i++) {
    uint16_t h = x.bf16 ? static_cast<const uint16_t*>(x.data)[i]
                        : bf16::to_bf16(static_cast<const float*>(x.data)[i]);
    out[i] = bf16::from_bf16(h);
  }
  return out;
}

}  // namespace

const char* gemm_bf16_level() { return active() != nullptr ? active()->name : "float32"; }

void gemm_bf16(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const void* A,
               bool aBf16, int64_t strideA, const void* B, bool bBf16, int64_t strideB, float beta, float* C,
               int64_t strideC, int64_t batch) {
  Operand a{A, aBf16}, b{B, bBf16};
  const Kernel* k = active();
  if (k == nullptr) {
    auto extent = [&](int64_t size, int64_t stride) { return batch == 0 ? 0 : (batch - 1) * stride + size; };
    std::vector<float> ra = rounded(a, extent(M * K, strideA)), rb = rounded(b, extent(K * N, strideB));
    return sgemm_batched(transA, transB, M, N, K, alpha, ra.data(), strideA, rb.data(), strideB, beta, C,
                         strideC, batch);
  }
  auto one = [&](int64_t i) {
    run(*k, Problem{transA, transB, M, N, K, alpha, offset(a, i * strideA), transA ? M : K,
                    offset(b, i * strideB), transB ? K : N, beta, C + i * strideC, N});
  };
  // As sgemm_batched: whole matrices per thread when there are many small ones.
  int T = num_threads();
  int64_t work = M * N * K;
  bool across = batch > 1 && strideC >= M * N &&
                (work < 8 * kMinParallelWork || batch % T == 0 || batch >= 4 * T);
  if (!across) {
    for (int64_t i = 0; i < batch; i++) one(i);
    return;
  }
  parallel_for(batch, std::max<int64_t>(1, kMinParallelWork / std::max<int64_t>(1, work)),
               [&](int64_t b0, int64_t b1) {
                 for (int64_t i = b0; i < b1; i++) one(i);
               });
}

void cast_bf16(uint16_t* out, const float* x, int64_t n) {
  const Kernel* k = active();
  parallel_for(n, 1 << 16, [&](int64_t i0, int64_t i1) {
    if (k != nullptr) return k->cast(out + i0, x + i0, i1 - i0);
    for (int64_t i = i0; i < i1; i++) out[i] = bf16::to_bf16(x[i]);
  });
}

}  // namespace tt
