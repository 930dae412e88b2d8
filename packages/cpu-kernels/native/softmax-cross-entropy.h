// Fused softmax cross-entropy over the rows of [rows, V] logits (the LM
// loss over GPT-2's 50,257 words): forward loss = logsumexp(x) − x[label]
// per row in two passes over the row, backward dx = (softmax(x) − onehot)·dy
// written into one [rows, V] buffer. Op by op this is Max, Sub, Exp, Sum,
// Log, a gather forward and Sub, Exp, OneHot, Cast, Sub, Multiply backward,
// each a fresh [rows, V] tensor.
#pragma once

#include <cstdint>

namespace tk {

// A row whose label is negative (the ignore index) is masked: loss 0,
// logsumexp 0, gradient row 0. Labels must be < cols (checked by the caller).
// Each row is computed by one thread in a fixed order (max, then a double sum
// of e^(x − max) in 16 fixed lanes), so the bits depend neither on the
// thread count nor on the SIMD level.
void softmax_cross_entropy_forward(const float* logits, const int32_t* labels, float* loss, float* log_sum_exp, int64_t rows,
                                   int64_t cols);

// dx[r, :] = (e^(x[r, :] − lse[r]) − onehot(label[r]))·dy[r · dy_stride];
// dy_stride 0 broadcasts one upstream gradient to every row.
void softmax_cross_entropy_backward(const float* logits, const int32_t* labels, const float* log_sum_exp, const float* dy,
                                    int64_t dy_stride, float* dx, int64_t rows, int64_t cols);

}  // namespace tk
