// The instruction-set-specific half of sgemm (BLIS design): packing into register-blocked panels and
// the micro-kernel that multiplies one packed A panel by one packed B panel. gemm.cc drives a
// Kernel with cache blocking and threads; gemm_kernels_{avx512,avx2,wasm,portable}.cc provide one each.
#pragma once
#include <cstdint>

namespace tt::gemm {

// Weights packed once for the skinny path (sgemm_packed): op(B) K x N cut into panels of kPanel
// columns, panel q holding element (p, j) at q * kPanel * K + p * kPanel + (j - q * kPanel), the last
// panel zero-padded.
constexpr int kPanel = 16;

// How many rows of a panel (64-byte lines) ahead the skinny path asks for while it first sweeps a
// few panels: with one or two streams the hardware prefetcher alone leaves memory idle between
// misses (measured on Zen: products of 8 or 16 rows over the base model's weights 17-25% faster).
constexpr int kFetchAhead = 64;

// Packed A (mc x kc): panels of mr rows, element (i, p) of a panel at p * mr + i.
// Packed B (kc x nc): panels of nr columns, element (p, j) of a panel at p * nr + j.
// Both are zero-padded to whole panels, so the micro-kernel never branches on edges inside its loop.
struct Kernel {
  const char* name;
  int mr, nr;
  // Cache blocks: kc x nc of packed B stays in L2, an mr x kc panel of packed A in L1.
  int64_t kc, nc;
  // C[0:m, 0:n] = alpha * (Ap @ Bp) + beta * C for m <= mr, n <= nr; beta == 0 never reads C.
  void (*micro)(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, float alpha,
                float beta, int m, int n);
  // Packs op(A)[0:mc, 0:kc]; a points at op(A)(0, 0), trans means A is stored K x M.
  void (*pack_a)(bool trans, const float* a, int64_t lda, int64_t mc, int64_t kc, float* out);
  // Packs op(B)[0:kc, 0:nc]; b points at op(B)(0, 0), trans means B is stored N x K.
  void (*pack_b)(bool trans, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* out);
  // C[0:M, 0:n] = A (M x K, rows lda apart) @ the packed panels at bp covering n columns (C rows ldc
  // apart), plus bias[0:n] on every row when bias is not null: each panel streams once per block of
  // rows, the rows of A stay in L1.
  void (*packed)(int64_t M, int64_t K, const float* a, int64_t lda, const float* bp, int64_t n,
                 const float* bias, float* c, int64_t ldc);
};

// The kernel sgemm uses: the best this CPU runs, or a lower one forced by TRANSFORMER_SIMD=avx2|portable.
const Kernel& active_kernel();

// nullptr when this build or this CPU lacks the instruction set.
const Kernel* avx512_kernel();
const Kernel* avx2_kernel();
const Kernel* wasm_kernel();  // WebAssembly SIMD128, in wasm builds only
const Kernel* portable_kernel();

}  // namespace tt::gemm
