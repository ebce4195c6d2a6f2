// N-API glue for the Backend.gemm kernel (src/backend/backend.ts) and simdLevel(). Every argument
// is checked before any pointer is touched: bad input throws a JS error, never crashes the process.
#include <napi.h>

#include <cmath>
#include <sstream>
#include <string>

#include "gemm.h"
#include "gemm_kernels.h"

namespace tt {
namespace {

// Dimensions and strides are capped at 2^31 - 1 so that every size computed below fits in int64.
constexpr double kMaxDim = 2147483647.0;

bool Fail(Napi::Env env, bool range, const std::string& message) {
  if (range)
    Napi::RangeError::New(env, "gemm: " + message).ThrowAsJavaScriptException();
  else
    Napi::TypeError::New(env, "gemm: " + message).ThrowAsJavaScriptException();
  return false;
}

bool GetInt(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t* out) {
  if (!info[i].IsNumber()) return Fail(info.Env(), false, std::string(name) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= kMaxDim && std::floor(v) == v)) {
    std::ostringstream message;
    message << name << " must be an integer in [0, 2^31), got " << v;
    return Fail(info.Env(), true, message.str());
  }
  *out = static_cast<int64_t>(v);
  return true;
}

bool GetFloat(const Napi::CallbackInfo& info, size_t i, const char* name, float* out) {
  if (!info[i].IsNumber()) return Fail(info.Env(), false, std::string(name) + " must be a number");
  *out = info[i].As<Napi::Number>().FloatValue();
  return true;
}

// The Float32Array's first element (napi_get_typedarray_info applies the view's byte offset), after
// checking it holds `batch` matrices of `size` elements `stride` apart.
bool GetMatrices(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t size,
                 int64_t stride, int64_t batch, float** out) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  if (!info[i].IsTypedArray() ||
      napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, nullptr, nullptr) !=
          napi_ok ||
      type != napi_float32_array)
    return Fail(info.Env(), false, std::string(name) + " must be a Float32Array");
  int64_t need = batch == 0 || size == 0 ? 0 : (batch - 1) * stride + size;
  if (static_cast<int64_t>(length) < need)
    return Fail(info.Env(), true,
                std::string(name) + " has " + std::to_string(length) + " elements, " +
                    std::to_string(batch) + " matrices of " + std::to_string(size) +
                    " with stride " + std::to_string(stride) + " need " + std::to_string(need));
  *out = static_cast<float*>(data);
  return true;
}

// gemm(transA, transB, M, N, K, alpha, a, strideA, b, strideB, beta, c, strideC, batch)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 14) {
    Fail(env, false, "expected 14 arguments, got " + std::to_string(info.Length()));
    return env.Undefined();
  }
  if (!info[0].IsBoolean() || !info[1].IsBoolean()) {
    Fail(env, false, "transA and transB must be booleans");
    return env.Undefined();
  }
  bool transA = info[0].As<Napi::Boolean>().Value(), transB = info[1].As<Napi::Boolean>().Value();
  int64_t M, N, K, strideA, strideB, strideC, batch;
  float alpha, beta;
  float *a, *b, *c;
  bool ok = GetInt(info, 2, "M", &M) && GetInt(info, 3, "N", &N) && GetInt(info, 4, "K", &K) &&
            GetFloat(info, 5, "alpha", &alpha) && GetInt(info, 7, "strideA", &strideA) &&
            GetInt(info, 9, "strideB", &strideB) && GetFloat(info, 10, "beta", &beta) &&
            GetInt(info, 12, "strideC", &strideC) && GetInt(info, 13, "batch", &batch) &&
            GetMatrices(info, 6, "a", M * K, strideA, batch, &a) &&
            GetMatrices(info, 8, "b", K * N, strideB, batch, &b) &&
            GetMatrices(info, 11, "c", M * N, strideC, batch, &c);
  if (ok) sgemm_batched(transA, transB, M, N, K, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
  return env.Undefined();
}

Napi::Value SimdLevel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemm::active_kernel().name);
}

}  // namespace

void RegisterGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("simdLevel", Napi::Function::New(env, SimdLevel));
}

}  // namespace tt
