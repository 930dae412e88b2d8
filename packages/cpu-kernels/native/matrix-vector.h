// The matrix-vector products of token-by-token generation: one row of A
// against B (K x N), without packing B (packing would cost as much as the
// product: every value of B is used once).
#pragma once

#include <cstdint>

#include "gemm.h"

namespace tk {

// out[n0:n1] = row (k values) . B[:, n0:n1], for B any strided view.
//   - B row-major (cs = 1): out accumulates row[p] * B[p, :] over p in order.
//   - B column-major (rs = 1, B given transposed): a dot product per column
//     in 16 independent lanes, the lanes then summed in order.
//   - other strides: a sequential dot product per column.
// Each value's operations are the same at every ISA level (no FMA
// contraction in this file), so the bits do not depend on the level, on the
// thread count, or on how [n0, n1) is split.
void row_times_matrix(const float* row, int64_t k, const MatrixView& b, int64_t n0, int64_t n1, float* out);

}  // namespace tk
