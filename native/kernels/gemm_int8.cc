// int8 inference products (Backend.quantizeInt8, packInt8, gemmInt8): per-row symmetric int8 weights,
// activations quantized per row as they arrive, int32 sums. The weights stream once per call: threads
// split the panels, and each panel is read once for every block of rows. The portable kernel below is
// plain loops the compiler vectorises (also the wasm build's); gemm_int8_x86.cc has AVX512-VNNI and AVX2.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../threadpool.h"
#include "gemm_int8.h"
#include "kernels.h"

namespace tt {
namespace {

using int8::kGroup;
using int8::kPanel;

constexpr int64_t kMinParallelWork = 1 << 18;

// One row: its scale, and its K values into q (padding left to the caller).
float quantize_row(const float* x, int64_t K, int8_t* q) {
  float s = int8::row_scale(x, K);
  for (int64_t k = 0; k < K; k++) q[k] = s == 0.0f ? 0 : int8::quantize_value(x[k] / s);
  return s;
}

// Rows of R x 16 outputs over one panel, R <= 8: the weight bytes of a group are read once for R rows.
template <int R>
void portable_block(const int8::Rows& rows, int64_t m0, const int8_t* panel, const int8::Columns& c,
                    int64_t j0, int64_t cols) {
  int32_t acc[R][kPanel] = {};
  const int64_t groups = rows.Kp / kGroup;
  for (int64_t g = 0; g < groups; g++) {
    const int8_t* w = panel + g * kPanel * kGroup;
    for (int r = 0; r < R; r++) {
      const int8_t* x = rows.xq + (m0 + r) * rows.Kp + g * kGroup;
      for (int j = 0; j < kPanel; j++)
        for (int t = 0; t < kGroup; t++) acc[r][j] += static_cast<int32_t>(x[t]) * w[j * kGroup + t];
    }
  }
  for (int r = 0; r < R; r++)
    for (int64_t j = 0; j < cols; j++)
      c.y[(m0 + r) * c.ldy + j0 + j] = int8::scale_output(acc[r][j], rows.sx[m0 + r], c.scales[j0 + j], c.bias, j0 + j);
}

void portable_panels(const int8::Rows& rows, const int8::Columns& c) {
  for (int64_t j0 = 0; j0 < c.n; j0 += kPanel) {
    const int8_t* panel = c.packed + j0 * rows.Kp;
    int64_t cols = std::min<int64_t>(kPanel, c.n - j0);
    int64_t m = 0;
    for (; m + 4 <= rows.M; m += 4) portable_block<4>(rows, m, panel, c, j0, cols);
    for (; m < rows.M; m++) portable_block<1>(rows, m, panel, c, j0, cols);
  }
}

const int8::Kernel kPortable{"portable", portable_panels, quantize_row, false};

const int8::Kernel& active() {
  static const int8::Kernel& k = [&]() -> const int8::Kernel& {
    const char* env = std::getenv("TRANSFORMER_SIMD");
    bool portable = env != nullptr && std::strcmp(env, "portable") == 0;
    bool avx2 = env != nullptr && std::strcmp(env, "avx2") == 0;
    const int8::Kernel* best = nullptr;
    if (!portable && !avx2) best = int8::vnni_kernel();
    if (best == nullptr && !portable) best = int8::avx2_kernel();
    return best != nullptr ? *best : kPortable;
  }();
  return k;
}

// Grow-only scratch for the quantized activations; thread_local keeps steady-state calls allocation-free.
template <class T>
T* scratch(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace

void quantize_int8(int64_t rows, int64_t K, const float* x, int8_t* q, float* scales) {
  const int8::Kernel& k = active();
  for (int64_t r = 0; r < rows; r++) scales[r] = k.quantize_row(x + r * K, K, q + r * K);
}

void pack_int8(int64_t N, int64_t K, const int8_t* q, int8_t* packed, int32_t* sums) {
  const int64_t Kp = (K + kGroup - 1) / kGroup * kGroup, groups = Kp / kGroup;
  const int64_t panels = (N + kPanel - 1) / kPanel;
  for (int64_t p = 0; p < panels; p++)
    for (int64_t g = 0; g < groups; g++)
      for (int64_t jj = 0; jj < kPanel; jj++)
        for (int64_t t = 0; t < kGroup; t++) {
          int64_t j = p * kPanel + jj, k = g * kGroup + t;
          packed[((p * groups + g) * kPanel + jj) * kGroup + t] = j < N && k < K ? q[j * K + k] : 0;
        }
  for (int64_t j = 0; j < N; j++) {
    int32_t s = 0;
    for (int64_t k = 0; k < K; k++) s += q[j * K + k];
    sums[j] = s;
  }
}

void gemm_int8(int64_t M, int64_t N, int64_t K, const float* x, const int8_t* packed, const float* scales,
               const int32_t* sums, const float* bias, float* y) {
  if (M <= 0 || N <= 0) return;
  const int64_t Kp = (K + kGroup - 1) / kGroup * kGroup;
  thread_local std::vector<int8_t> xq_buf;
  thread_local std::vector<float> sx_buf;
  thread_local std::vector<uint8_t> xu_buf;
  int8_t* xq = scratch(xq_buf, static_cast<size_t>(M * Kp));
  float* sx = scratch(sx_buf, static_cast<size_t>(M));
  const int8::Kernel& k = active();
  uint8_t* xu = k.unsigned_rows ? scratch(xu_buf, static_cast<size_t>(M * Kp)) : nullptr;
  // The rows are quantized by the threads too: for the encoder's hundreds of rows this serial prelude
  // took about a tenth of the time of the products that follow it.
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 14) / std::max<int64_t>(1, Kp));  // 16K values a task
  parallel_for(M, grain, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; m++) {
      sx[m] = k.quantize_row(x + m * K, K, xq + m * Kp);
      std::fill(xq + m * Kp + K, xq + (m + 1) * Kp, 0);
      // Flipping the sign bit adds 128 modulo 256: [-127, 127] becomes [1, 255].
      if (xu != nullptr)
        for (int64_t i = m * Kp; i < (m + 1) * Kp; i++) xu[i] = static_cast<uint8_t>(xq[i]) ^ 0x80u;
    }
  });
  const int8::Rows rows{M, Kp, xq, sx, xu};
  auto share = [&](int64_t j0, int64_t j1) {
    k.panels(rows, int8::Columns{j1 - j0, packed + j0 * Kp, scales + j0, sums + j0,
                                 bias == nullptr ? nullptr : bias + j0, y + j0, N});
  };
  if (M * N * Kp < kMinParallelWork) return share(0, N);
  const int64_t panels = (N + kPanel - 1) / kPanel;
  parallel_run(num_threads(), [&](int t, int T) {
    int64_t j0 = panels * t / T * kPanel, j1 = std::min(N, panels * (t + 1) / T * kPanel);
    if (j0 < j1) share(j0, j1);
  });
}

const char* gemm_int8_level() { return active().name; }

}  // namespace tt
