// Packing of GEMM operands into the micro-kernels' panels.
//
// Both operands are packed the same way: a block of `lines` lines (rows of
// A, or columns of B) over `depth` values of k becomes panels of `width`
// lines (the kernel's MR for A, NR for B), each panel k-major — for each k,
// `width` consecutive values — with lines past the end zero-filled.
//
// Packing was ~15% of every product's time with scalar element-by-element
// loops (~3.5 cycles per packed float, measured with rdtsc in gpt2-medium
// training steps): when lines are contiguous along k (row-major A, or B
// given transposed) each float was stored with a stride of the panel width,
// and the other layouts paid a memcpy call per 14 or 32 floats. The SIMD
// versions transpose 16 x 16 (AVX-512) or 8 x 8 (AVX2) blocks in registers
// and copy with masked full-width loads and stores. Packing only moves
// floats, so every version gives the same packed bytes and the products
// the same bits.
#pragma once

#include <cstdint>

#include "cpu-features.h"

namespace tk {

// Line i's value at depth k is src[i * line_stride + k * k_stride]. Writes
// ceil(lines / width) panels of width * depth floats to dst.
void pack_panels(Isa isa, const float* src, int64_t line_stride, int64_t k_stride, int64_t lines, int64_t depth, int width, float* dst);

}  // namespace tk
