#include "sum-squares.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "thread-pool.h"

// Compiled three times (baseline, AVX2, AVX-512; target attributes) and
// chosen at run time; FMA contraction off and lane-sum.h's fixed order, so
// every level gives the same bits.
#include "no-fp-contraction.h"

#include "lane-sum.h"  // after the pragma

namespace tk {
namespace {

// The Sum kernel's row order (reduce.cc); the square is a float product, as
// the Square kernel writes it.
TK_ALWAYS_INLINE float sum_squares_one(const float* x, int64_t n) {
  return static_cast<float>(lane_sum(n, [x](int64_t i) {
    const float q = x[i] * x[i];
    return static_cast<double>(q);
  }));
}

using SumSquaresFn = float (*)(const float*, int64_t);

float sum_squares_generic(const float* x, int64_t n) { return sum_squares_one(x, n); }
#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 float sum_squares_avx2(const float* x, int64_t n) { return sum_squares_one(x, n); }
TK_TARGET_AVX512 float sum_squares_avx512(const float* x, int64_t n) { return sum_squares_one(x, n); }
#endif

struct SumSquaresCtx {
  const float* const* arrays;
  const int64_t* lengths;
  float* out;
  const int64_t* order;  // array indices, largest first
  SumSquaresFn one;
};

void sum_squares_task(int64_t task, int /*thread*/, void* raw) {
  const SumSquaresCtx& c = *static_cast<SumSquaresCtx*>(raw);
  const int64_t k = c.order[task];
  c.out[k] = c.one(c.arrays[k], c.lengths[k]);
}

}  // namespace

void sum_squares(const float* const* arrays, const int64_t* lengths, float* out, int64_t count) {
  // Largest first: the pool hands tasks out dynamically, so the big
  // embedding gradient starts at once and the small ones fill in around it.
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [lengths](int64_t a, int64_t b) { return lengths[a] > lengths[b]; });
  SumSquaresCtx c{arrays, lengths, out, order.data(), TK_PICK_CLONE(active_isa(), sum_squares_generic, sum_squares_avx2, sum_squares_avx512)};
  parallel_for(count, sum_squares_task, &c);
}

}  // namespace tk
