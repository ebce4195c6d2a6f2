// Placeholder scalar sgemm so the addon builds while the optimised kernel is written.
#include "gemm.h"

namespace tt {

void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; i++)
    for (int64_t j = 0; j < N; j++) {
      float acc = 0;
      for (int64_t p = 0; p < K; p++)
        acc += (transA ? A[p * lda + i] : A[i * lda + p]) * (transB ? B[j * ldb + p] : B[p * ldb + j]);
      C[i * ldc + j] = alpha * acc + (beta == 0 ? 0 : beta * C[i * ldc + j]);
    }
}

void sgemm_batched(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                   const float* A, int64_t strideA, const float* B, int64_t strideB, float beta,
                   float* C, int64_t strideC, int64_t batch) {
  for (int64_t b = 0; b < batch; b++)
    sgemm(transA, transB, M, N, K, alpha, A + b * strideA, transA ? M : K, B + b * strideB,
          transB ? K : N, beta, C + b * strideC, N);
}

}  // namespace tt
