// The fused AdamW update (TunekitAdamW): one pass reading p, g, m, v and
// writing p', m', v', instead of the op path's fourteen.
#pragma once

#include <cstdint>

namespace tk {

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

// p_out, m_out, v_out are either p, m, v themselves (all three together: the
// update is written in place, with the same bits) or overlap no other array
// (adamw_arrays_apart checks this): the loops read and write through
// restrict pointers so that they vectorise.
void adamw_step(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                float* v_out, int64_t n);

// Whether (p, g, m, v, p_out, m_out, v_out), n floats each, meet adamw_step's
// rule: no written array overlaps another array, unless it is its own input.
bool adamw_arrays_apart(const float* const arrays[7], int64_t n);

}  // namespace tk
