// NEON micro-kernel for arm64 (Apple silicon, Graviton, Ampere, Raspberry Pi
// 4/5): an 8 x 12 tile of C in 24 of the 32 128-bit vector registers.
//
// Per k step: 3 loads of packed B (12 floats), 2 loads of packed A (8
// floats), then 24 FMAs that each take one A value straight from its vector
// lane (`fmla v.4s, v.4s, v.s[lane]`), so A is never broadcast through a
// separate register: 24 accumulators + 3 B + 2 A = 29 registers. Advanced
// SIMD is part of the AArch64 baseline, so this kernel needs no run-time
// feature check beyond "is this arm64" (done at compile time).
#include "gemm-kernels.h"

#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

namespace tk {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 12;

void tile_neon(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int accumulate) {
  float32x4_t c0[kMr];
  float32x4_t c1[kMr];
  float32x4_t c2[kMr];
  for (int i = 0; i < kMr; i++) {
    c0[i] = vdupq_n_f32(0.0f);
    c1[i] = vdupq_n_f32(0.0f);
    c2[i] = vdupq_n_f32(0.0f);
  }
  for (int64_t k = 0; k < kc; k++) {
    const float32x4_t b0 = vld1q_f32(b);
    const float32x4_t b1 = vld1q_f32(b + 4);
    const float32x4_t b2 = vld1q_f32(b + 8);
    const float32x4_t a_lo = vld1q_f32(a);
    const float32x4_t a_hi = vld1q_f32(a + 4);
    // The lane index of vfmaq_laneq_f32 must be a literal, hence the macro
    // rather than a loop.
#define TK_NEON_ROW(row, avec, lane)                     \
  c0[row] = vfmaq_laneq_f32(c0[row], b0, avec, lane);   \
  c1[row] = vfmaq_laneq_f32(c1[row], b1, avec, lane);   \
  c2[row] = vfmaq_laneq_f32(c2[row], b2, avec, lane);
    TK_NEON_ROW(0, a_lo, 0)
    TK_NEON_ROW(1, a_lo, 1)
    TK_NEON_ROW(2, a_lo, 2)
    TK_NEON_ROW(3, a_lo, 3)
    TK_NEON_ROW(4, a_hi, 0)
    TK_NEON_ROW(5, a_hi, 1)
    TK_NEON_ROW(6, a_hi, 2)
    TK_NEON_ROW(7, a_hi, 3)
#undef TK_NEON_ROW
    a += kMr;
    b += kNr;
  }
  for (int i = 0; i < kMr; i++) {
    float* row = c + i * ldc;
    if (accumulate) {
      c0[i] = vaddq_f32(c0[i], vld1q_f32(row));
      c1[i] = vaddq_f32(c1[i], vld1q_f32(row + 4));
      c2[i] = vaddq_f32(c2[i], vld1q_f32(row + 8));
    }
    vst1q_f32(row, c0[i]);
    vst1q_f32(row + 4, c1[i]);
    vst1q_f32(row + 8, c2[i]);
  }
}

// KC = 256: the 12 KiB B micro-panel stays in L1 (64 KiB on Neoverse and
// Cortex-A7x, 128 KiB on Apple's performance cores). MC = 8 * 32 = 256 rows:
// 256 KiB of packed A, within every arm64 server/laptop L2. NC = 2040, the
// multiple of 12 nearest x86's 2048, so a block has no partial B panel.
const GemmKernel kNeon = {"neon-8x12", kMr, kNr, 256, 256, 2040, tile_neon};

}  // namespace

const GemmKernel& gemm_kernel_neon() { return kNeon; }

}  // namespace tk

#else

namespace tk {
const GemmKernel& gemm_kernel_neon() { return gemm_kernel_generic(); }
}  // namespace tk

#endif
