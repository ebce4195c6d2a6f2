// The JS face of the element-wise kernels (elementwise.cc, copy.cc): binary and where over strided
// operands, unary ops and their gradients, copy, fill and axpy.
#include <napi.h>

#include <string>

#include "../kernels/kernels.h"
#include "../kernels/strided.h"
#include "args.h"

namespace tt {
namespace {

using Info = Napi::CallbackInfo;

struct Shape {
  const int32_t* dims;
  int rank;
};

Shape shape_arg(const Args& a, size_t i) {
  Shape s{a.array<int32_t>(i, "shape", 0), static_cast<int>(a.length(i))};
  if (s.rank > kMaxRank)
    a.fail(true, "shape", "has rank " + std::to_string(s.rank) + " > " + std::to_string(kMaxRank));
  for (int d = 0; d < s.rank; d++)
    if (s.dims[d] < 0) a.fail(true, "shape", "has a negative dimension");
  return s;
}

// The strides of one operand over `shape`, and the number of elements they reach.
const int32_t* strides_arg(const Args& a, size_t i, const char* name, const Shape& s,
                           int64_t* reach) {
  const int32_t* st = a.array<int32_t>(i, name, s.rank);
  *reach = 1;
  for (int d = 0; d < s.rank; d++) {
    if (s.dims[d] == 0) *reach = 0;
    if (st[d] < 0) a.fail(true, name, "has a negative stride");
  }
  for (int d = 0; d < s.rank && *reach > 0; d++) *reach += int64_t(s.dims[d] - 1) * st[d];
  return st;
}

template <class T>
const T* strided_array(const Args& a, size_t arr, size_t st, const char* name,
                       const char* strides_name, const Shape& s, const int32_t** strides) {
  int64_t reach;
  *strides = strides_arg(a, st, strides_name, s, &reach);
  return a.array<T>(arr, name, reach);
}

int64_t shape_size(const Args& a, const Shape& s) {
  int64_t n = 1;
  for (int d = 0; d < s.rank; d++) n = mul(a, "shape", n, s.dims[d]);
  return n;
}

template <class T>
void copy_typed(const Args& a, const Shape& s, bool accumulate) {
  const int32_t *ds, *ss;
  T* dst = const_cast<T*>(strided_array<T>(a, 0, 1, "dst", "dstStrides", s, &ds));
  const T* src = strided_array<T>(a, 2, 3, "src", "srcStrides", s, &ss);
  copy<T>(dst, ds, src, ss, s.dims, s.rank, accumulate);
}

}  // namespace

namespace glue {

Napi::Value Binary(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "binary");
    int op = op_code(a, 0, kBinaryOps);
    Shape s = shape_arg(a, 6);
    const int32_t *as, *bs;
    const float* x = strided_array<float>(a, 2, 3, "a", "aStrides", s, &as);
    const float* y = strided_array<float>(a, 4, 5, "b", "bStrides", s, &bs);
    binary(op, a.array<float>(1, "out", shape_size(a, s)), x, as, y, bs, s.dims, s.rank);
  });
}

Napi::Value Where(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "where");
    Shape s = shape_arg(a, 7);
    const int32_t *cs, *as, *bs;
    const int32_t* c = strided_array<int32_t>(a, 1, 2, "cond", "condStrides", s, &cs);
    const float* x = strided_array<float>(a, 3, 4, "a", "aStrides", s, &as);
    const float* y = strided_array<float>(a, 5, 6, "b", "bStrides", s, &bs);
    where(a.array<float>(0, "out", shape_size(a, s)), c, cs, x, as, y, bs, s.dims, s.rank);
  });
}

Napi::Value Unary(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "unary");
    int op = op_code(a, 0, kUnaryOps);
    int64_t n = a.count(3, "n");
    unary(op, a.array<float>(1, "out", n), a.array<float>(2, "x", n), n, a.number(4, "alpha"));
  });
}

Napi::Value UnaryBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "unaryBackward");
    int op = op_code(a, 0, kUnaryOps);
    int64_t n = a.count(5, "n");
    unary_backward(op, a.array<float>(1, "dx", n), a.array<float>(2, "x", n),
                   a.array<float>(3, "y", n), a.array<float>(4, "dy", n), n,
                   a.number(6, "alpha"));
  });
}

Napi::Value Copy(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "copy");
    Shape s = shape_arg(a, 4);
    bool accumulate = a.flag(5, "accumulate");
    if (a.array_type(0, "dst") == napi_int32_array) {
      copy_typed<int32_t>(a, s, accumulate);
    } else {
      copy_typed<float>(a, s, accumulate);
    }
  });
}

Napi::Value Fill(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "fill");
    int64_t n = a.count(2, "n");
    if (a.array_type(0, "out") == napi_int32_array) {
      fill<int32_t>(a.array<int32_t>(0, "out", n), a.int32(1, "value"), n);
    } else {
      fill<float>(a.array<float>(0, "out", n), a.number(1, "value"), n);
    }
  });
}

Napi::Value Axpy(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "axpy");
    int64_t n = a.count(3, "n");
    axpy(a.array<float>(0, "y", n), a.array<float>(1, "x", n), a.number(2, "alpha"), n);
  });
}

}  // namespace glue
}  // namespace tt
