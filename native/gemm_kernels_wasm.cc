// WebAssembly SIMD128 sgemm kernel: a 4 x 8 register block (8 f32x4 accumulators, two B vectors,
// one broadcast of A). V8 compiles SIMD128 to the 16 xmm registers on x86-64 and keeps one for
// itself, so 6 x 8 (15 live vectors) spills; measured in Node 20 on 512^3, 4 x 8 ran at about twice
// the GFLOP/s of 6 x 8 and 5 x 8, and on a par with 2 x 16. SIMD128 has no fused multiply-add
// (relaxed SIMD's is not on by default in Node or browsers yet), so each step is a multiply and an
// add. Chosen at compile time for wasm.
#include "gemm_kernels.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace tt::gemm {
namespace {

#define TT_TARGET
#define TT_PACK_WASM
#include "gemm_pack.h"

constexpr int MR = 4, NR = 8;

void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
           float beta, int m, int n) {
  v128_t lo[MR], hi[MR];
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; i++) lo[i] = hi[i] = wasm_f32x4_splat(0.0f);
  for (int64_t p = 0; p < kc; p++, a += MR, b += NR) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
      v128_t ai = wasm_v128_load32_splat(a + i);  // one broadcast load, not a load and a splat
      lo[i] = wasm_f32x4_add(lo[i], wasm_f32x4_mul(ai, b0));
      hi[i] = wasm_f32x4_add(hi[i], wasm_f32x4_mul(ai, b1));
    }
  }
  v128_t va = wasm_f32x4_splat(alpha), vb = wasm_f32x4_splat(beta);
  if (m == MR && n == NR) {
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
      float* ci = c + i * ldc;
      v128_t r0 = wasm_f32x4_mul(lo[i], va), r1 = wasm_f32x4_mul(hi[i], va);
      if (beta != 0.0f) {
        r0 = wasm_f32x4_add(r0, wasm_f32x4_mul(vb, wasm_v128_load(ci)));
        r1 = wasm_f32x4_add(r1, wasm_f32x4_mul(vb, wasm_v128_load(ci + 4)));
      }
      wasm_v128_store(ci, r0);
      wasm_v128_store(ci + 4, r1);
    }
    return;
  }
  float t[MR * NR];
  for (int i = 0; i < MR; i++) {
    wasm_v128_store(t + i * NR, wasm_f32x4_mul(lo[i], va));
    wasm_v128_store(t + i * NR + 4, wasm_f32x4_mul(hi[i], va));
  }
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      c[i * ldc + j] = t[i * NR + j] + (beta != 0.0f ? beta * c[i * ldc + j] : 0.0f);
}

#include "gemm_packed_scalar.h"

const Kernel kWasm{"wasm-simd128", MR, NR, 256, 256, micro, pack_a<MR>, pack_b<NR>, packed};

}  // namespace

const Kernel* wasm_kernel() { return &kWasm; }

}  // namespace tt::gemm

#else

namespace tt::gemm {
const Kernel* wasm_kernel() { return nullptr; }
}  // namespace tt::gemm

#endif
