// Column sums of a [rows, cols] quantity that a backward pass produces row
// by row (a bias's gradient, layer norm's dgamma and dbeta), in an order
// that never depends on the thread count: each task of kSumRowsPerChunk rows
// adds its rows into its own double row of a [chunks, cols] buffer, then
// sum_chunk_partials adds those rows up in chunk order. So every thread
// count and ISA gives the same bits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "thread-pool.h"

namespace tk {

// Rows per task and per partial sum: fixed, so the reduction order is too.
constexpr int64_t kSumRowsPerChunk = 32;

// The number of row chunks (tasks) for `rows` rows.
inline int64_t row_chunks(int64_t rows) { return (rows + kSumRowsPerChunk - 1) / kSumRowsPerChunk; }

// The zeroed [chunks, cols] buffer of partial sums the tasks add into.
inline std::vector<double> chunk_partials(int64_t chunks, int64_t cols) { return std::vector<double>(static_cast<size_t>(chunks * cols)); }

namespace detail {

struct ColumnSumCtx {
  const double* part;
  float* out;
  int64_t chunks, cols;
};

inline void sum_columns(int64_t i0, int64_t i1, void* raw) {
  const ColumnSumCtx& c = *static_cast<ColumnSumCtx*>(raw);
  for (int64_t i = i0; i < i1; i++) {
    double s = 0;
    for (int64_t k = 0; k < c.chunks; k++) s += c.part[k * c.cols + i];
    c.out[i] = static_cast<float>(s);
  }
}

}  // namespace detail

// out[i] = Σ over chunks k, in order, of part[k·cols + i], summed in double
// and rounded once to float; parallel over columns. No chunks: zeros.
inline void sum_chunk_partials(const double* part, int64_t chunks, int64_t cols, float* out) {
  if (chunks == 0) {
    std::fill(out, out + cols, 0.0f);
    return;
  }
  detail::ColumnSumCtx c{part, out, chunks, cols};
  parallel_range(cols, 256, detail::sum_columns, &c);
}

}  // namespace tk
