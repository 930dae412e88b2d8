// Sum of squares of many arrays at once (the global gradient norm): one read
// of every gradient instead of the op path's Square (a written copy of each
// gradient) and Sum per variable.
#pragma once

#include <cstdint>

namespace tk {

// out[k] = Σ_i x_k[i]² for each of `count` arrays: every square rounded to
// float32 (as tfjs's Square), summed in double in the order of the Sum
// kernel's contiguous-row reduction (lane-sum.h), the total rounded to
// float32. So each out[k] has the bits of Sum(Square(x_k)) on the op path.
// Arrays are tasks on the pool (largest first); one array is never split,
// so the result does not depend on the thread count.
void sum_squares(const float* const* arrays, const int64_t* lengths, float* out, int64_t count);

}  // namespace tk
