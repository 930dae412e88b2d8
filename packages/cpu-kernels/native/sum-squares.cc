#include "sum-squares.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "thread-pool.h"

namespace tk {
namespace {

struct SumSquaresCtx {
  const float* const* arrays;
  const int64_t* lengths;
  float* out;
  const int64_t* order;  // array indices, largest first
};

float sum_squares_one(const float* x, int64_t n) {
  // Same accumulators and order as reduce_rows_task in reduce.cc; the
  // square is a float product, as the Square kernel writes it.
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float q0 = x[i] * x[i];
    const float q1 = x[i + 1] * x[i + 1];
    const float q2 = x[i + 2] * x[i + 2];
    const float q3 = x[i + 3] * x[i + 3];
    s0 += q0;
    s1 += q1;
    s2 += q2;
    s3 += q3;
  }
  for (; i < n; i++) {
    const float q = x[i] * x[i];
    s0 += q;
  }
  return static_cast<float>((s0 + s1) + (s2 + s3));
}

void sum_squares_task(int64_t task, int /*thread*/, void* raw) {
  const SumSquaresCtx& c = *static_cast<SumSquaresCtx*>(raw);
  const int64_t k = c.order[task];
  c.out[k] = sum_squares_one(c.arrays[k], c.lengths[k]);
}

}  // namespace

void sum_squares(const float* const* arrays, const int64_t* lengths, float* out, int64_t count) {
  // Largest first: the pool hands tasks out dynamically, so the big
  // embedding gradient starts at once and the small ones fill in around it.
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [lengths](int64_t a, int64_t b) { return lengths[a] > lengths[b]; });
  SumSquaresCtx c{arrays, lengths, out, order.data()};
  parallel_for(count, sum_squares_task, &c);
}

}  // namespace tk
