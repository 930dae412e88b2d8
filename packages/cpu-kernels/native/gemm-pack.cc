// Packing of GEMM operands (see gemm-pack.h): a scalar version for every
// build, and AVX2 / AVX-512 versions (function target attributes, chosen by
// the active SIMD level) that transpose blocks in registers.
#include "gemm-pack.h"

#include <algorithm>

#include "isa-clones.h"

#if TK_HAS_X86_TARGETS
#include <immintrin.h>
#endif

namespace tk {
namespace {

// Lines [l0, l0 + width) of the block that exist: 0..width.
inline int valid_lines(int64_t lines, int64_t l0, int width) {
  return static_cast<int>(std::clamp<int64_t>(lines - l0, 0, width));
}

void pack_scalar(const float* src, int64_t line_stride, int64_t k_stride, int64_t lines, int64_t depth, int width, float* dst) {
  for (int64_t l0 = 0; l0 < lines; l0 += width) {
    const int n = valid_lines(lines, l0, width);
    const float* s = src + l0 * line_stride;
    if (line_stride == 1) {
      // The values of one k are adjacent: copy them, then zero the padding.
      for (int64_t k = 0; k < depth; k++) {
        const float* row = s + k * k_stride;
        float* d = dst + k * width;
        for (int i = 0; i < n; i++) d[i] = row[i];
        for (int i = n; i < width; i++) d[i] = 0.0f;
      }
    } else {
      if (n < width) {
        for (int64_t k = 0; k < depth; k++) {
          for (int i = n; i < width; i++) dst[k * width + i] = 0.0f;
        }
      }
      for (int i = 0; i < n; i++) {
        const float* line = s + i * line_stride;
        float* d = dst + i;
        for (int64_t k = 0; k < depth; k++) d[k * width] = line[k * k_stride];
      }
    }
    dst += static_cast<int64_t>(width) * depth;
  }
}

#if TK_HAS_X86_TARGETS

// Rows of k read before moving to the next panel when copying: each panel
// then gets a few contiguous stretches per pass instead of one store per
// row, and the source rows are still read nearly in order.
constexpr int64_t kCopyRows = 8;

// ---- AVX-512 ---------------------------------------------------------------

TK_TARGET_AVX512 inline __mmask16 first_lanes16(int n) { return static_cast<__mmask16>((1u << n) - 1u); }

// In-register transpose of a 16 x 16 block: r[i] lane j becomes r[j] lane i.
TK_TARGET_AVX512 TK_ALWAYS_INLINE void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  // Now each 128-bit lane holds a transposed 4 x 4 block; move the blocks.
  for (int h = 0; h < 16; h += 8) {
    for (int i = 0; i < 4; i++) {
      t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xdd);
    }
  }
  for (int i = 0; i < 8; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
  }
}

// Lines contiguous along k: load 16 k values of 16 lines, transpose, store
// one k per vector (masked to the panel's width).
TK_TARGET_AVX512 void pack_transposing_avx512(const float* src, int64_t line_stride, int64_t lines, int64_t depth, int width, float* dst) {
  for (int64_t l0 = 0; l0 < lines; l0 += width) {
    for (int g = 0; g < width; g += 16) {
      const int lanes = std::min(16, width - g);
      const int valid = valid_lines(lines, l0 + g, lanes);
      const float* s = src + (l0 + g) * line_stride;
      float* d = dst + g;
      for (int64_t k0 = 0; k0 < depth; k0 += 16) {
        const int kn = static_cast<int>(std::min<int64_t>(16, depth - k0));
        const __mmask16 kmask = first_lanes16(kn);
        __m512 r[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) r[i] = i < valid ? _mm512_maskz_loadu_ps(kmask, s + i * line_stride + k0) : _mm512_setzero_ps();
        transpose16(r);
        const __mmask16 store = first_lanes16(lanes);
        for (int kk = 0; kk < kn; kk++) _mm512_mask_storeu_ps(d + (k0 + kk) * width, store, r[kk]);
      }
    }
    dst += static_cast<int64_t>(width) * depth;
  }
}

