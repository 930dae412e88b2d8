// Elementwise, softmax, transpose and slice kernels: the non-matmul ops that
// dominate a training step once matMul is fast (tfjs's pure-JS versions walk
// broadcast and transposed indices one element at a time). Reductions are in
// reduce.h, AdamW in adamw.h, dropout in dropout.h.
#pragma once

#include <cstdint>

namespace tk {

enum class BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
enum class UnaryOp : int { kExp = 0, kTanh = 1, kRsqrt = 2, kSquare = 3, kNeg = 4, kSqrt = 5, kLog = 6, kReciprocal = 7, kFloor = 8 };

constexpr int kMaxRank = 8;

// out[i] = a[ia] op b[ib] over an output of `rank` dims; a_strides/b_strides
// are element strides per output dim (0 where that operand broadcasts).
void binary_op(BinaryOp op, const float* a, const float* b, float* out, int rank, const int64_t* dims,
               const int64_t* a_strides, const int64_t* b_strides);

void unary_op(UnaryOp op, const float* x, float* out, int64_t n);

// Softmax over the last axis of a [rows, cols] array.
void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols);

// out = transpose(x, perm) for x of shape dims (rank <= kMaxRank).
void transpose(const float* x, float* out, int rank, const int64_t* dims, const int32_t* perm);

// out = x[begin : begin + size] (a box of x of shape dims; out is dense, shape size).
void slice_box(const float* x, float* out, int rank, const int64_t* dims, const int64_t* begin, const int64_t* size);

// GELU and its derivative times dy: the tanh form (`gelu_new`, approximate)
// or the exact erf form.
void gelu(const float* x, float* out, int64_t n, bool approximate);
void gelu_grad(const float* dy, const float* x, float* out, int64_t n, bool approximate);

}  // namespace tk
