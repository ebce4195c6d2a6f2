// Single-precision matrix products (row-major), the kernel behind matmul and attention.
#pragma once
#include <cstdint>

namespace tt {

// C = alpha * op(A) @ op(B) + beta * C with op(A) M x K, op(B) K x N, C M x N, row-major with leading
// dimensions lda, ldb, ldc. transA means A is stored K x M; transB means B is stored N x K. beta == 0
// ignores C's previous contents. Uses the thread pool unless called from inside a parallel region.
void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The batched form of the Backend.gemm kernel: dense matrices, batch strides in elements (0 shares).
void sgemm_batched(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                   const float* A, int64_t strideA, const float* B, int64_t strideB, float beta,
                   float* C, int64_t strideC, int64_t batch);

// Weights packed once for sgemm_packed: op(B) (K x N; transB means B is stored N x K, as a Linear
// weight) in panels of gemm::kPanel columns, panel q holding (p, j) at q * kPanel * K + p * kPanel +
// (j - q * kPanel), the last panel zero-padded; out holds ceil(N / kPanel) * kPanel * K floats.
void pack_panels(bool transB, int64_t K, int64_t N, const float* b, float* out);

// C (M x N, dense) = A (M x K, dense) @ the weights pack_panels packed (+ bias (N) on every row, when
// not null): the path for decoding's skinny products, which streams the weights once (threads split
// the panels) and never repacks them.
void sgemm_packed(int64_t M, int64_t N, int64_t K, const float* A, const float* packed, float* C,
                  const float* bias = nullptr);

}  // namespace tt
