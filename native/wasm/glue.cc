// The C face of the kernels for the WebAssembly build: one `extern "C"` function per kernel of the
// Backend contract (src/backend/backend.ts), taking pointers into the wasm heap and plain sizes.
// src/backend/wasm/ checks every argument and places the arrays in the heap before it calls these,
// as native/napi/ does for the addon; nothing here validates. Sizes are int: a wasm32 heap holds
// fewer than 2^31 floats. The shape structs arrive field by field.
#include <emscripten/emscripten.h>

#include <cstdint>

#include "../gemm.h"
#include "../gemm_kernels.h"
#include "../kernels/kernels.h"
#include "../threadpool.h"

using namespace tt;
using i32 = int32_t;
using u32 = uint32_t;

#define TT_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE

TT_EXPORT void tt_gemm(int transA, int transB, int M, int N, int K, float alpha, const float* a,
                       int strideA, const float* b, int strideB, float beta, float* c, int strideC,
                       int batch) {
  sgemm_batched(transA, transB, M, N, K, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
}

TT_EXPORT void tt_binary(int op, float* out, const float* a, const i32* as, const float* b,
                         const i32* bs, const i32* shape, int rank) {
  binary(op, out, a, as, b, bs, shape, rank);
}

TT_EXPORT void tt_where(float* out, const i32* cond, const i32* cs, const float* a, const i32* as,
                        const float* b, const i32* bs, const i32* shape, int rank) {
  where(out, cond, cs, a, as, b, bs, shape, rank);
}

TT_EXPORT void tt_unary(int op, float* out, const float* x, int n, float alpha) {
  unary(op, out, x, n, alpha);
}

TT_EXPORT void tt_unary_backward(int op, float* dx, const float* x, const float* y,
                                 const float* dy, int n, float alpha) {
  unary_backward(op, dx, x, y, dy, n, alpha);
}

TT_EXPORT void tt_reduce(int op, float* out, i32* argmax, const float* x, int outer, int size,
                         int inner) {
  reduce(op, out, argmax, x, outer, size, inner);
}

TT_EXPORT void tt_max_backward(float* dx, const float* dy, const i32* argmax, int outer, int size,
                               int inner) {
  max_backward(dx, dy, argmax, outer, size, inner);
}

TT_EXPORT void tt_softmax(float* out, const float* x, int rows, int cols, int log) {
  softmax(out, x, rows, cols, log);
}

TT_EXPORT void tt_softmax_backward(float* dx, const float* y, const float* dy, int rows, int cols,
                                   int log) {
  softmax_backward(dx, y, dy, rows, cols, log);
}

TT_EXPORT void tt_layer_norm(float* out, float* mean, float* rstd, const float* x,
                             const float* gamma, const float* beta, int rows, int cols,
                             float eps) {
  layer_norm(out, mean, rstd, x, gamma, beta, rows, cols, eps);
}

TT_EXPORT void tt_layer_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy,
                                      const float* x, const float* mean, const float* rstd,
                                      const float* gamma, int rows, int cols) {
  layer_norm_backward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, cols);
}

TT_EXPORT void tt_dropout(float* out, const float* x, int n, u32 threshold, float scale, u32 seed,
                          u32 offset) {
  dropout(out, x, n, threshold, scale, seed, offset);
}

TT_EXPORT void tt_embedding(float* out, const float* table, const i32* ids, int n, int dim) {
  embedding(out, table, ids, n, dim);
}

TT_EXPORT void tt_embedding_backward(float* dtable, const float* dy, const i32* ids, int n,
                                     int dim) {
  embedding_backward(dtable, dy, ids, n, dim);
}

TT_EXPORT void tt_copy_f32(float* dst, const i32* ds, const float* src, const i32* ss,
                           const i32* shape, int rank, int accumulate) {
  copy<float>(dst, ds, src, ss, shape, rank, accumulate);
}

TT_EXPORT void tt_copy_i32(i32* dst, const i32* ds, const i32* src, const i32* ss,
                           const i32* shape, int rank, int accumulate) {
  copy<i32>(dst, ds, src, ss, shape, rank, accumulate);
}

TT_EXPORT void tt_fill_f32(float* out, float value, int n) { fill<float>(out, value, n); }

TT_EXPORT void tt_fill_i32(i32* out, i32 value, int n) { fill<i32>(out, value, n); }

TT_EXPORT void tt_axpy(float* y, const float* x, float alpha, int n) { axpy(y, x, alpha, n); }

TT_EXPORT void tt_cross_entropy(float* loss, float* lse, const float* logits, const i32* targets,
                                int rows, int V, float eps, i32 ignoreIndex) {
  cross_entropy(loss, lse, logits, targets, rows, V, eps, ignoreIndex);
}

TT_EXPORT void tt_cross_entropy_backward(float* dlogits, const float* logits, const float* lse,
                                         const i32* targets, const float* dloss, int rows, int V,
                                         float eps, i32 ignoreIndex) {
  cross_entropy_backward(dlogits, logits, lse, targets, dloss, rows, V, eps, ignoreIndex);
}

