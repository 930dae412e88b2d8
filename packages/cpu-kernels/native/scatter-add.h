// UnsortedSegmentSum as a scatter-add: out[ids[r]] += x[r] for each row r.
#pragma once

#include <cstdint>

namespace tk {

// x: rows x inner; out: segments x inner (already zeroed by the caller).
// Ids outside [0, segments) are skipped (tfjs semantics). Threads split the
// columns, so no two threads ever write the same element and the result is
// deterministic (rows are always added in order).
void scatter_add_rows(const float* x, const int32_t* ids, int64_t rows, int64_t inner, int64_t segments, float* out);

}  // namespace tk
