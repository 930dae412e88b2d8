// Portable micro-kernel: plain C++ over a 4 x 16 tile that compilers turn
// into baseline SIMD (SSE2 on x86-64, NEON on arm64). Used on CPUs without
// AVX2 and on other architectures.
#include <cstring>

#include "gemm-kernels.h"

namespace tk {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

void tile_generic(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int accumulate) {
  float acc[kMr][kNr];
  std::memset(acc, 0, sizeof(acc));
  for (int64_t k = 0; k < kc; k++) {
    for (int i = 0; i < kMr; i++) {
      const float ai = a[i];
      for (int j = 0; j < kNr; j++) acc[i][j] += ai * b[j];
    }
    a += kMr;
    b += kNr;
  }
  for (int i = 0; i < kMr; i++) {
    float* row = c + i * ldc;
    if (accumulate) {
      for (int j = 0; j < kNr; j++) row[j] += acc[i][j];
    } else {
      for (int j = 0; j < kNr; j++) row[j] = acc[i][j];
    }
  }
}

const GemmKernel kGeneric = {"generic-4x16", kMr, kNr, 256, 256, 2048, tile_generic};

}  // namespace

const GemmKernel& gemm_kernel_generic() { return kGeneric; }

const GemmKernel& gemm_kernel_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return gemm_kernel_avx512();
    case Isa::Avx2: return gemm_kernel_avx2();
    case Isa::Neon: return gemm_kernel_neon();
    default: return gemm_kernel_generic();
  }
}

const GemmKernel& gemm_kernel_for(Isa isa, int64_t n) {
  if (isa == Isa::Avx512 && n <= 16) return gemm_kernel_avx512_narrow();
  return gemm_kernel_for(isa);
}

}  // namespace tk
