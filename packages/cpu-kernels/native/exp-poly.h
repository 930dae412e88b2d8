// e^x as straight-line float arithmetic (no libm call), so that a loop over
// it vectorises under each ISA's target attribute. Shared by the kernels that
// promise the same bits at every SIMD level (bias-gelu.cc,
// softmax-cross-entropy.cc): those files switch FMA contraction off, and this
// header must be included after that pragma so it applies here too.
#pragma once

#include <cstdint>
#include <cstring>

namespace tk {

// e^x for x clamped to [-87, 88] (Cephes expf: n = round(x·log2 e), r = x − n·ln 2
// in two parts, degree-6 polynomial, times 2^n built in the exponent bits).
inline float exp_poly(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float shifted = x * 1.44269504088896341f + 12582912.0f;  // 1.5·2^23: rounds to an integer
  const float n = shifted - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

}  // namespace tk
