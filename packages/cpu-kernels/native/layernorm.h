// Fused layer norm over the last axis of a [rows, C] array, forward and
// backward, after llm.c's layernorm_forward/backward: the forward also
// writes each row's mean and reciprocal standard deviation, which is all the
// backward needs besides the input and gamma (the op-by-op path keeps the
// centred input, its square, the normalised input, ... on the tape).
#pragma once

#include <cstdint>

namespace tk {

// out = (x - mean) * rstd * gamma + beta per row, with the biased variance
// (as PyTorch); mean and rstd ([rows]) are written for the backward.
void layernorm_forward(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd, int64_t rows,
                       int64_t cols, float epsilon);

// dx, dgamma, dbeta from dy and the forward's x, gamma, mean, rstd.
// dgamma/dbeta are summed over rows in fixed chunks of rows (in double), so
// the result does not depend on the thread count.
void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd, float* dx,
                        float* dgamma, float* dbeta, int64_t rows, int64_t cols);

}  // namespace tk
