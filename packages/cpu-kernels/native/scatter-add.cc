#include "scatter-add.h"

#include <algorithm>

#include "thread-pool.h"

namespace tk {
namespace {

struct Ctx {
  const float* x;
  const int32_t* ids;
  int64_t rows, inner, segments;
  float* out;
};

void columns(int64_t c0, int64_t c1, void* raw) {
  const Ctx& s = *static_cast<Ctx*>(raw);
  for (int64_t r = 0; r < s.rows; r++) {
    const int64_t id = s.ids[r];
    if (id < 0 || id >= s.segments) continue;
    const float* src = s.x + r * s.inner;
    float* dst = s.out + id * s.inner;
    for (int64_t c = c0; c < c1; c++) dst[c] += src[c];
  }
}

}  // namespace

void scatter_add_rows(const float* x, const int32_t* ids, int64_t rows, int64_t inner, int64_t segments, float* out) {
  Ctx ctx{x, ids, rows, inner, segments, out};
  // Column ranges of at least 64 floats (whole cache lines per row) and
  // enough rows for the split to pay for waking the pool.
  const int64_t grain = rows * inner < (1 << 15) ? inner : 64;
  parallel_range(inner, grain, columns, &ctx);
}

}  // namespace tk