namespace {

AttentionShape attention_shape(int B, int H, int Tq, int Tk, int D, int Dv, float scale,
                               u32 threshold, float dropScale, u32 seed) {
  return AttentionShape{B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed};
}

}  // namespace

TT_EXPORT void tt_attention(float* out, float* weights, const float* q, const float* k,
                            const float* v, int B, int H, int Tq, int Tk, int D, int Dv,
                            float scale, u32 threshold, float dropScale, u32 seed, int causal,
                            const float* mask, const i32* maskStrides) {
  attention(out, weights, q, k, v,
            attention_shape(B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed), causal, mask,
            maskStrides);
}

TT_EXPORT void tt_attention_backward(float* dq, float* dk, float* dv, const float* dout,
                                     const float* q, const float* k, const float* v,
                                     const float* weights, int B, int H, int Tq, int Tk, int D,
                                     int Dv, float scale, u32 threshold, float dropScale,
                                     u32 seed) {
  attention_backward(dq, dk, dv, dout, q, k, v, weights,
                     attention_shape(B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed));
}

TT_EXPORT void tt_sparse_attention(float* out, float* lse, float* weights, const float* q,
                                   const float* k, const float* v, const i32* offsets,
                                   const i32* indices, int B, int H, int Tq, int Tk, int D, int Dv,
                                   int groups, float scale) {
  sparse_attention(out, lse, weights, q, k, v, offsets, indices,
                   SparseAttentionShape{B, H, Tq, Tk, D, Dv, groups, scale});
}

TT_EXPORT void tt_sparse_attention_backward(float* dq, float* dk, float* dv, const float* dout,
                                            const float* q, const float* k, const float* v,
                                            const float* lse, const i32* offsets,
                                            const i32* indices, int B, int H, int Tq, int Tk,
                                            int D, int Dv, int groups, float scale) {
  sparse_attention_backward(dq, dk, dv, dout, q, k, v, lse, offsets, indices,
                            SparseAttentionShape{B, H, Tq, Tk, D, Dv, groups, scale});
}

TT_EXPORT void tt_adam(float* param, const float* grad, float* m, float* v, int n, float lr,
                       float beta1, float beta2, float eps, float weightDecay, int decoupled,
                       float biasCorrection1, float biasCorrection2) {
  adam(param, grad, m, v, n,
       AdamParams{lr, beta1, beta2, eps, weightDecay, decoupled != 0, biasCorrection1,
                  biasCorrection2});
}

// gemmBf16: each operand float32 values or bf16 bits (aBf16, bBf16), C float32 (kernels/gemm_bf16.cc;
// on wasm the operands are rounded into float32 copies and multiplied by sgemm).
TT_EXPORT void tt_gemm_bf16(int transA, int transB, int M, int N, int K, float alpha, const void* a,
                            int aBf16, int strideA, const void* b, int bBf16, int strideB, float beta,
                            float* c, int strideC, int batch) {
  gemm_bf16(transA != 0, transB != 0, M, N, K, alpha, a, aBf16 != 0, strideA, b, bBf16 != 0, strideB, beta,
            c, strideC, batch);
}

TT_EXPORT void tt_cast_bf16(uint16_t* out, const float* x, int n) { cast_bf16(out, x, n); }

// Decoding: weights packed once into panels, products of few rows on them, attention over a fixed cache.
TT_EXPORT void tt_pack_panels(int transB, int K, int N, const float* b, float* packed) {
  pack_panels(transB != 0, K, N, b, packed);
}

TT_EXPORT void tt_gemm_packed(int M, int N, int K, const float* a, const float* packed, float* c,
                              const float* bias) {
  sgemm_packed(M, N, K, a, packed, c, bias);
}

TT_EXPORT void tt_attention_cached(float* out, float* weights, const float* q, const float* k, const float* v,
                                   const i32* index, const float* mask, int N, int H, int Tq, int Tk, int D,
                                   int slots, int capacity, float scale, int causal) {
  cached_attention(out, weights, q, k, v, index, mask, CachedAttentionShape{N, H, Tq, Tk, D, slots, capacity, scale},
                   causal != 0);
}

// int8 inference (kernels/gemm_int8.cc): the portable kernel, which the compiler vectorises for SIMD128.
TT_EXPORT void tt_quantize_int8(int rows, int K, const float* x, int8_t* q, float* scales) {
  quantize_int8(rows, K, x, q, scales);
}

TT_EXPORT void tt_pack_int8(int N, int K, const int8_t* q, int8_t* packed, i32* sums) { pack_int8(N, K, q, packed, sums); }

TT_EXPORT void tt_gemm_int8(int M, int N, int K, const float* x, const int8_t* packed, const float* scales,
                            const i32* sums, const float* bias, float* y) {
  gemm_int8(M, N, K, x, packed, scales, sums, bias, y);
}

TT_EXPORT int tt_num_threads() { return num_threads(); }

TT_EXPORT void tt_set_num_threads(int n) { set_num_threads(n); }

TT_EXPORT const char* tt_simd_level() { return gemm::active_kernel().name; }
