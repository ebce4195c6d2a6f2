// Inverted dropout (section 5.4 of the paper) with a hashed counter mask that the backward pass
// regenerates instead of storing.
#include "dropout.h"

#include "../threadpool.h"
#include "kernels.h"
#include "vec.h"

namespace tt {

// Written as a plain loop of uint32 arithmetic so the compiler vectorises the hash.
TT_SIMD void dropout_run(float* out, const float* x, int64_t n, uint32_t threshold, float scale,
                         uint32_t seed, uint32_t offset) {
  for (int64_t i = 0; i < n; i++) {
    const uint32_t h = dropout_hash(seed, offset + static_cast<uint32_t>(i));
    out[i] = h >= threshold ? x[i] * scale : 0.0f;
  }
}

void dropout(float* out, const float* x, int64_t n, uint32_t threshold, float scale, uint32_t seed,
             uint32_t offset) {
  parallel_for(n, 1 << 15, [&](int64_t i0, int64_t i1) {
    dropout_run(out + i0, x + i0, i1 - i0, threshold, scale, seed,
                offset + static_cast<uint32_t>(i0));
  });
}

}  // namespace tt
