// The native kernels behind the Backend interface (src/backend/backend.ts), float32 only. Arguments
// mirror the Backend methods; the glue in native/napi/ validates them before any of these runs.
#pragma once
#include <cstdint>

namespace tt {

// The op codes of BinaryOp, UnaryOp and ReduceOp in src/backend/backend.ts, same names and order
// (test/backend/kernel-contract.test.ts compares them); the last enumerator counts the ops.
enum BinaryOp { kAdd, kSub, kMul, kDiv, kBinaryOps };
enum UnaryOp {
  kNeg, kExp, kLog, kSqrt, kTanh, kSigmoid, kRelu, kGelu, kSwish, kPow, kScale, kAddScalar,
  kUnaryOps
};
enum ReduceOp { kSum, kMax, kReduceOps };

// elementwise.cc
void binary(int op, float* out, const float* a, const int32_t* aStrides, const float* b,
            const int32_t* bStrides, const int32_t* shape, int rank);
void where(float* out, const int32_t* cond, const int32_t* condStrides, const float* a,
           const int32_t* aStrides, const float* b, const int32_t* bStrides, const int32_t* shape,
           int rank);
void unary(int op, float* out, const float* x, int64_t n, float alpha);
void unary_backward(int op, float* dx, const float* x, const float* y, const float* dy, int64_t n,
                    float alpha);
void axpy(float* y, const float* x, float alpha, int64_t n);

// copy.cc
template <class T>
void copy(T* dst, const int32_t* dstStrides, const T* src, const int32_t* srcStrides,
          const int32_t* shape, int rank, bool accumulate);
template <class T>
void fill(T* out, T value, int64_t n);

// reduce.cc
void reduce(int op, float* out, int32_t* argmax, const float* x, int64_t outer, int64_t size,
            int64_t inner);
void max_backward(float* dx, const float* dy, const int32_t* argmax, int64_t outer, int64_t size,
                  int64_t inner);

// softmax.cc
void softmax(float* out, const float* x, int64_t rows, int64_t cols, bool log);
void softmax_backward(float* dx, const float* y, const float* dy, int64_t rows, int64_t cols,
                      bool log);
// One row of softmax, shared with attention. A row that is all -inf becomes all 0. y may be x.
void softmax_row(float* y, const float* x, int64_t n);

// layernorm.cc
void layer_norm(float* out, float* mean, float* rstd, const float* x, const float* gamma,
                const float* beta, int64_t rows, int64_t cols, float eps);
void layer_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* mean, const float* rstd, const float* gamma, int64_t rows,
                         int64_t cols);

// dropout.cc
void dropout(float* out, const float* x, int64_t n, uint32_t threshold, float scale, uint32_t seed,
             uint32_t offset);

// embedding.cc
void embedding(float* out, const float* table, const int32_t* ids, int64_t n, int64_t dim);
void embedding_backward(float* dtable, const float* dy, const int32_t* ids, int64_t n,
                        int64_t dim);

// cross_entropy.cc
void cross_entropy(float* loss, float* lse, const float* logits, const int32_t* targets,
                   int64_t rows, int64_t V, float eps, int32_t ignoreIndex);
void cross_entropy_backward(float* dlogits, const float* logits, const float* lse,
                            const int32_t* targets, const float* dloss, int64_t rows, int64_t V,
                            float eps, int32_t ignoreIndex);

// attention.cc
struct AttentionShape {
  int64_t B, H, Tq, Tk, D, Dv;
  float scale;
  uint32_t threshold;  // dropout: 0 = off
  float dropScale;
  uint32_t seed;
};
// maskStrides (mB, mH, mQ, mK) are read only when mask is non-null.
void attention(float* out, float* weights, const float* q, const float* k, const float* v,
               const AttentionShape& s, bool causal, const float* mask, const int32_t* maskStrides);
void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q,
                        const float* k, const float* v, const float* weights,
                        const AttentionShape& s);

// cached_attention.cc: attention over a key/value cache that stays in place while decoding.
struct CachedAttentionShape {
  int64_t N, H, Tq, Tk, D, slots, capacity;
  float scale;
};
// Key j of query row n lives in cache row index[n * capacity + j]; mask (slots x capacity, additive)
// is read at the same place; weights may be null.
void cached_attention(float* out, float* weights, const float* q, const float* k, const float* v,
                      const int32_t* index, const float* mask, const CachedAttentionShape& s,
                      bool causal);

// sparse_attention.cc
struct SparseAttentionShape {
  int64_t B, H, Tq, Tk, D, Dv;
  int64_t groups;  // 1, B or B*H blocks of Tq + 1 offsets
  float scale;
};
// weights may be null. offsets and indices are already validated.
void sparse_attention(float* out, float* lse, float* weights, const float* q, const float* k,
                      const float* v, const int32_t* offsets, const int32_t* indices,
                      const SparseAttentionShape& s);
void sparse_attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q,
                               const float* k, const float* v, const float* lse,
                               const int32_t* offsets, const int32_t* indices,
                               const SparseAttentionShape& s);

// adam.cc
struct AdamParams {
  float lr, beta1, beta2, eps, weightDecay;
  bool decoupled;
  float biasCorrection1, biasCorrection2;
};
void adam(float* param, const float* grad, float* m, float* v, int64_t n, const AdamParams& p);

}  // namespace tt

// gemm_bf16.cc: Backend.gemmBf16 (each operand float32 or bf16 bits, C float32) and Backend.castBf16.
namespace tt {
void gemm_bf16(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const void* A,
               bool aBf16, int64_t strideA, const void* B, bool bBf16, int64_t strideB, float beta, float* C,
               int64_t strideC, int64_t batch);
void cast_bf16(uint16_t* out, const float* x, int64_t n);
// "avx512bf16", or "float32" when the products run on sgemm over rounded copies.
const char* gemm_bf16_level();
}  // namespace tt

// gemm_int8.cc: Backend.quantizeInt8, packInt8 and gemmInt8 (src/backend/int8-contract.ts).
namespace tt {
void quantize_int8(int64_t rows, int64_t K, const float* x, int8_t* q, float* scales);
void pack_int8(int64_t N, int64_t K, const int8_t* q, int8_t* packed, int32_t* sums);
// bias may be null.
void gemm_int8(int64_t M, int64_t N, int64_t K, const float* x, const int8_t* packed, const float* scales,
               const int32_t* sums, const float* bias, float* y);
// "avx512vnni", "avx2" or "portable": the kernel gemm_int8 runs.
const char* gemm_int8_level();
}  // namespace tt
