#include "softmax-cross-entropy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "isa-clones.h"
#include "thread-pool.h"

// Like bias-gelu.cc: one source compiled as baseline, AVX2 and AVX-512
// clones (chosen at run time by active_isa()), exp by exp_poly, and no FMA
// contraction, so every level gives the same bits. Reductions run in 16
// fixed lanes (elementwise across lanes, so they vectorise without
// reassociating), then the lanes are summed in order.
#include "no-fp-contraction.h"

#include "exp-poly.h"  // after the pragma: exp_poly is compiled without contraction too

namespace tk {
namespace {

constexpr int kLanes = 16;
constexpr int64_t kBlock = 512;  // a multiple of kLanes

// logsumexp of one row: the max, then Σ e^(x − max) in double.
TK_ALWAYS_INLINE float row_log_sum_exp(const float* x, int64_t n) {
  float lane_max[kLanes];
  for (int j = 0; j < kLanes; j++) lane_max[j] = -std::numeric_limits<float>::infinity();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    TK_LANE_LOOP
    for (int j = 0; j < kLanes; j++) lane_max[j] = x[i + j] > lane_max[j] ? x[i + j] : lane_max[j];
  }
  float m = -std::numeric_limits<float>::infinity();
  for (int j = 0; j < kLanes; j++) m = lane_max[j] > m ? lane_max[j] : m;
  for (int64_t t = i; t < n; t++) m = x[t] > m ? x[t] : m;
  // e^(x − m) a block at a time into a buffer (a plain loop, which
  // vectorises like row_gradient), then into the double lanes.
  double lane_sum[kLanes] = {0};
  float e[kBlock];
  double s = 0;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t len = std::min<int64_t>(kBlock, n - b);
    for (int64_t k = 0; k < len; k++) e[k] = exp_poly(x[b + k] - m);
    int64_t k = 0;
    for (; k + kLanes <= len; k += kLanes) {
      TK_LANE_LOOP
      for (int j = 0; j < kLanes; j++) lane_sum[j] += static_cast<double>(e[k + j]);
    }
    for (; k < len; k++) s += static_cast<double>(e[k]);  // only in the last block
  }
  for (int j = 0; j < kLanes; j++) s += lane_sum[j];
  return static_cast<float>(static_cast<double>(m) + std::log(s));
}

TK_ALWAYS_INLINE void row_gradient(const float* x, int64_t n, float lse, float dy, float* dx) {
  for (int64_t i = 0; i < n; i++) dx[i] = exp_poly(x[i] - lse) * dy;
}

using LseRowFn = float (*)(const float*, int64_t);
using GradRowFn = void (*)(const float*, int64_t, float, float, float*);

float lse_row_generic(const float* x, int64_t n) { return row_log_sum_exp(x, n); }
void grad_row_generic(const float* x, int64_t n, float lse, float dy, float* dx) { row_gradient(x, n, lse, dy, dx); }

#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 float lse_row_avx2(const float* x, int64_t n) { return row_log_sum_exp(x, n); }
TK_TARGET_AVX2 void grad_row_avx2(const float* x, int64_t n, float lse, float dy, float* dx) { row_gradient(x, n, lse, dy, dx); }
TK_TARGET_AVX512 float lse_row_avx512(const float* x, int64_t n) { return row_log_sum_exp(x, n); }
TK_TARGET_AVX512 void grad_row_avx512(const float* x, int64_t n, float lse, float dy, float* dx) { row_gradient(x, n, lse, dy, dx); }
#endif


struct ForwardCtx {
  const float* logits;
  const int32_t* labels;
  float* loss;
  float* lse;
  int64_t cols;
  LseRowFn row;
};

void forward_rows(int64_t r0, int64_t r1, void* raw) {
  const ForwardCtx& c = *static_cast<ForwardCtx*>(raw);
  for (int64_t r = r0; r < r1; r++) {
    const int32_t label = c.labels[r];
    if (label < 0) {
      c.loss[r] = 0.0f;
      c.lse[r] = 0.0f;
      continue;
    }
    const float* x = c.logits + r * c.cols;
    const float lse = c.row(x, c.cols);
    c.lse[r] = lse;
    c.loss[r] = lse - x[label];
  }
}

struct BackwardCtx {
  const float* logits;
  const int32_t* labels;
  const float* lse;
  const float* dy;
  int64_t dy_stride;
  float* dx;
  int64_t cols;
  GradRowFn row;
};

void backward_rows(int64_t r0, int64_t r1, void* raw) {
  const BackwardCtx& c = *static_cast<BackwardCtx*>(raw);
  for (int64_t r = r0; r < r1; r++) {
    const int32_t label = c.labels[r];
    float* dx = c.dx + r * c.cols;
    if (label < 0) {
      std::fill(dx, dx + c.cols, 0.0f);
      continue;
    }
    const float* x = c.logits + r * c.cols;
    const float dy = c.dy[r * c.dy_stride];
    c.row(x, c.cols, c.lse[r], dy, dx);
    // The one-hot term, as the op path forms it: (p − 1)·dy.
    dx[label] = (exp_poly(x[label] - c.lse[r]) - 1.0f) * dy;
  }
}

int64_t rows_per_task(int64_t cols) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, cols)); }

}  // namespace

void softmax_cross_entropy_forward(const float* logits, const int32_t* labels, float* loss, float* log_sum_exp, int64_t rows,
                                   int64_t cols) {
  ForwardCtx c{logits, labels, loss, log_sum_exp, cols, TK_PICK_CLONE(active_isa(), lse_row_generic, lse_row_avx2, lse_row_avx512)};
  parallel_range(rows, rows_per_task(cols), forward_rows, &c);
}

void softmax_cross_entropy_backward(const float* logits, const int32_t* labels, const float* log_sum_exp, const float* dy,
                                    int64_t dy_stride, float* dx, int64_t rows, int64_t cols) {
  BackwardCtx c{logits, labels, log_sum_exp, dy, dy_stride, dx, cols, TK_PICK_CLONE(active_isa(), grad_row_generic, grad_row_avx2, grad_row_avx512)};
  parallel_range(rows, rows_per_task(cols), backward_rows, &c);
}

}  // namespace tk
