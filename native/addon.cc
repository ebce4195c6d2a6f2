// Entry point of the native backend: each kernel family registers its functions on the exports.
#include <napi.h>

#include "threadpool.h"

namespace tt {
void RegisterGemm(Napi::Env env, Napi::Object exports);
void RegisterKernels(Napi::Env env, Napi::Object exports);
}  // namespace tt

namespace {

Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), tt::num_threads());
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  tt::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("numThreads", Napi::Function::New(env, NumThreads));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  tt::RegisterGemm(env, exports);
  tt::RegisterKernels(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(transformer_native, Init)
