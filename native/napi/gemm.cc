// The JS face of gemm (gemm.cc) and of simdLevel(), which names the micro-kernel gemm picked.
#include <napi.h>

#include <cmath>
#include <sstream>
#include <string>

#include "../gemm.h"
#include "../gemm_kernels.h"
#include "args.h"

namespace tt {

namespace {

// Dimensions and strides are capped at 2^31 - 1 so that every size computed from them fits in
// int64.
int64_t dim(const Args& a, size_t i, const char* name) {
  double x = a.number(i, name);
  if (!(x >= 0 && x <= 2147483647.0 && std::floor(x) == x)) {
    std::ostringstream what;
    what << "must be an integer in [0, 2^31), got " << x;
    a.fail(true, name, what.str());
  }
  return static_cast<int64_t>(x);
}

// The Float32Array at argument i, after checking it holds `batch` matrices of `size` elements
// `stride` apart.
float* matrices(const Args& a, size_t i, const char* name, int64_t size, int64_t stride,
                int64_t batch) {
  int64_t need = batch == 0 || size == 0 ? 0 : (batch - 1) * stride + size;
  float* data = a.array<float>(i, name, 0);
  if (a.length(i) < need)
    a.fail(true, name,
           "has " + std::to_string(a.length(i)) + " elements, " + std::to_string(batch) +
               " matrices of " + std::to_string(size) + " with stride " + std::to_string(stride) +
               " need " + std::to_string(need));
  return data;
}

}  // namespace

namespace glue {

// gemm(transA, transB, M, N, K, alpha, a, strideA, b, strideB, beta, c, strideC, batch)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "gemm");
    bool transA = a.flag(0, "transA"), transB = a.flag(1, "transB");
    int64_t M = dim(a, 2, "M"), N = dim(a, 3, "N"), K = dim(a, 4, "K");
    int64_t strideA = dim(a, 7, "strideA"), strideB = dim(a, 9, "strideB");
    int64_t strideC = dim(a, 12, "strideC"), batch = dim(a, 13, "batch");
    float alpha = a.number(5, "alpha"), beta = a.number(10, "beta");
    const float* A = matrices(a, 6, "a", M * K, strideA, batch);
    const float* B = matrices(a, 8, "b", K * N, strideB, batch);
    float* C = matrices(a, 11, "c", M * N, strideC, batch);
    sgemm_batched(transA, transB, M, N, K, alpha, A, strideA, B, strideB, beta, C, strideC, batch);
  });
}

// The floats the packed panels of a K x N operand take.
int64_t packed_size(int64_t K, int64_t N) { return (N + gemm::kPanel - 1) / gemm::kPanel * gemm::kPanel * K; }

// packPanels(transB, K, N, b, packed)
Napi::Value PackPanels(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "packPanels");
    bool transB = a.flag(0, "transB");
    int64_t K = dim(a, 1, "K"), N = dim(a, 2, "N");
    const float* B = matrices(a, 3, "b", K * N, 0, 1);
    float* out = matrices(a, 4, "packed", packed_size(K, N), 0, 1);
    pack_panels(transB, K, N, B, out);
  });
}

// gemmPacked(M, N, K, a, packed, c, bias?)
Napi::Value GemmPacked(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "gemmPacked");
    int64_t M = dim(a, 0, "M"), N = dim(a, 1, "N"), K = dim(a, 2, "K");
    const float* A = matrices(a, 3, "a", M * K, 0, 1);
    const float* P = matrices(a, 4, "packed", packed_size(K, N), 0, 1);
    float* C = matrices(a, 5, "c", M * N, 0, 1);
    const float* bias = a.array_or_null<float>(6, "bias", N);
    sgemm_packed(M, N, K, A, P, C, bias);
  });
}

Napi::Value SimdLevel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemm::active_kernel().name);
}

}  // namespace glue
}  // namespace tt
