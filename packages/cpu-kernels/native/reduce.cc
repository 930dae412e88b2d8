#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "isa-clones.h"
#include "thread-pool.h"

// Down columns (a bias's gradient), a block's double accumulators take four
// rows per pass: one load and store of them per four rows, which halved the
// time of a [736, 1024] column sum; the loop is also compiled three times
// (baseline, AVX2, AVX-512; target attributes), chosen at run time, which
// adds 0–15%. Vectors run across columns and each column still adds its rows
// one at a time, in order, so (FMA contraction off) every level and every
// split gives the same bits. Along a row (a loss's mean, a norm's sum) the
// sum runs in lane-sum.h's 16 fixed double lanes, also cloned: the order
// sum-squares.cc shares, so the global norm is the same fused or op by op.
#include "no-fp-contraction.h"

#include "lane-sum.h"  // after the pragma

namespace tk {
namespace {

struct ReduceCtx {
  ReduceOp op;
  const float* x;
  float* out;
  int64_t reduce, inner;
};

// inner == 1: one contiguous row per output; sums in lane-sum.h's order.
TK_ALWAYS_INLINE void reduce_rows(int64_t o0, int64_t o1, void* raw) {
  const ReduceCtx& c = *static_cast<ReduceCtx*>(raw);
  for (int64_t o = o0; o < o1; o++) {
    const float* row = c.x + o * c.reduce;
    if (c.op == ReduceOp::kMax) {
      float m = c.reduce ? row[0] : -INFINITY;
      for (int64_t r = 1; r < c.reduce; r++) m = std::max(m, row[r]);
      c.out[o] = m;
    } else {
      const double s = lane_sum(c.reduce, [row](int64_t i) { return static_cast<double>(row[i]); });
      c.out[o] = static_cast<float>(c.op == ReduceOp::kMean ? s / static_cast<double>(c.reduce) : s);
    }
  }
}

void reduce_rows_generic(int64_t o0, int64_t o1, void* raw) { reduce_rows(o0, o1, raw); }
#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void reduce_rows_avx2(int64_t o0, int64_t o1, void* raw) { reduce_rows(o0, o1, raw); }
TK_TARGET_AVX512 void reduce_rows_avx512(int64_t o0, int64_t o1, void* raw) { reduce_rows(o0, o1, raw); }
#endif

// inner > 1: tasks are (outer, column block) pairs; columns accumulate in double.
constexpr int64_t kColumnBlock = 512;

TK_ALWAYS_INLINE void reduce_columns(int64_t t0, int64_t t1, void* raw) {
  const ReduceCtx& c = *static_cast<ReduceCtx*>(raw);
  const int64_t blocks = (c.inner + kColumnBlock - 1) / kColumnBlock;
  double acc[kColumnBlock];
  float best[kColumnBlock];
  for (int64_t t = t0; t < t1; t++) {
    const int64_t o = t / blocks;
    const int64_t j0 = (t % blocks) * kColumnBlock;
    const int64_t width = std::min(kColumnBlock, c.inner - j0);
    const float* base = c.x + o * c.reduce * c.inner + j0;
    float* dst = c.out + o * c.inner + j0;
    if (c.op == ReduceOp::kMax) {
      for (int64_t j = 0; j < width; j++) best[j] = c.reduce ? base[j] : -INFINITY;
      for (int64_t r = 1; r < c.reduce; r++) {
        const float* src = base + r * c.inner;
        for (int64_t j = 0; j < width; j++) best[j] = std::max(best[j], src[j]);
      }
      std::memcpy(dst, best, width * sizeof(float));
    } else {
      for (int64_t j = 0; j < width; j++) acc[j] = 0;
      // The parentheses are the one-row loop's order: acc += row r, then r + 1, ...
      int64_t r = 0;
      for (; r + 4 <= c.reduce; r += 4) {
        const float* s0 = base + r * c.inner;
        const float* s1 = s0 + c.inner;
        const float* s2 = s1 + c.inner;
        const float* s3 = s2 + c.inner;
        for (int64_t j = 0; j < width; j++) acc[j] = (((acc[j] + s0[j]) + s1[j]) + s2[j]) + s3[j];
      }
      for (; r < c.reduce; r++) {
        const float* src = base + r * c.inner;
        for (int64_t j = 0; j < width; j++) acc[j] += src[j];
      }
      const double scale = c.op == ReduceOp::kMean ? 1.0 / static_cast<double>(c.reduce) : 1.0;
      for (int64_t j = 0; j < width; j++) dst[j] = static_cast<float>(acc[j] * scale);
    }
  }
}

void reduce_columns_generic(int64_t t0, int64_t t1, void* raw) { reduce_columns(t0, t1, raw); }
#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void reduce_columns_avx2(int64_t t0, int64_t t1, void* raw) { reduce_columns(t0, t1, raw); }
TK_TARGET_AVX512 void reduce_columns_avx512(int64_t t0, int64_t t1, void* raw) { reduce_columns(t0, t1, raw); }
#endif

}  // namespace

void reduce_op(ReduceOp op, const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner) {
  ReduceCtx c{op, x, out, reduce, inner};
  if (inner == 1) {
    parallel_range(outer, rows_grain(reduce), TK_PICK_CLONE(active_isa(), reduce_rows_generic, reduce_rows_avx2, reduce_rows_avx512), &c);
  } else {
    const int64_t blocks = (inner + kColumnBlock - 1) / kColumnBlock;
    parallel_range(outer * blocks, rows_grain(reduce * std::min(inner, kColumnBlock)),
                   TK_PICK_CLONE(active_isa(), reduce_columns_generic, reduce_columns_avx2, reduce_columns_avx512), &c);
  }
}

}  // namespace tk
