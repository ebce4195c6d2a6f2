// The JS face of the kernels: one exported function per Backend method (src/backend/backend.ts),
// same positional arguments, each argument checked before the kernel runs.
#include <napi.h>

#include <string>

#include "kernels/kernels.h"
#include "kernels/napi_args.h"
#include "kernels/strided.h"

namespace tt {
namespace {

using Info = Napi::CallbackInfo;

int op_code(const Args& a, size_t i, int count) {
  int32_t op = a.int32(i, "op");
  if (op < 0 || op >= count) a.fail(true, "op", "is not a valid op code: " + std::to_string(op));
  return op;
}

struct Shape {
  const int32_t* dims;
  int rank;
};

Shape shape_arg(const Args& a, size_t i) {
  Shape s{a.array<int32_t>(i, "shape", 0), static_cast<int>(a.length(i))};
  if (s.rank > kMaxRank) a.fail(true, "shape", "has rank " + std::to_string(s.rank) + " > 8");
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

Napi::Value Binary(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "binary");
    int op = op_code(a, 0, 4);
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

Napi::Value Reduce(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "reduce");
    int op = op_code(a, 0, 2);
    int64_t outer = a.count(4, "outer"), size = a.count(5, "size"), inner = a.count(6, "inner");
    int64_t n_out = mul(a, "inner", outer, inner), n_in = mul(a, "size", n_out, size);
    reduce(op, a.array<float>(1, "out", n_out), a.array_or_null<int32_t>(2, "argmax", n_out),
           a.array<float>(3, "x", n_in), outer, size, inner);
  });
}

Napi::Value MaxBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "maxBackward");
    int64_t outer = a.count(3, "outer"), size = a.count(4, "size"), inner = a.count(5, "inner");
    int64_t n_out = mul(a, "inner", outer, inner), n_in = mul(a, "size", n_out, size);
    const int32_t* arg = a.array<int32_t>(2, "argmax", n_out);
    if (size == 0) return;  // dx is empty: there is nothing to route the gradient to
    check_indices(a, "argmax", arg, n_out, size);
    max_backward(a.array<float>(0, "dx", n_in), a.array<float>(1, "dy", n_out), arg, outer, size,
                 inner);
  });
}

Napi::Value Softmax(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "softmax");
    int64_t rows = a.count(2, "rows"), cols = a.count(3, "cols"), n = mul(a, "cols", rows, cols);
    softmax(a.array<float>(0, "out", n), a.array<float>(1, "x", n), rows, cols, a.flag(4, "log"));
  });
}

Napi::Value SoftmaxBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "softmaxBackward");
    int64_t rows = a.count(3, "rows"), cols = a.count(4, "cols"), n = mul(a, "cols", rows, cols);
    softmax_backward(a.array<float>(0, "dx", n), a.array<float>(1, "y", n),
                     a.array<float>(2, "dy", n), rows, cols, a.flag(5, "log"));
  });
}

Napi::Value LayerNorm(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "layerNorm");
    int64_t rows = a.count(6, "rows"), cols = a.count(7, "cols"), n = mul(a, "cols", rows, cols);
    layer_norm(a.array<float>(0, "out", n), a.array<float>(1, "mean", rows),
               a.array<float>(2, "rstd", rows), a.array<float>(3, "x", n),
               a.array_or_null<float>(4, "gamma", cols), a.array_or_null<float>(5, "beta", cols),
               rows, cols, a.number(8, "eps"));
  });
}

Napi::Value LayerNormBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "layerNormBackward");
    int64_t rows = a.count(8, "rows"), cols = a.count(9, "cols"), n = mul(a, "cols", rows, cols);
    float* dgamma = a.array_or_null<float>(1, "dgamma", cols);
    float* dbeta = a.array_or_null<float>(2, "dbeta", cols);
    layer_norm_backward(a.array<float>(0, "dx", n), dgamma, dbeta, a.array<float>(3, "dy", n),
                        a.array<float>(4, "x", n), a.array<float>(5, "mean", rows),
                        a.array<float>(6, "rstd", rows),
                        a.array_or_null<float>(7, "gamma", cols), rows, cols);
  });
}

Napi::Value Dropout(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "dropout");
    int64_t n = a.count(2, "n");
    dropout(a.array<float>(0, "out", n), a.array<float>(1, "x", n), n, a.uint32(3, "threshold"),
            a.number(4, "scale"), a.uint32(5, "seed"), a.uint32(6, "offset"));
  });
}

Napi::Value Embedding(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "embedding");
    int64_t n = a.count(3, "n"), dim = a.count(4, "dim");
    float* out = a.array<float>(0, "out", mul(a, "dim", n, dim));
    const float* table = a.array<float>(1, "table", 0);
    const int32_t* ids = a.array<int32_t>(2, "ids", n);
    int64_t table_rows = dim == 0 ? INT32_MAX : a.length(1) / dim;
    check_indices(a, "ids", ids, n, table_rows);
    embedding(out, table, ids, n, dim);
  });
}

Napi::Value EmbeddingBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "embeddingBackward");
    int64_t n = a.count(3, "n"), dim = a.count(4, "dim");
    float* dtable = a.array<float>(0, "dtable", 0);
    const int32_t* ids = a.array<int32_t>(2, "ids", n);
    int64_t table_rows = dim == 0 ? INT32_MAX : a.length(0) / dim;
    check_indices(a, "ids", ids, n, table_rows);
    embedding_backward(dtable, a.array<float>(1, "dy", mul(a, "dim", n, dim)), ids, n, dim);
  });
}

template <class T>
void copy_typed(const Args& a, const Shape& s, bool accumulate) {
  const int32_t *ds, *ss;
  T* dst = const_cast<T*>(strided_array<T>(a, 0, 1, "dst", "dstStrides", s, &ds));
  const T* src = strided_array<T>(a, 2, 3, "src", "srcStrides", s, &ss);
  copy<T>(dst, ds, src, ss, s.dims, s.rank, accumulate);
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

}  // namespace

void RegisterNnKernels(Napi::Env env, Napi::Object exports);
void RegisterSparseAttentionKernels(Napi::Env env, Napi::Object exports);

void RegisterKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("unaryBackward", Napi::Function::New(env, UnaryBackward));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("maxBackward", Napi::Function::New(env, MaxBackward));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward));
  exports.Set("dropout", Napi::Function::New(env, Dropout));
  exports.Set("embedding", Napi::Function::New(env, Embedding));
  exports.Set("embeddingBackward", Napi::Function::New(env, EmbeddingBackward));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("axpy", Napi::Function::New(env, Axpy));
  RegisterNnKernels(env, exports);
  RegisterSparseAttentionKernels(env, exports);
}

}  // namespace tt
