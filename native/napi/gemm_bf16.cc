// The JS face of gemm_bf16.cc: gemmBf16 (operands Float32Array or Uint16Array of bf16 bits) and castBf16.
#include <napi.h>

#include <cmath>
#include <string>

#include "../kernels/kernels.h"
#include "args.h"

namespace tt {
namespace {

int64_t dim(const Args& a, size_t i, const char* name) {
  double x = a.number(i, name);
  if (!(x >= 0 && x <= 2147483647.0 && std::floor(x) == x))
    a.fail(true, name, "must be an integer in [0, 2^31), got " + std::to_string(x));
  return static_cast<int64_t>(x);
}

// `batch` matrices of `size` elements `stride` apart, in a Float32Array or a Uint16Array of bf16 bits.
const void* operand(const Args& a, size_t i, const char* name, int64_t size, int64_t stride, int64_t batch,
                    bool* bf16) {
  int64_t need = batch == 0 || size == 0 ? 0 : (batch - 1) * stride + size;
  *bf16 = a.array_type(i, name) == napi_uint16_array;
  if (*bf16) return a.array<uint16_t>(i, name, need);
  if (a.array_type(i, name) != napi_float32_array) a.fail(false, name, "must be a Float32Array or a Uint16Array");
  return a.array<float>(i, name, need);
}

}  // namespace

namespace glue {

// gemmBf16(transA, transB, M, N, K, alpha, a, strideA, b, strideB, beta, c, strideC, batch)
Napi::Value GemmBf16(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "gemmBf16");
    bool transA = a.flag(0, "transA"), transB = a.flag(1, "transB");
    int64_t M = dim(a, 2, "M"), N = dim(a, 3, "N"), K = dim(a, 4, "K");
    int64_t strideA = dim(a, 7, "strideA"), strideB = dim(a, 9, "strideB");
    int64_t strideC = dim(a, 12, "strideC"), batch = dim(a, 13, "batch");
    float alpha = a.number(5, "alpha"), beta = a.number(10, "beta");
    bool aBf16, bBf16;
    const void* A = operand(a, 6, "a", M * K, strideA, batch, &aBf16);
    const void* B = operand(a, 8, "b", K * N, strideB, batch, &bBf16);
    int64_t needC = batch == 0 || M * N == 0 ? 0 : (batch - 1) * strideC + M * N;
    float* C = a.array<float>(11, "c", needC);
    gemm_bf16(transA, transB, M, N, K, alpha, A, aBf16, strideA, B, bBf16, strideB, beta, C, strideC, batch);
  });
}

// castBf16(out, x, n)
Napi::Value CastBf16(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "castBf16");
    int64_t n = a.count(2, "n");
    cast_bf16(a.array<uint16_t>(0, "out", n), a.array<float>(1, "x", n), n);
  });
}

Napi::Value Bf16Level(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), gemm_bf16_level()); }

}  // namespace glue
}  // namespace tt