// Values of one k adjacent: masked full-vector copies, padding lanes loaded as zeros.
TK_TARGET_AVX512 void pack_copying_avx512(const float* src, int64_t k_stride, int64_t lines, int64_t depth, int width, float* dst) {
  const int64_t panel = static_cast<int64_t>(width) * depth;
  for (int64_t k0 = 0; k0 < depth; k0 += kCopyRows) {
    const int64_t k1 = std::min(depth, k0 + kCopyRows);
    float* pd = dst;
    for (int64_t l0 = 0; l0 < lines; l0 += width, pd += panel) {
      for (int c = 0; c < width; c += 16) {
        const int lanes = std::min(16, width - c);
        const __mmask16 load = first_lanes16(valid_lines(lines, l0 + c, lanes));
        const __mmask16 store = first_lanes16(lanes);
        for (int64_t k = k0; k < k1; k++) {
          _mm512_mask_storeu_ps(pd + k * width + c, store, _mm512_maskz_loadu_ps(load, src + k * k_stride + l0 + c));
        }
      }
    }
  }
}

// ---- AVX2 ------------------------------------------------------------------

// first_lanes8(n): lanes [0, n) set, for maskload / maskstore.
TK_TARGET_AVX2 inline __m256i first_lanes8(int n) {
  alignas(32) static const int32_t kTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTable + 8 - n));
}

TK_TARGET_AVX2 TK_ALWAYS_INLINE void transpose8(__m256 r[8]) {
  __m256 t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  __m256 u[8];
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; i++) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}

TK_TARGET_AVX2 void pack_transposing_avx2(const float* src, int64_t line_stride, int64_t lines, int64_t depth, int width, float* dst) {
  for (int64_t l0 = 0; l0 < lines; l0 += width) {
    for (int g = 0; g < width; g += 8) {
      const int lanes = std::min(8, width - g);
      const int valid = valid_lines(lines, l0 + g, lanes);
      const float* s = src + (l0 + g) * line_stride;
      float* d = dst + g;
      const __m256i store = first_lanes8(lanes);
      for (int64_t k0 = 0; k0 < depth; k0 += 8) {
        const int kn = static_cast<int>(std::min<int64_t>(8, depth - k0));
        const __m256i kmask = first_lanes8(kn);
        __m256 r[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) r[i] = i < valid ? _mm256_maskload_ps(s + i * line_stride + k0, kmask) : _mm256_setzero_ps();
        transpose8(r);
        for (int kk = 0; kk < kn; kk++) _mm256_maskstore_ps(d + (k0 + kk) * width, store, r[kk]);
      }
    }
    dst += static_cast<int64_t>(width) * depth;
  }
}

TK_TARGET_AVX2 void pack_copying_avx2(const float* src, int64_t k_stride, int64_t lines, int64_t depth, int width, float* dst) {
  const int64_t panel = static_cast<int64_t>(width) * depth;
  for (int64_t k0 = 0; k0 < depth; k0 += kCopyRows) {
    const int64_t k1 = std::min(depth, k0 + kCopyRows);
    float* pd = dst;
    for (int64_t l0 = 0; l0 < lines; l0 += width, pd += panel) {
      for (int c = 0; c < width; c += 8) {
        const int lanes = std::min(8, width - c);
        const __m256i load = first_lanes8(valid_lines(lines, l0 + c, lanes));
        const __m256i store = first_lanes8(lanes);
        for (int64_t k = k0; k < k1; k++) {
          _mm256_maskstore_ps(pd + k * width + c, store, _mm256_maskload_ps(src + k * k_stride + l0 + c, load));
        }
      }
    }
  }
}

#endif  // TK_HAS_X86_TARGETS

}  // namespace

void pack_panels(Isa isa, const float* src, int64_t line_stride, int64_t k_stride, int64_t lines, int64_t depth, int width, float* dst) {
#if TK_HAS_X86_TARGETS
  if (isa == Isa::Avx512 && lines > 0 && depth > 0) {
    if (k_stride == 1) return pack_transposing_avx512(src, line_stride, lines, depth, width, dst);
    if (line_stride == 1) return pack_copying_avx512(src, k_stride, lines, depth, width, dst);
  }
  if (isa == Isa::Avx2 && lines > 0 && depth > 0) {
    if (k_stride == 1) return pack_transposing_avx2(src, line_stride, lines, depth, width, dst);
    if (line_stride == 1) return pack_copying_avx2(src, k_stride, lines, depth, width, dst);
  }
#endif
  pack_scalar(src, line_stride, k_stride, lines, depth, width, dst);
}

}  // namespace tk
