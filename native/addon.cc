// Entry point of the native backend: one exported function per kernel of the Backend contract
// (src/backend/backend.ts), registered from the table below, plus the thread and SIMD controls.
// test/backend/kernel-contract.test.ts checks that the table names exactly the contract's kernels.
#include <napi.h>

#include "threadpool.h"

namespace tt {
namespace glue {

using Binding = Napi::Value (*)(const Napi::CallbackInfo&);

// native/napi/<family>.cc, one family per file.
Napi::Value Gemm(const Napi::CallbackInfo&);
Napi::Value PackPanels(const Napi::CallbackInfo&);
Napi::Value GemmPacked(const Napi::CallbackInfo&);
Napi::Value SimdLevel(const Napi::CallbackInfo&);
Napi::Value Binary(const Napi::CallbackInfo&);
Napi::Value Where(const Napi::CallbackInfo&);
Napi::Value Unary(const Napi::CallbackInfo&);
Napi::Value UnaryBackward(const Napi::CallbackInfo&);
Napi::Value Copy(const Napi::CallbackInfo&);
Napi::Value Fill(const Napi::CallbackInfo&);
Napi::Value Axpy(const Napi::CallbackInfo&);
Napi::Value Reduce(const Napi::CallbackInfo&);
Napi::Value MaxBackward(const Napi::CallbackInfo&);
Napi::Value Softmax(const Napi::CallbackInfo&);
Napi::Value SoftmaxBackward(const Napi::CallbackInfo&);
Napi::Value LayerNorm(const Napi::CallbackInfo&);
Napi::Value LayerNormBackward(const Napi::CallbackInfo&);
Napi::Value Dropout(const Napi::CallbackInfo&);
Napi::Value Embedding(const Napi::CallbackInfo&);
Napi::Value EmbeddingBackward(const Napi::CallbackInfo&);
Napi::Value CrossEntropy(const Napi::CallbackInfo&);
Napi::Value CrossEntropyBackward(const Napi::CallbackInfo&);
Napi::Value Attention(const Napi::CallbackInfo&);
Napi::Value AttentionBackward(const Napi::CallbackInfo&);
Napi::Value AttentionCached(const Napi::CallbackInfo&);
Napi::Value SparseAttention(const Napi::CallbackInfo&);
Napi::Value SparseAttentionBackward(const Napi::CallbackInfo&);
Napi::Value Adam(const Napi::CallbackInfo&);
Napi::Value GemmBf16(const Napi::CallbackInfo&);
Napi::Value CastBf16(const Napi::CallbackInfo&);
Napi::Value Bf16Level(const Napi::CallbackInfo&);
Napi::Value QuantizeInt8(const Napi::CallbackInfo&);
Napi::Value PackInt8(const Napi::CallbackInfo&);
Napi::Value GemmInt8(const Napi::CallbackInfo&);

}  // namespace glue
}  // namespace tt

namespace {

using namespace tt::glue;

// The Backend method each binding implements, by its name in the contract.
constexpr struct {
  const char* name;
  Binding binding;
} kKernels[] = {
    {"gemm", Gemm},
    {"packPanels", PackPanels},
    {"gemmPacked", GemmPacked},
    {"binary", Binary},
    {"where", Where},
    {"unary", Unary},
    {"unaryBackward", UnaryBackward},
    {"reduce", Reduce},
    {"maxBackward", MaxBackward},
    {"softmax", Softmax},
    {"softmaxBackward", SoftmaxBackward},
    {"layerNorm", LayerNorm},
    {"layerNormBackward", LayerNormBackward},
    {"dropout", Dropout},
    {"embedding", Embedding},
    {"embeddingBackward", EmbeddingBackward},
    {"copy", Copy},
    {"fill", Fill},
    {"axpy", Axpy},
    {"crossEntropy", CrossEntropy},
    {"crossEntropyBackward", CrossEntropyBackward},
    {"attention", Attention},
    {"attentionBackward", AttentionBackward},
    {"attentionCached", AttentionCached},
    {"sparseAttention", SparseAttention},
    {"sparseAttentionBackward", SparseAttentionBackward},
    {"adam", Adam},
    {"gemmBf16", GemmBf16},
    {"castBf16", CastBf16},
    {"quantizeInt8", QuantizeInt8},
    {"packInt8", PackInt8},
    {"gemmInt8", GemmInt8},
};

Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), tt::num_threads());
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  tt::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (const auto& k : kKernels) exports.Set(k.name, Napi::Function::New(env, k.binding, k.name));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("simdLevel", Napi::Function::New(env, SimdLevel));
  exports.Set("bf16Level", Napi::Function::New(env, Bf16Level));
  return exports;
}

}  // namespace

NODE_API_MODULE(transformer_native, Init)
