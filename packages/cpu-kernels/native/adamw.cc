#include "adamw.h"

#include <cmath>

#include "thread-pool.h"

namespace tk {
namespace {

struct AdamWCtx {
  AdamWParams h;
  const float *p, *g, *m, *v;
  float *p_out, *m_out, *v_out;
};

// One element's update, op by op as tfjs computes it (no FMA contraction in
// ISO C++ mode): the in-place and the separate-output loops share it.
struct AdamWElement {
  float p, m, v;
};

inline AdamWElement adamw_element(const AdamWParams& h, float p, float gradient, float m_in, float v_in) {
  const float g = h.scales_gradient ? gradient * h.gradient_scale : gradient;
  const float m1 = m_in * h.beta1;
  const float m2 = g * h.one_minus_beta1;
  const float m = m1 + m2;
  const float v1 = v_in * h.beta2;
  const float g2 = g * g;
  const float v2 = g2 * h.one_minus_beta2;
  const float v = v1 + v2;
  const float decayed = h.decays ? p * h.decay : p;
  const float root = std::sqrt(v);
  const float scaled = root / h.correction2;
  const float denominator = scaled + h.eps;
  const float ratio = m / denominator;
  const float update = ratio * h.step_size;
  return {decayed - update, m, v};
}

// The update written over p, m and v. Separate restrict-qualified arrays let
// the loop vectorise; through the general loop's possibly-aliasing output
// pointers the compiler's overlap check sends an in-place call to its scalar
// version (~1.5x slower on a 4M-element variable).
void adamw_in_place(const AdamWParams& h, float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const AdamWElement e = adamw_element(h, p[i], g[i], m[i], v[i]);
    p[i] = e.p;
    m[i] = e.m;
    v[i] = e.v;
  }
}

void adamw_task(int64_t i0, int64_t i1, void* raw) {
  const AdamWCtx& c = *static_cast<AdamWCtx*>(raw);
  const AdamWParams& h = c.h;
  if (c.p_out == c.p && c.m_out == c.m && c.v_out == c.v) {
    adamw_in_place(h, c.p_out + i0, c.g + i0, c.m_out + i0, c.v_out + i0, i1 - i0);
    return;
  }
  for (int64_t i = i0; i < i1; i++) {
    const AdamWElement e = adamw_element(h, c.p[i], c.g[i], c.m[i], c.v[i]);
    c.p_out[i] = e.p;
    c.m_out[i] = e.m;
    c.v_out[i] = e.v;
  }
}

}  // namespace

void adamw_step(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                float* v_out, int64_t n) {
  AdamWCtx c{h, p, g, m, v, p_out, m_out, v_out};
  parallel_range(n, kElementGrain, adamw_task, &c);
}

}  // namespace tk
