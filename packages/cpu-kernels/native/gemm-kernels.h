// Register-tile micro-kernels of the packed GEMM, one set per SIMD level.
//
// A micro-kernel multiplies an MR x kc panel of packed A (k-major: for each
// k, MR consecutive values) by a kc x NR panel of packed B (for each k, NR
// consecutive values) and writes or accumulates the MR x NR tile of C.
// The cache-block sizes travel with the kernel because they depend on the
// tile shape (see gemm.cc for how they are chosen).
#pragma once

#include <cstdint>

#include "cpu-features.h"

namespace tk {

using TileFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int accumulate);

struct GemmKernel {
  const char* name;
  int mr;  // rows of the register tile
  int nr;  // columns of the register tile (a multiple of the vector width)
  int kc;  // most depth of a packed panel (gemm.cc splits K into equal blocks of at most this)
  int mc;  // rows of packed A per block: MC x KC stays in L2
  int nc;  // columns of packed B per block: KC x NC stays in L3
  TileFn tile;
};

// Declared for every build; each falls back to the generic kernel when the
// compiler cannot target its architecture (x86 for AVX, arm64 for NEON).
const GemmKernel& gemm_kernel_neon();
const GemmKernel& gemm_kernel_avx512();
const GemmKernel& gemm_kernel_avx2();
const GemmKernel& gemm_kernel_generic();

// AVX-512's tile for products with at most 16 columns (16 wide, not 32).
const GemmKernel& gemm_kernel_avx512_narrow();

// The kernel for a SIMD level.
const GemmKernel& gemm_kernel_for(Isa isa);

// The kernel for a SIMD level and a product with n columns: the narrow
// AVX-512 tile when n <= 16, else gemm_kernel_for(isa). Same bits either way.
const GemmKernel& gemm_kernel_for(Isa isa, int64_t n);

}  // namespace tk
