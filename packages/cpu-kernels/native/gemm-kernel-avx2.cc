// AVX2 + FMA micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators.
//
// The classic Haswell-era shape: per k step 2 loads of packed B and 6
// broadcasts of packed A feed 12 FMAs; 12 accumulators + 2 B + 1 A = 15 of
// the 16 ymm registers. Internal linkage and intrinsics only (see the
// AVX-512 kernel for why).
#include "gemm-kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TK_TARGET_AVX2 __attribute__((target("avx2,fma")))

namespace tk {
namespace {

constexpr int kNr = 16;

template <int MR>
TK_TARGET_AVX2 void tile_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int accumulate) {
  __m256 lo[MR];
  __m256 hi[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    lo[i] = _mm256_setzero_ps();
    hi[i] = _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      lo[i] = _mm256_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm256_fmadd_ps(ai, b1, hi[i]);
    }
    a += MR;
    b += kNr;
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    float* row = c + i * ldc;
    if (accumulate) {
      lo[i] = _mm256_add_ps(lo[i], _mm256_loadu_ps(row));
      hi[i] = _mm256_add_ps(hi[i], _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, lo[i]);
    _mm256_storeu_ps(row + 8, hi[i]);
  }
}

// KC up to 768, as for AVX-512 (fewer passes over C): the 48 KiB B
// micro-panel streams from L2. On this machine with the AVX2 kernel forced,
// GPT-2's shapes alone moved from 558-590 to 480-488 ms in total (the LM
// head's 1024x768x50257 160-171 -> 199-207 GFLOP/s; item 28). MC = 6 * 48 =
// 288 rows: 864 KiB of packed A. NC = 2048 as for AVX-512.
const GemmKernel kAvx2 = {"avx2-6x16", 6, kNr, 768, 288, 2048, tile_avx2<6>};

}  // namespace

const GemmKernel& gemm_kernel_avx2() { return kAvx2; }

}  // namespace tk

#else

namespace tk {
const GemmKernel& gemm_kernel_avx2() { return gemm_kernel_generic(); }
}  // namespace tk

#endif
