#include "adamw.h"

#include <cmath>
#include <cstdint>

#include "isa-clones.h"
#include "thread-pool.h"

// Compiled three times (baseline, AVX2, AVX-512; target attributes) and
// chosen at run time. The update streams seven arrays, so memory bounds it
// on large variables; the wider clones still save what the baseline's
// 4-wide square roots and divisions cost on top (~10% on a 16M-element
// variable). Every lane does the scalar's float32 operations (IEEE square
// root and division are correctly rounded at any width) and FMA contraction
// is off, so every level gives the same bits.
#include "no-fp-contraction.h"

namespace tk {
namespace {

// One element's update, op by op as tfjs computes it: the in-place and the
// separate-output loops share it.
struct AdamWElement {
  float p, m, v;
};

TK_ALWAYS_INLINE AdamWElement adamw_element(const AdamWParams& h, float p, float gradient, float m_in, float v_in) {
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

// The update written over p, m and v. Four restrict-qualified arrays, not
// the separate loop with p_out == p: restrict there would be a false promise.
TK_ALWAYS_INLINE void in_place_body(const AdamWParams& h, float* __restrict p, const float* __restrict g, float* __restrict m,
                                    float* __restrict v, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const AdamWElement e = adamw_element(h, p[i], g[i], m[i], v[i]);
    p[i] = e.p;
    m[i] = e.m;
    v[i] = e.v;
  }
}

// The update into arrays apart from the inputs. Without restrict the
// compiler would need 15 run-time overlap checks to vectorise (GCC makes at
// most 10), and the loop stayed scalar.
TK_ALWAYS_INLINE void apart_body(const AdamWParams& h, const float* __restrict p, const float* __restrict g, const float* __restrict m,
                                 const float* __restrict v, float* __restrict p_out, float* __restrict m_out, float* __restrict v_out,
                                 int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const AdamWElement e = adamw_element(h, p[i], g[i], m[i], v[i]);
    p_out[i] = e.p;
    m_out[i] = e.m;
    v_out[i] = e.v;
  }
}

using InPlaceFn = void (*)(const AdamWParams&, float*, const float*, float*, float*, int64_t);
using ApartFn = void (*)(const AdamWParams&, const float*, const float*, const float*, const float*, float*, float*, float*, int64_t);

void in_place_generic(const AdamWParams& h, float* p, const float* g, float* m, float* v, int64_t n) { in_place_body(h, p, g, m, v, n); }
void apart_generic(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* po, float* mo, float* vo,
                   int64_t n) {
  apart_body(h, p, g, m, v, po, mo, vo, n);
}
#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void in_place_avx2(const AdamWParams& h, float* p, const float* g, float* m, float* v, int64_t n) {
  in_place_body(h, p, g, m, v, n);
}
TK_TARGET_AVX2 void apart_avx2(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* po, float* mo,
                               float* vo, int64_t n) {
  apart_body(h, p, g, m, v, po, mo, vo, n);
}
TK_TARGET_AVX512 void in_place_avx512(const AdamWParams& h, float* p, const float* g, float* m, float* v, int64_t n) {
  in_place_body(h, p, g, m, v, n);
}
TK_TARGET_AVX512 void apart_avx512(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* po, float* mo,
                                   float* vo, int64_t n) {
  apart_body(h, p, g, m, v, po, mo, vo, n);
}
#endif

struct AdamWCtx {
  AdamWParams h;
  const float *p, *g, *m, *v;
  float *p_out, *m_out, *v_out;
  InPlaceFn in_place;  // set when the outputs are the inputs
  ApartFn apart;       // else
};

void adamw_task(int64_t i0, int64_t i1, void* raw) {
  const AdamWCtx& c = *static_cast<AdamWCtx*>(raw);
  if (c.in_place) return c.in_place(c.h, c.p_out + i0, c.g + i0, c.m_out + i0, c.v_out + i0, i1 - i0);
  c.apart(c.h, c.p + i0, c.g + i0, c.m + i0, c.v + i0, c.p_out + i0, c.m_out + i0, c.v_out + i0, i1 - i0);
}

bool overlap(const float* a, const float* b, int64_t n) {
  const uintptr_t x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b), bytes = static_cast<uintptr_t>(n) * sizeof(float);
  return x < y + bytes && y < x + bytes;
}

}  // namespace

bool adamw_arrays_apart(const float* const arrays[7], int64_t n) {
  // arrays: p, g, m, v, p_out, m_out, v_out; output k's own input is input_of[k].
  constexpr int input_of[3] = {0, 2, 3};
  const bool in_place = arrays[4] == arrays[0] && arrays[5] == arrays[2] && arrays[6] == arrays[3];
  for (int k = 0; k < 3; k++) {
    for (int j = 0; j < 7; j++) {
      if (j == 4 + k || (in_place && j == input_of[k])) continue;
      if (overlap(arrays[4 + k], arrays[j], n)) return false;
    }
  }
  return true;
}

void adamw_step(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                float* v_out, int64_t n) {
  const bool in_place = p_out == p && m_out == m && v_out == v;
  const Isa isa = active_isa();
  AdamWCtx c{h, p, g, m, v, p_out, m_out, v_out, nullptr, nullptr};
  if (in_place) {
    c.in_place = TK_PICK_CLONE(isa, in_place_generic, in_place_avx2, in_place_avx512);
  } else {
    c.apart = TK_PICK_CLONE(isa, apart_generic, apart_avx2, apart_avx512);
  }
  parallel_range(n, kElementGrain, adamw_task, &c);
}

}  // namespace tk
