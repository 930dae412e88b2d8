// Elementwise, reduction, softmax and transpose kernels: the non-matmul ops
// that dominate a training step once matMul is fast (tfjs's pure-JS versions
// walk broadcast and transposed indices one element at a time).
#pragma once

#include <cstdint>

namespace tk {

enum class BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
enum class UnaryOp : int { kExp = 0, kTanh = 1, kRsqrt = 2, kSquare = 3, kNeg = 4, kSqrt = 5, kLog = 6, kReciprocal = 7, kFloor = 8 };
enum class ReduceOp : int { kSum = 0, kMax = 1, kMean = 2 };

constexpr int kMaxRank = 8;

// out[i] = a[ia] op b[ib] over an output of `rank` dims; a_strides/b_strides
// are element strides per output dim (0 where that operand broadcasts).
void binary_op(BinaryOp op, const float* a, const float* b, float* out, int rank, const int64_t* dims,
               const int64_t* a_strides, const int64_t* b_strides);

void unary_op(UnaryOp op, const float* x, float* out, int64_t n);

// x viewed as [outer, reduce, inner] -> out [outer, inner] (sums in double).
void reduce_op(ReduceOp op, const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner);

// Softmax over the last axis of a [rows, cols] array.
void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols);

// out = transpose(x, perm) for x of shape dims (rank <= kMaxRank).
void transpose(const float* x, float* out, int rank, const int64_t* dims, const int32_t* perm);

// out = x[begin : begin + size] (a box of x of shape dims; out is dense, shape size).
void slice_box(const float* x, float* out, int rank, const int64_t* dims, const int64_t* begin, const int64_t* size);

// One AdamW step over n parameters, in the exact op order of core's AdamW
// (each step rounded to float32): m' = m·b1 + g·(1−b1); v' = v·b2 + g²·(1−b2);
// p' = p·decay − (m' / (√v' / c2 + eps))·step_size. Writes new arrays.
// With scales_gradient, g is first multiplied by gradient_scale (rounded to
// float32, as tf.mul(g, scale) does): gradient clipping without a clipped copy.
struct AdamWParams {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, decay, correction2, eps, step_size;
  bool decays;
  float gradient_scale = 1.0f;
  bool scales_gradient = false;
};
// p_out, m_out, v_out may be p, m, v themselves (all three together): the
// update is then written in place (the bits are the same either way).
void adamw_step(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                float* v_out, int64_t n);

// GELU and its derivative times dy: the tanh form (`gelu_new`, approximate)
// or the exact erf form.
void gelu(const float* x, float* out, int64_t n, bool approximate);
void gelu_grad(const float* dy, const float* x, float* out, int64_t n, bool approximate);

// Dropout multiplier: out[i] = 1/keep where u_i >= rate, else 0, with u_i in
// [0, 1) from a counter-based hash of (seed, i): the same mask for a seed
// whatever the thread count.
void dropout_mask(float* out, int64_t n, float rate, uint64_t seed);

// out[i] = residual[i] + x[i]·mask[i] (residual nullable: x[i]·mask[i]), with
// mask[i] what dropout_mask makes for (rate, seed) at i: the same bits as the
// mask kernel, a Multiply and an Add, in one pass and without the mask.
void dropout_apply(const float* x, const float* residual, float* out, int64_t n, float rate, uint64_t seed);

}  // namespace tk
