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
  // Optional low-rank addend (LoRA): C[b] += scale * (L . R) with L the
  // M x low_k view `low_a` and R the low_k x N view `low_b` (the same for
  // every batch), added to each tile after its bias. The product is the one
  // a separate BatchMatMul of L and R gives (the same register tile, a
  // fresh FMA chain over low_k), so with `scale` a power of two the result
  // has the bits of that product, scaled, then added. Requires low_k <= the
  // kernel's KC (one K block, as that product has).
  int64_t low_k = 0;
  MatrixView low_a{nullptr, 0, 0};
  MatrixView low_b{nullptr, 0, 0};
  float low_scale = 1.0f;
};

// The largest low_k a BatchedGemm's low-rank addend may have (the smallest
// KC of the kernels: generic and NEON), so that the term is one K block
// exactly as the same product computed alone is.
constexpr int64_t kMaxLowRank = 256;

// Runs the product on the thread pool with the active ISA's kernel.
void gemm_batched(const BatchedGemm& g);

}  // namespace tk
