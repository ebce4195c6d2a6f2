// Single-precision GEMM driver, the Goto/BLIS loop nest: C is cut into blocks per thread, B into
// kc x nc blocks packed for L2, A into mr-row panels packed for L1, and the SIMD micro-kernel picked
// for this CPU at load time (gemm_kernels.h) multiplies panel by panel.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "gemm_kernels.h"
#include "threadpool.h"

namespace tt {
namespace {

using gemm::Kernel;

// Below this many multiply-adds, waking a second thread costs more than it saves.
constexpr int64_t kMinParallelWork = 1 << 17;

// The best kernel this CPU runs, or a lower one forced by TRANSFORMER_SIMD=avx2|portable.
const Kernel& choose_kernel() {
  const char* env = std::getenv("TRANSFORMER_SIMD");
  bool portable = env != nullptr && std::strcmp(env, "portable") == 0;
  bool avx2 = env != nullptr && std::strcmp(env, "avx2") == 0;
  const Kernel* k = nullptr;
  if (!portable && !avx2) k = gemm::avx512_kernel();
  if (k == nullptr && !portable) k = gemm::avx2_kernel();
  if (k == nullptr && !portable) k = gemm::wasm_kernel();
  return k != nullptr ? *k : *gemm::portable_kernel();
}

// Grow-only, 64-byte-aligned scratch; thread_local instances keep steady-state calls allocation-free.
class Scratch {
 public:
  float* get(size_t n) {
    if (n > size_) {
      size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
      float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (p == nullptr) throw std::bad_alloc();
      data_.reset(p);
      size_ = n;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  size_t size_ = 0;
};

struct Problem {
  bool transA, transB;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;

  const float* a_at(int64_t i, int64_t p) const { return transA ? A + p * lda + i : A + i * lda + p; }
  const float* b_at(int64_t p, int64_t j) const { return transB ? B + j * ldb + p : B + p * ldb + j; }
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The largest block <= `block` (a multiple of `align`) that cuts n into equal-as-possible pieces,
// so K = 400 runs as 2 x 200 rather than 384 + 16.
int64_t even_block(int64_t n, int64_t block, int64_t align) {
  return ceil_div(ceil_div(n, ceil_div(n, block)), align) * align;
}

// C[m0:m1, n0:n1] on the calling thread.
void gemm_block(const Kernel& k, const Problem& p, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  thread_local Scratch a_buf, b_buf;
  const int64_t kc_max = even_block(p.K, k.kc, 1), nc_max = even_block(n1 - n0, k.nc, k.nr);
  float* bp = b_buf.get(kc_max * nc_max);
  // A is packed one mr-row panel at a time, right before the panel sweeps the B block: it is then
  // still in L1 for every micro-kernel call that reads it.
  float* ap = a_buf.get(kc_max * k.mr);
  for (int64_t jc = n0; jc < n1; jc += nc_max) {
    int64_t nc = std::min(nc_max, n1 - jc);
    for (int64_t pc = 0; pc < p.K; pc += kc_max) {
      int64_t kc = std::min(kc_max, p.K - pc);
      k.pack_b(p.transB, p.b_at(pc, jc), p.ldb, kc, nc, bp);
      float beta = pc == 0 ? p.beta : 1.0f;  // later K blocks accumulate onto the first
      for (int64_t ir = m0; ir < m1; ir += k.mr) {
        int m = static_cast<int>(std::min<int64_t>(k.mr, m1 - ir));
        k.pack_a(p.transA, p.a_at(ir, pc), p.lda, m, kc, ap);
        float* c = p.C + ir * p.ldc + jc;
        for (int64_t jr = 0; jr < nc; jr += k.nr)
          k.micro(kc, ap, bp + jr * kc, c + jr, p.ldc, p.alpha, beta, m,
                  static_cast<int>(std::min<int64_t>(k.nr, nc - jr)));
      }
    }
  }
}

// Threads form a tm x tn grid over C. Cost of a grid: the slowest thread's padded multiply-adds
// (32 per cycle) plus the elements it packs (about one per cycle).
int rows_of_grid(const Kernel& k, const Problem& p, int T) {
  int best = 1;
  double best_cost = 0;
  for (int tm = 1; tm <= T; tm++) {
    if (T % tm != 0) continue;
    int tn = T / tm;
    double mi = ceil_div(ceil_div(p.M, k.mr), tm) * k.mr;
    double ni = ceil_div(ceil_div(p.N, k.nr), tn) * k.nr;
    double cost = mi * ni * p.K / 32 + p.K * (ni + mi * ceil_div(static_cast<int64_t>(ni), k.nc));
    if (tm == 1 || cost < best_cost) best = tm, best_cost = cost;
  }
  return best;
}

void scale_c(const Problem& p) {
  for (int64_t i = 0; i < p.M; i++) {
    float* c = p.C + i * p.ldc;
    for (int64_t j = 0; j < p.N; j++) c[j] = p.beta == 0.0f ? 0.0f : p.beta * c[j];
  }
}

void run(const Problem& p) {
  if (p.M <= 0 || p.N <= 0) return;
  if (p.K <= 0 || p.alpha == 0.0f) return scale_c(p);
  const Kernel& k = gemm::active_kernel();
  // Small products skip the pool entirely: the attention kernels call sgemm per (batch, head).
  if (p.M * p.N * p.K < kMinParallelWork) return gemm_block(k, p, 0, p.M, 0, p.N);
  parallel_run(num_threads(), [&](int t, int T) {
    int tm = rows_of_grid(k, p, T), tn = T / tm, r = t / tn, s = t % tn;
    int64_t pm = ceil_div(p.M, k.mr), pn = ceil_div(p.N, k.nr);
    int64_t m0 = pm * r / tm * k.mr, m1 = std::min(p.M, pm * (r + 1) / tm * k.mr);
    int64_t n0 = pn * s / tn * k.nr, n1 = std::min(p.N, pn * (s + 1) / tn * k.nr);
    if (m0 < m1 && n0 < n1) gemm_block(k, p, m0, m1, n0, n1);
  });
}

}  // namespace

void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  run(Problem{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

void sgemm_batched(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                   const float* A, int64_t strideA, const float* B, int64_t strideB, float beta,
                   float* C, int64_t strideC, int64_t batch) {
  auto one = [&](int64_t b) {
    sgemm(transA, transB, M, N, K, alpha, A + b * strideA, transA ? M : K, B + b * strideB,
          transB ? K : N, beta, C + b * strideC, N);
  };
  // Threads take whole matrices when there are many small ones, or enough to share out evenly;
  // otherwise each product is threaded internally. Overlapping outputs (strideC < M * N, e.g. 0 to
  // accumulate with beta = 1) must run in order.
  int T = num_threads();
  int64_t work = M * N * K;
  bool across = batch > 1 && strideC >= M * N &&
                (work < 8 * kMinParallelWork || batch % T == 0 || batch >= 4 * T);
  if (!across) {
    for (int64_t b = 0; b < batch; b++) one(b);
    return;
  }
  parallel_for(batch, std::max<int64_t>(1, kMinParallelWork / std::max<int64_t>(1, work)),
               [&](int64_t b0, int64_t b1) {
                 for (int64_t b = b0; b < b1; b++) one(b);
               });
}

void pack_panels(bool transB, int64_t K, int64_t N, const float* b, float* out) {
  using gemm::kPanel;
  for (int64_t j0 = 0; j0 < N; j0 += kPanel, out += kPanel * K) {
    int64_t n = std::min<int64_t>(kPanel, N - j0);
    for (int64_t p = 0; p < K; p++) {
      float* o = out + p * kPanel;
      for (int64_t j = 0; j < n; j++) o[j] = transB ? b[(j0 + j) * K + p] : b[p * N + j0 + j];
      for (int64_t j = n; j < kPanel; j++) o[j] = 0.0f;
    }
  }
}

void sgemm_packed(int64_t M, int64_t N, int64_t K, const float* A, const float* packed, float* C,
                  const float* bias) {
  using gemm::kPanel;
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) C[i * N + j] = bias == nullptr ? 0.0f : bias[j];
    return;
  }
  const Kernel& k = gemm::active_kernel();
  if (M * N * K < kMinParallelWork) return k.packed(M, K, A, K, packed, N, bias, C, N);
  // Threads split the panels, so that each streams its own share of the weights once.
  int64_t panels = ceil_div(N, kPanel);
  parallel_run(num_threads(), [&](int t, int T) {
    int64_t j0 = panels * t / T * kPanel, j1 = std::min(N, panels * (t + 1) / T * kPanel);
    if (j0 < j1) k.packed(M, K, A, K, packed + j0 * K, j1 - j0, bias == nullptr ? nullptr : bias + j0, C + j0, N);
  });
}

namespace gemm {

const Kernel& active_kernel() {
  static const Kernel& k = choose_kernel();
  return k;
}

}  // namespace gemm
}  // namespace tt
