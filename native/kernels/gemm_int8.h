// The instruction-set-specific half of the int8 product (gemm_int8.cc drives it): one Int8Kernel per
// instruction set multiplies rows of quantized activations by panels of packed int8 weights and applies
// the scales. The packed layout is Backend.packInt8's (src/backend/int8-contract.ts): panels of kPanel
// output columns, each a run of Kp / 4 groups of kPanel x 4 bytes (four consecutive k per column).
#pragma once
#include <cstdint>

namespace tt::int8 {

constexpr int kPanel = 16;
constexpr int kGroup = 4;

// Quantized activations: xq (M x Kp, zero-padded), one float32 scale per row, and for kernels that ask
// for them (Kernel::unsigned_rows) the same values plus 128 as unsigned bytes, xu.
struct Rows {
  int64_t M, Kp;
  const int8_t* xq;
  const float* sx;
  const uint8_t* xu;
};

// The weights' share a thread handles: n columns from panel 0 of `packed`, scales/sums/bias (bias may
// be null) and y already offset to the first column; y rows ldy apart.
struct Columns {
  int64_t n;
  const int8_t* packed;
  const float* scales;
  const int32_t* sums;
  const float* bias;
  float* y;
  int64_t ldy;
};

struct Kernel {
  const char* name;
  void (*panels)(const Rows& rows, const Columns& cols);
  // One row of Backend.quantizeInt8: its K values into q, its scale returned.
  float (*quantize_row)(const float* x, int64_t K, int8_t* q);
  bool unsigned_rows;
};

// nullptr when this build or this CPU lacks the instructions.
const Kernel* vnni_kernel();
const Kernel* avx2_kernel();

// 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer, ties to even.
constexpr float kRounder = 12582912.0f;

// roundEven(clamp(v, -127, 127)), 0 for NaN; IEEE rules forbid folding the rounder away (no -ffast-math).
inline int8_t quantize_value(float v) {
  if (!(v == v)) return 0;
  float c = v > 127.0f ? 127.0f : v < -127.0f ? -127.0f : v;
  float shifted = c + kRounder;
  return static_cast<int8_t>(shifted - kRounder);
}

// The scale of a row: max |x| / 127, NaNs skipped (the comparison is false for them).
inline float row_scale(const float* x, int64_t K) {
  float amax = 0.0f;
  for (int64_t k = 0; k < K; k++) {
    float a = x[k] < 0.0f ? -x[k] : x[k];
    if (a > amax) amax = a;
  }
  return amax / 127.0f;
}

// One output: f32(f32(acc) * f32(sx * sw)) (+ bias), as the contract rounds it; separate statements so
// that no compiler fuses them into a multiply-add.
inline float scale_output(int32_t acc, float sx, float sw, const float* bias, int64_t j) {
  float scale = sx * sw;
  float y = static_cast<float>(acc) * scale;
  if (bias != nullptr) y = y + bias[j];
  return y;
}

}  // namespace tt::int8
