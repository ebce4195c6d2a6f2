// The JS face of the network-level kernels (layernorm.cc, dropout.cc, embedding.cc,
// cross_entropy.cc): layer norm, dropout, embedding and label-smoothed cross-entropy.
#include <napi.h>

#include "../kernels/kernels.h"
#include "args.h"

namespace tt {
namespace glue {

using Info = Napi::CallbackInfo;

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

Napi::Value CrossEntropy(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "crossEntropy");
    int64_t rows = a.count(4, "rows"), V = a.count(5, "V");
    int32_t ignore = a.int32(7, "ignoreIndex");
    const int32_t* targets = a.array<int32_t>(3, "targets", rows);
    check_indices(a, "targets", targets, rows, V, ignore);
    cross_entropy(a.array<float>(0, "loss", rows), a.array<float>(1, "lse", rows),
                  a.array<float>(2, "logits", mul(a, "V", rows, V)), targets, rows, V,
                  a.number(6, "eps"), ignore);
  });
}

Napi::Value CrossEntropyBackward(const Info& info) {
  return guarded(info, [&] {
    Args a(info, "crossEntropyBackward");
    int64_t rows = a.count(5, "rows"), V = a.count(6, "V"), n = mul(a, "V", rows, V);
    int32_t ignore = a.int32(8, "ignoreIndex");
    const int32_t* targets = a.array<int32_t>(3, "targets", rows);
    check_indices(a, "targets", targets, rows, V, ignore);
    cross_entropy_backward(a.array<float>(0, "dlogits", n), a.array<float>(1, "logits", n),
                           a.array<float>(2, "lse", rows), targets,
                           a.array<float>(4, "dloss", rows), rows, V, a.number(7, "eps"), ignore);
  });
}

}  // namespace glue
}  // namespace tt
