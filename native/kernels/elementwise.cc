// Elementwise kernels: broadcasting binary ops and where over strided operands, unary ops and their
// gradients, axpy.
#include <cmath>

#include "kernels.h"
#include "strided.h"
#include "vec.h"

namespace tt {
namespace {

// Cheap ops are memory bound: a chunk must be large enough to pay for waking a thread.
constexpr int64_t kGrainCheap = 1 << 15;
constexpr int64_t kGrainTranscendental = 1 << 12;

// One row with the common stride patterns as separate loops so each vectorises.
template <class F>
TT_INLINE void binary_loop(float* out, const float* a, int64_t sa, const float* b, int64_t sb,
                           int64_t n, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float y = b[0];
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], y);
  } else if (sa == 0 && sb == 1) {
    const float x = a[0];
    for (int64_t i = 0; i < n; i++) out[i] = f(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i * sa], b[i * sb]);
  }
}

TT_SIMD void binary_row(int op, float* out, const float* a, int64_t sa, const float* b, int64_t sb,
                        int64_t n) {
  switch (op) {
    case kAdd: return binary_loop(out, a, sa, b, sb, n, [](float x, float y) { return x + y; });
    case kSub: return binary_loop(out, a, sa, b, sb, n, [](float x, float y) { return x - y; });
    case kMul: return binary_loop(out, a, sa, b, sb, n, [](float x, float y) { return x * y; });
    default: return binary_loop(out, a, sa, b, sb, n, [](float x, float y) { return x / y; });
  }
}

TT_SIMD void where_row(float* out, const int32_t* c, int64_t sc, const float* a, int64_t sa,
                       const float* b, int64_t sb, int64_t n) {
  if (sc == 1 && sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = c[i] != 0 ? a[i] : b[i];
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = c[i * sc] != 0 ? a[i * sa] : b[i * sb];
  }
}

// The standard normal CDF through erfc, which keeps the far left tail where 1 + erf cancels.
TT_INLINE float normal_cdf(float x) { return 0.5f * std::erfc(-x * 0.70710678118654752f); }

// The unary ops with a vectorised form: exp and the sigmoid family built on it.
template <int kOp>
TT_INLINE vf vunary(vf v) {
  if constexpr (kOp == kExp) return vexp(v);
  // sigmoid as e / (1 + e) with e = exp(-|x|) <= 1, which never overflows.
  const vf e = vexp(v > 0.0f ? -v : v);
  const vf s = (v > 0.0f ? vsplat(1.0f) : e) / (1.0f + e);
  if constexpr (kOp == kSigmoid) return s;
  return v * s;  // kSwish
}

template <int kOp>
TT_INLINE void map_vec(float* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) vstore(out + i, vunary<kOp>(vload(x + i)));
  if (i < n) vstore_part(out + i, vunary<kOp>(vload_part(x + i, n - i, 0.0f)), n - i);
}

