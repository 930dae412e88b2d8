// AVX-512 micro-kernel: a 14 x 32 tile of C in 28 zmm accumulators.
//
// Per k step it loads two vectors of packed B (32 floats) and broadcasts 14
// values of packed A, issuing 28 FMAs: 2 loads + 14 broadcasts per 28 FMAs
// keeps both FMA pipes fed from L1, and 28 accumulators (+2 B, +1 A
// register = 31 of 32) hide the 4-cycle FMA latency on two pipes many
// times over. Everything here has internal linkage and uses only
// intrinsics, so no AVX-512 code can leak into shared (COMDAT) functions
// that the baseline code might pick up.
#include "gemm-kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TK_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))

namespace tk {
namespace {

constexpr int kNr = 32;

template <int MR>
TK_TARGET_AVX512 void tile_avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int accumulate) {
  __m512 lo[MR];
  __m512 hi[MR];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
    lo[i] = _mm512_setzero_ps();
    hi[i] = _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      lo[i] = _mm512_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm512_fmadd_ps(ai, b1, hi[i]);
    }
    a += MR;
    b += kNr;
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
    float* row = c + i * ldc;
    if (accumulate) {
      lo[i] = _mm512_add_ps(lo[i], _mm512_loadu_ps(row));
      hi[i] = _mm512_add_ps(hi[i], _mm512_loadu_ps(row + 16));
    }
    _mm512_storeu_ps(row, lo[i]);
    _mm512_storeu_ps(row + 16, hi[i]);
  }
}

// The narrow tile for products with at most 16 columns (LoRA's rank-16
// x·Aᵀ, dy·B and dyᵀ·low): the 14 x 32 tile would compute 16 padding
// columns per row, half its FMAs wasted, and pass every tile through the
// edge scratch. 28 rows x 16 columns = 28 accumulators (+1 B, +1 A). Each
// C element is the same FMA chain over k as in the wide tile, so the
// results have the same bits.
template <int MR>
TK_TARGET_AVX512 void tile_avx512_narrow(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int accumulate) {
  __m512 acc[MR];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) acc[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_load_ps(b);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i]), b0, acc[i]);
    a += MR;
    b += 16;
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
    float* row = c + i * ldc;
    if (accumulate) acc[i] = _mm512_add_ps(acc[i], _mm512_loadu_ps(row));
    _mm512_storeu_ps(row, acc[i]);
  }
}

// KC up to 768 (gemm.cc splits K into equal blocks of at most that): GPT-2's
// K = 768 products are then one block, so each C tile is written once
// instead of read and written three times, and the LM head's K = 50,257
// makes 66 passes over C instead of 197. The B micro-panel (96 KiB) then
// streams from L2 rather than sitting in L1, which the hardware prefetcher
// hides: alone, 1024x768x50257 with B transposed went from 242 to 292
// GFLOP/s, the other GPT-2 shapes within 2%; a full-FT 124M 4x256 step
// 4,257 -> 4,063 ms (mean of 3 interleaved runs each, docs/performance.md
// item 28). MC = 14 * 24 = 336 rows: 1 MiB of packed A at KC = 768, an L2's
// worth on 1 MiB-L2 parts. NC = 2048: 6 MiB of packed B per thread in L3.
const GemmKernel kAvx512 = {"avx512-14x32", 14, kNr, 768, 336, 2048, tile_avx512<14>};
// Narrow: the same KC (and so the same blocks and bits); MC = 28 * 12 = 336 rows.
const GemmKernel kAvx512Narrow = {"avx512-28x16", 28, 16, 768, 336, 2048, tile_avx512_narrow<28>};

}  // namespace

const GemmKernel& gemm_kernel_avx512() { return kAvx512; }
const GemmKernel& gemm_kernel_avx512_narrow() { return kAvx512Narrow; }

}  // namespace tk

#else

namespace tk {
const GemmKernel& gemm_kernel_avx512() { return gemm_kernel_generic(); }
const GemmKernel& gemm_kernel_avx512_narrow() { return gemm_kernel_generic(); }
}  // namespace tk

#endif
