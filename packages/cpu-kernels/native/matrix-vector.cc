#include "matrix-vector.h"

#include <cstring>

#include "isa-clones.h"

// Compiled three times (baseline, AVX2, AVX-512; target attributes) and
// chosen at run time. The product is bound by reading B, but the baseline
// build's loop (one row of B at a time, SSE2) re-read and re-wrote `out` for
// every row and reached ~9 GB/s on a core that streams ~12 GB/s; eight rows
// per pass over `out`, in wider vectors, reach the memory's rate. FMA
// contraction is off, so every level gives the baseline's bits.
#include "no-fp-contraction.h"

namespace tk {
namespace {

// out[n0:n1] += row[p] * B[p, n0:n1] for Rows (8, 4 or 1) consecutive p, in
// order: one read and write of `out` per Rows rows of B, and the sum of each
// out[j] still formed one row at a time (the bits of the one-row loop).
template <int Rows>
TK_ALWAYS_INLINE void add_rows(const float* row, int64_t p, const float* b, int64_t rs, int64_t n0, int64_t n1, float* __restrict out) {
  float a[Rows];
  const float* r[Rows];
  for (int q = 0; q < Rows; q++) {
    a[q] = row[p + q];
    r[q] = b + (p + q) * rs;
  }
  for (int64_t j = n0; j < n1; j++) {
    float o = out[j];
    for (int q = 0; q < Rows; q++) o = o + a[q] * r[q][j];
    out[j] = o;
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
