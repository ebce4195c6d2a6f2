// The JS face of kernels/gemm_int8.cc: quantizeInt8, packInt8 and gemmInt8.
#include <napi.h>

#include <string>

#include "../kernels/kernels.h"
#include "args.h"

namespace tt {
namespace {

// Sums of K products of two int8 stay inside int32 up to K = 2^31 / 127^2.
constexpr int64_t kMaxK = 133144;

int64_t padded_k(int64_t K) { return (K + 3) / 4 * 4; }
int64_t packed_size(int64_t N, int64_t K) { return (N + 15) / 16 * 16 * padded_k(K); }

int64_t depth(const Args& a, size_t i) {
  int64_t K = a.count(i, "K");
  if (K > kMaxK) a.fail(true, "K", "must be at most " + std::to_string(kMaxK) + ", got " + std::to_string(K));
  return K;
}

}  // namespace

namespace glue {

// quantizeInt8(rows, K, x, q, scales)
Napi::Value QuantizeInt8(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "quantizeInt8");
    int64_t rows = a.count(0, "rows"), K = a.count(1, "K");
    const float* x = a.array<float>(2, "x", rows * K);
    int8_t* q = a.array<int8_t>(3, "q", rows * K);
    float* scales = a.array<float>(4, "scales", rows);
    quantize_int8(rows, K, x, q, scales);
  });
}

// packInt8(N, K, q, packed, sums)
Napi::Value PackInt8(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "packInt8");
    int64_t N = a.count(0, "N"), K = depth(a, 1);
    const int8_t* q = a.array<int8_t>(2, "q", N * K);
    int8_t* packed = a.array<int8_t>(3, "packed", packed_size(N, K));
    int32_t* sums = a.array<int32_t>(4, "sums", N);
    pack_int8(N, K, q, packed, sums);
  });
}

// gemmInt8(M, N, K, x, packed, scales, sums, bias, y)
Napi::Value GemmInt8(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Args a(info, "gemmInt8");
    int64_t M = a.count(0, "M"), N = a.count(1, "N"), K = depth(a, 2);
    const float* x = a.array<float>(3, "x", M * K);
    const int8_t* packed = a.array<int8_t>(4, "packed", packed_size(N, K));
    const float* scales = a.array<float>(5, "scales", N);
    const int32_t* sums = a.array<int32_t>(6, "sums", N);
    const float* bias = a.array_or_null<float>(7, "bias", N);
    float* y = a.array<float>(8, "y", M * N);
    gemm_int8(M, N, K, x, packed, scales, sums, bias, y);
  });
}

}  // namespace glue
}  // namespace tt
