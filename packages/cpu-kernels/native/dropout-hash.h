// The counter-based dropout hash shared by the dropout mask and the fused
// attention (which regenerates the mask of its probabilities in the backward
// instead of keeping it): element i of a mask with `seed` is kept iff
// dropout_uniform(dropout_base(seed), i) >= rate — the same mask for the same
// (seed, index), whichever kernel or thread computes it.
#pragma once

#include <cmath>
#include <cstdint>

namespace tk {

// SplitMix64's finaliser: a strong 64-bit mix of the counter.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Per-seed offset of the counter.
inline uint64_t dropout_base(uint64_t seed) { return mix64(seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL); }

// The counter that element `index` hashes steps by kDropoutStep per element:
// a loop over consecutive elements can add it instead of multiplying.
constexpr uint64_t kDropoutStep = 0x9e3779b97f4a7c15ULL;
inline uint64_t dropout_counter(uint64_t base, uint64_t index) { return base + index * kDropoutStep; }

// The top 24 bits of a counter's hash.
inline uint32_t dropout_counter_bits(uint64_t counter) { return static_cast<uint32_t>(mix64(counter) >> 40); }

// The top 24 bits of element `index`'s hash.
inline uint32_t dropout_bits(uint64_t base, uint64_t index) { return dropout_counter_bits(dropout_counter(base, index)); }

// Uniform in [0, 1) from those 24 bits (exact in float).
inline float dropout_uniform(uint64_t base, uint64_t index) {
  return static_cast<float>(dropout_bits(base, index)) * (1.0f / 16777216.0f);
}

// The same test in integers, for loops that vectorise (no 64-bit integer to
// float conversion): dropout_uniform(base, i) >= rate exactly when
// dropout_bits(base, i) >= dropout_threshold(rate), for rate in [0, 1). Both
// scalings by 2^24 are exact, and an integer is >= x iff it is >= ceil(x).
inline uint32_t dropout_threshold(float rate) { return static_cast<uint32_t>(std::ceil(rate * 16777216.0f)); }

// The inverted-dropout multiplier of element `index`: `scale` (1/(1 − rate))
// where kept, else 0 — the value of the mask kernel's output there.
inline float dropout_multiplier(uint64_t base, uint64_t index, float rate, float scale) {
  return dropout_uniform(base, index) >= rate ? scale : 0.0f;
}

}  // namespace tk
