// N-d strided iteration shared by binary, where and copy: the index space is collapsed to as few
// dimensions as the operands' strides allow, then walked as rows of the innermost dimension.
#pragma once
#include <algorithm>
#include <cstdint>

#include "../threadpool.h"

namespace tt {

constexpr int kMaxRank = 8;
constexpr int kMaxOperands = 4;

struct Strided {
  int rank = 0;  // >= 1 after collapse; shape[rank - 1] is the row length
  int64_t shape[kMaxRank];
  int64_t stride[kMaxOperands][kMaxRank];
  int operands = 0;

  int64_t row_length() const { return shape[rank - 1]; }
  int64_t rows() const {
    int64_t r = 1;
    for (int d = 0; d + 1 < rank; d++) r *= shape[d];
    return r;
  }
  int64_t size() const { return rows() * row_length(); }
};

// Drops size-1 dimensions and merges neighbours that every operand walks contiguously, so a dense
// or row-broadcast operation becomes one or two long loops.
inline Strided collapse(int rank, const int32_t* shape, const int32_t* const* strides, int operands) {
  Strided s;
  s.operands = operands;
  if (std::any_of(shape, shape + rank, [](int32_t n) { return n == 0; })) return s;  // empty
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 1) continue;
    bool merge = s.rank > 0;
    for (int o = 0; o < operands && merge; o++)
      merge = s.stride[o][s.rank - 1] == int64_t(strides[o][d]) * shape[d];
    if (merge) {
      s.shape[s.rank - 1] *= shape[d];
      for (int o = 0; o < operands; o++) s.stride[o][s.rank - 1] = strides[o][d];
      continue;
    }
    s.shape[s.rank] = shape[d];
    for (int o = 0; o < operands; o++) s.stride[o][s.rank] = strides[o][d];
    s.rank++;
  }
  if (s.rank == 0) {
    s.rank = 1;  // a scalar: one row of one element
    s.shape[0] = 1;
    for (int o = 0; o < operands; o++) s.stride[o][0] = 0;
  }
  return s;
}

// Calls row(offsets, r) for every row r, where offsets[o] is operand o's element offset of the
// row's first element; rows are split across threads when there are at least `grain` elements each.
template <class Row>
void for_each_row(const Strided& s, int64_t grain, Row row) {
  if (s.rank == 0) return;
  const int64_t len = s.row_length();
  const int outer = s.rank - 1;
  parallel_for(s.rows(), std::max<int64_t>(1, grain / len), [&](int64_t begin, int64_t end) {
    int64_t idx[kMaxRank], off[kMaxOperands] = {0, 0, 0, 0};
    int64_t rem = begin;
    for (int d = outer - 1; d >= 0; d--) {
      idx[d] = rem % s.shape[d];
      rem /= s.shape[d];
      for (int o = 0; o < s.operands; o++) off[o] += idx[d] * s.stride[o][d];
    }
    for (int64_t r = begin; r < end; r++) {
      row(off, r);
      for (int d = outer - 1; d >= 0; d--) {  // odometer step to the next row
        for (int o = 0; o < s.operands; o++) off[o] += s.stride[o][d];
        if (++idx[d] < s.shape[d]) break;
        for (int o = 0; o < s.operands; o++) off[o] -= s.shape[d] * s.stride[o][d];
        idx[d] = 0;
      }
    }
  });
}

}  // namespace tt
