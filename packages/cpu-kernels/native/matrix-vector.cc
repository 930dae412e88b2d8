#include "matrix-vector.h"

#include <cstring>

#include "isa-clones.h"

// Compiled three times (baseline, AVX2, AVX-512; target attributes) and
// chosen at run time. The product is bound by reading B, but the baseline
// build's loop (one row of B at a time, SSE2) re-read and re-wrote `out` for
// every row and reached ~9 GB/s on a core that streams ~12 GB/s; eight rows
// per pass over `out`, in wider vectors, reach the memory's rate. FMA
// contraction is off, so every level gives the baseline's bits.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace tk {
namespace {

// out[n0:n1] += row[p] * B[p, n0:n1] for Rows (8, 4 or 1) consecutive p, in
// order: one read and write of `out` per Rows rows of B, and the sum of each
// out[j] still formed one row at a time (the bits of the one-row loop).
template <int Rows>
TK_ALWAYS_INLINE void add_rows(const float* row, int64_t p, const float* b, int64_t rs, int64_t n0, int64_t n1, float* __restrict out) {
  const float* b0 = b + p * rs;
  if constexpr (Rows == 8) {
    const float a0 = row[p], a1 = row[p + 1], a2 = row[p + 2], a3 = row[p + 3];
    const float a4 = row[p + 4], a5 = row[p + 5], a6 = row[p + 6], a7 = row[p + 7];
    const float* __restrict r0 = b0;
    const float* __restrict r1 = b0 + rs;
    const float* __restrict r2 = b0 + 2 * rs;
    const float* __restrict r3 = b0 + 3 * rs;
    const float* __restrict r4 = b0 + 4 * rs;
    const float* __restrict r5 = b0 + 5 * rs;
    const float* __restrict r6 = b0 + 6 * rs;
    const float* __restrict r7 = b0 + 7 * rs;
    for (int64_t j = n0; j < n1; j++) {
      float o = out[j];
      o = o + a0 * r0[j];
      o = o + a1 * r1[j];
      o = o + a2 * r2[j];
      o = o + a3 * r3[j];
      o = o + a4 * r4[j];
      o = o + a5 * r5[j];
      o = o + a6 * r6[j];
      o = o + a7 * r7[j];
      out[j] = o;
    }
  } else if constexpr (Rows == 4) {
    const float a0 = row[p], a1 = row[p + 1], a2 = row[p + 2], a3 = row[p + 3];
    const float* __restrict r0 = b0;
    const float* __restrict r1 = b0 + rs;
    const float* __restrict r2 = b0 + 2 * rs;
    const float* __restrict r3 = b0 + 3 * rs;
    for (int64_t j = n0; j < n1; j++) {
      float o = out[j];
      o = o + a0 * r0[j];
      o = o + a1 * r1[j];
      o = o + a2 * r2[j];
      o = o + a3 * r3[j];
      out[j] = o;
    }
  } else {
    const float a0 = row[p];
    const float* __restrict r0 = b0;
    for (int64_t j = n0; j < n1; j++) out[j] = out[j] + a0 * r0[j];
  }
}

// Σ x[i] y[i] in 16 independent lanes (so the loop vectorises at every
// level), the lanes summed in order, then the tail.
TK_ALWAYS_INLINE float dot_lanes(const float* x, const float* y, int64_t k) {
  float lane[16] = {0};
  int64_t i = 0;
  for (; i + 16 <= k; i += 16) {
    TK_LANE_LOOP
    for (int l = 0; l < 16; l++) lane[l] += x[i + l] * y[i + l];
  }
  float sum = 0;
  for (int l = 0; l < 16; l++) sum += lane[l];
  for (; i < k; i++) sum += x[i] * y[i];
  return sum;
}

TK_ALWAYS_INLINE void row_times_matrix_body(const float* row, int64_t k, const MatrixView& b, int64_t n0, int64_t n1, float* out) {
  if (b.cs == 1) {
    std::memset(out + n0, 0, (n1 - n0) * sizeof(float));
    int64_t p = 0;
    for (; p + 8 <= k; p += 8) add_rows<8>(row, p, b.data, b.rs, n0, n1, out);
    for (; p + 4 <= k; p += 4) add_rows<4>(row, p, b.data, b.rs, n0, n1, out);
    for (; p < k; p++) add_rows<1>(row, p, b.data, b.rs, n0, n1, out);
  } else if (b.rs == 1) {
    for (int64_t j = n0; j < n1; j++) out[j] = dot_lanes(row, b.data + j * b.cs, k);
  } else {
    for (int64_t j = n0; j < n1; j++) {
      float sum = 0;
      for (int64_t p = 0; p < k; p++) sum += row[p] * b.data[p * b.rs + j * b.cs];
      out[j] = sum;
    }
  }
}

void row_times_matrix_generic(const float* row, int64_t k, const MatrixView& b, int64_t n0, int64_t n1, float* out) {
  row_times_matrix_body(row, k, b, n0, n1, out);
}
#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void row_times_matrix_avx2(const float* row, int64_t k, const MatrixView& b, int64_t n0, int64_t n1, float* out) {
  row_times_matrix_body(row, k, b, n0, n1, out);
}
TK_TARGET_AVX512 void row_times_matrix_avx512(const float* row, int64_t k, const MatrixView& b, int64_t n0, int64_t n1, float* out) {
  row_times_matrix_body(row, k, b, n0, n1, out);
}
#endif

}  // namespace

void row_times_matrix(const float* row, int64_t k, const MatrixView& b, int64_t n0, int64_t n1, float* out) {
#if TK_HAS_X86_TARGETS
  TK_PICK_CLONE(active_isa(), row_times_matrix_generic, row_times_matrix_avx2, row_times_matrix_avx512)(row, k, b, n0, n1, out);
#else
  row_times_matrix_generic(row, k, b, n0, n1, out);
#endif
}

}  // namespace tk