TT_SIMD void unary_range(int op, float* out, const float* x, int64_t n, float alpha) {
  switch (op) {
    case kNeg: for (int64_t i = 0; i < n; i++) out[i] = -x[i]; return;
    case kExp: return map_vec<kExp>(out, x, n);
    case kLog: for (int64_t i = 0; i < n; i++) out[i] = std::log(x[i]); return;
    case kSqrt: for (int64_t i = 0; i < n; i++) out[i] = std::sqrt(x[i]); return;
    case kTanh: for (int64_t i = 0; i < n; i++) out[i] = std::tanh(x[i]); return;
    case kSigmoid: return map_vec<kSigmoid>(out, x, n);
    case kRelu: for (int64_t i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0.0f; return;
    case kGelu: for (int64_t i = 0; i < n; i++) out[i] = x[i] * normal_cdf(x[i]); return;
    case kSwish: return map_vec<kSwish>(out, x, n);
    case kPow:
      if (alpha == 2.0f) {
        for (int64_t i = 0; i < n; i++) out[i] = x[i] * x[i];
      } else {
        for (int64_t i = 0; i < n; i++) out[i] = std::pow(x[i], alpha);
      }
      return;
    case kScale: for (int64_t i = 0; i < n; i++) out[i] = x[i] * alpha; return;
    default: for (int64_t i = 0; i < n; i++) out[i] = x[i] + alpha; return;
  }
}

TT_SIMD void unary_backward_range(int op, float* dx, const float* x, const float* y,
                                  const float* dy, int64_t n, float alpha) {
  switch (op) {
    case kNeg: for (int64_t i = 0; i < n; i++) dx[i] = -dy[i]; return;
    case kExp: for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * y[i]; return;
    case kLog: for (int64_t i = 0; i < n; i++) dx[i] = dy[i] / x[i]; return;
    case kSqrt: for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * 0.5f / y[i]; return;
    case kTanh: for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]); return;
    case kSigmoid: for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]); return;
    case kRelu: for (int64_t i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0.0f; return;
    case kGelu:  // d/dx x Phi(x) = Phi(x) + x phi(x)
      for (int64_t i = 0; i < n; i++) {
        float cdf = normal_cdf(x[i]);
        float pdf = 0.39894228040143268f * std::exp(-0.5f * x[i] * x[i]);
        dx[i] = dy[i] * (cdf + x[i] * pdf);
      }
      return;
    case kSwish:  // d/dx x s(x) = s + x s (1 - s)
      for (int64_t i = 0; i < n; i++) {
        float s = 1.0f / (1.0f + std::exp(-x[i]));
        dx[i] = dy[i] * (s + x[i] * s * (1.0f - s));
      }
      return;
    case kPow:  // exponent 0 has derivative 0 everywhere, as in PyTorch (not 0 * x^-1)
      if (alpha == 0.0f) {
        for (int64_t i = 0; i < n; i++) dx[i] = 0.0f * dy[i];
      } else {
        for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * alpha * std::pow(x[i], alpha - 1.0f);
      }
      return;
    case kScale: for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * alpha; return;
    default: for (int64_t i = 0; i < n; i++) dx[i] = dy[i]; return;
  }
}

bool is_cheap(int op) { return op == kNeg || op == kRelu || op == kScale || op == kAddScalar; }

TT_SIMD void axpy_range(float* y, const float* x, float alpha, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

}  // namespace

void binary(int op, float* out, const float* a, const int32_t* aStrides, const float* b,
            const int32_t* bStrides, const int32_t* shape, int rank) {
  int32_t dense[kMaxRank];
  int32_t step = 1;
  for (int d = rank - 1; d >= 0; d--) dense[d] = step, step *= shape[d];
  const int32_t* strides[] = {dense, aStrides, bStrides};
  Strided s = collapse(rank, shape, strides, 3);
  const int64_t n = s.row_length();
  for_each_row(s, kGrainCheap, [&](const int64_t* off, int64_t) {
    binary_row(op, out + off[0], a + off[1], s.stride[1][s.rank - 1], b + off[2],
               s.stride[2][s.rank - 1], n);
  });
}

void where(float* out, const int32_t* cond, const int32_t* condStrides, const float* a,
           const int32_t* aStrides, const float* b, const int32_t* bStrides, const int32_t* shape,
           int rank) {
  int32_t dense[kMaxRank];
  int32_t step = 1;
  for (int d = rank - 1; d >= 0; d--) dense[d] = step, step *= shape[d];
  const int32_t* strides[] = {dense, condStrides, aStrides, bStrides};
  Strided s = collapse(rank, shape, strides, 4);
  const int64_t n = s.row_length();
  const int last = s.rank - 1;
  for_each_row(s, kGrainCheap, [&](const int64_t* off, int64_t) {
    where_row(out + off[0], cond + off[1], s.stride[1][last], a + off[2], s.stride[2][last],
              b + off[3], s.stride[3][last], n);
  });
}

void unary(int op, float* out, const float* x, int64_t n, float alpha) {
  parallel_for(n, is_cheap(op) ? kGrainCheap : kGrainTranscendental, [&](int64_t i0, int64_t i1) {
    unary_range(op, out + i0, x + i0, i1 - i0, alpha);
  });
}

void unary_backward(int op, float* dx, const float* x, const float* y, const float* dy, int64_t n,
                    float alpha) {
  int64_t grain = is_cheap(op) || op == kExp || op == kTanh || op == kSigmoid || op == kLog ||
                          op == kSqrt
                      ? kGrainCheap
                      : kGrainTranscendental;
  parallel_for(n, grain, [&](int64_t i0, int64_t i1) {
    unary_backward_range(op, dx + i0, x + i0, y + i0, dy + i0, i1 - i0, alpha);
  });
}

void axpy(float* y, const float* x, float alpha, int64_t n) {
  parallel_for(n, kGrainCheap, [&](int64_t i0, int64_t i1) { axpy_range(y + i0, x + i0, alpha, i1 - i0); });
}

}  // namespace tt
