// Sum, Max and Mean over a contiguous run of axes.
#pragma once

#include <cstdint>

namespace tk {

enum class ReduceOp : int { kSum = 0, kMax = 1, kMean = 2 };

// x viewed as [outer, reduce, inner] -> out [outer, inner]. Sums in double:
// along a contiguous row (inner == 1) in lane-sum.h's 16 fixed lanes;
// down columns (inner > 1, a bias's gradient)
// one accumulator per column, in row order. Neither order depends on the
// thread count or the ISA level.
void reduce_op(ReduceOp op, const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner);

}  // namespace tk
