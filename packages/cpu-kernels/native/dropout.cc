#include "dropout.h"

#include "dropout-hash.h"
#include "thread-pool.h"

namespace tk {
namespace {

struct DropoutCtx {
  float* out;
  float rate;
  float scale;
  uint64_t seed;
};

void dropout_task(int64_t i0, int64_t i1, void* raw) {
  const DropoutCtx& c = *static_cast<DropoutCtx*>(raw);
  const uint64_t base = dropout_base(c.seed);
  for (int64_t i = i0; i < i1; i++) {
    c.out[i] = dropout_multiplier(base, static_cast<uint64_t>(i), c.rate, c.scale);
  }
}

struct DropoutApplyCtx {
  const float* x;
  const float* residual;
  float* out;
  float rate;
  float scale;
  uint64_t seed;
};

void dropout_apply_task(int64_t i0, int64_t i1, void* raw) {
  const DropoutApplyCtx& c = *static_cast<DropoutApplyCtx*>(raw);
  const uint64_t base = dropout_base(c.seed);
  for (int64_t i = i0; i < i1; i++) {
    // Multiplies by the mask's value even where it is 0 (x·0 is −0 or NaN
    // for some x), as the Multiply by the mask tensor would.
    const float dropped = c.x[i] * dropout_multiplier(base, static_cast<uint64_t>(i), c.rate, c.scale);
    c.out[i] = c.residual ? c.residual[i] + dropped : dropped;
  }
}

}  // namespace

void dropout_mask(float* out, int64_t n, float rate, uint64_t seed) {
  const float keep = 1.0f - rate;
  DropoutCtx c{out, rate, 1.0f / keep, seed};
  parallel_range(n, kElementGrain, dropout_task, &c);
}

void dropout_apply(const float* x, const float* residual, float* out, int64_t n, float rate, uint64_t seed) {
  const float keep = 1.0f - rate;
  DropoutApplyCtx c{x, residual, out, rate, 1.0f / keep, seed};
  parallel_range(n, kElementGrain, dropout_apply_task, &c);
}

}  // namespace tk
