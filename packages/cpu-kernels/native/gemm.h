// Packed, cache-blocked, multi-threaded SGEMM: C = op(A) . op(B).
//
// Operands are strided views, so every transpose combination is only a
// different pair of strides and nothing is ever transposed in memory: the
// packing routines read whichever layout they are given.
#pragma once

#include <cstdint>

namespace tk {

// Element (r, c) of a logical matrix is data[r * rs + c * cs].
struct MatrixView {
  const float* data;
  int64_t rs;
  int64_t cs;
};

// One batched product: for b in [0, batch):
//   C[b] (M x N, row-major, contiguous) = A_b (M x K) . B_b (K x N)
// where A_b is the view a shifted by a_index[b] * a_batch_stride elements
// (likewise B). Index arrays express tfjs's batch broadcasting.
struct BatchedGemm {
  int64_t batch, m, n, k;
  MatrixView a;
  const int32_t* a_index;
  int64_t a_batch_stride;
  MatrixView b;
  const int32_t* b_index;
  int64_t b_batch_stride;
  float* c;
  // Optional [n] bias added to every row of every C[b] once its product is
  // complete (fl(fl(A.B) + bias): the same bits as the product followed by a
  // separate add), while the tile is still in cache: no second pass over C.
  const float* bias = nullptr;
};

// Runs the product on the thread pool with the active ISA's kernel.
void gemm_batched(const BatchedGemm& g);

}  // namespace tk
