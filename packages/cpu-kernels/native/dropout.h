// Inverted dropout from a counter-based hash (dropout-hash.h): the mask
// (TunekitDropoutMask) and the mask applied in one pass (TunekitDropout).
#pragma once

#include <cstdint>

namespace tk {

// Dropout multiplier: out[i] = 1/keep where u_i >= rate, else 0, with u_i in
// [0, 1) from a counter-based hash of (seed, i): the same mask for a seed
// whatever the thread count or ISA level.
void dropout_mask(float* out, int64_t n, float rate, uint64_t seed);

// out[i] = residual[i] + x[i]·mask[i] (residual nullable: x[i]·mask[i]), with
// mask[i] what dropout_mask makes for (rate, seed) at i: the same bits as the
// mask kernel, a Multiply and an Add, in one pass and without the mask.
void dropout_apply(const float* x, const float* residual, float* out, int64_t n, float rate, uint64_t seed);

}  // namespace tk
