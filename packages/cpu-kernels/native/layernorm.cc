#include "layernorm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "column-sums.h"
#include "isa-clones.h"
#include "thread-pool.h"

// One source compiled as baseline, AVX2 and AVX-512 clones (chosen at run
// time by active_isa()), with no FMA contraction, so every level gives the
// same bits. Each row's sums (mean, variance; the backward's two means) run
// in lane-sum.h's 16 fixed double lanes instead of one chain of dependent
// adds. The sums stay in double, as before, so rounding their float results
// rarely sees the changed order at all.
#include "no-fp-contraction.h"

#include "lane-sum.h"  // after the pragma

namespace tk {
namespace {

// (mean, rstd) of one row, and its normalised, scaled and shifted output.
TK_ALWAYS_INLINE void forward_row(const float* x, const float* gamma, const float* beta, float* y, int64_t n, float epsilon,
                                  float* mean_out, float* rstd_out) {
  // Two passes in double, like the op path's mean then mean((x - mean)^2);
  // a float difference squared in double is exact (24 + 24 bits).
  const float m = static_cast<float>(lane_sum(n, [x](int64_t i) { return static_cast<double>(x[i]); }) / static_cast<double>(n));
  const double sq = lane_sum(n, [x, m](int64_t i) {
    const double d = static_cast<double>(x[i] - m);
    return d * d;
  });
  const float variance = static_cast<float>(sq / static_cast<double>(n));
  const float s = 1.0f / std::sqrt(variance + epsilon);
  for (int64_t j = 0; j < n; j++) y[j] = (x[j] - m) * s * gamma[j] + beta[j];
  *mean_out = m;
  *rstd_out = s;
}

// One row of the backward: dx, and the row's terms of dgamma and dbeta added
// into the chunk's double column sums dg, db (column by column, so in row order).
TK_ALWAYS_INLINE void backward_row(const float* dy, const float* x, const float* gamma, float m, float s, float* dx, double* dg,
                                   double* db, int64_t n) {
  // llm.c: dnorm = dy * gamma; dx = (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) * rstd.
  double lane_dnorm[kSumLanes] = {0}, lane_dnorm_norm[kSumLanes] = {0};
  int64_t i = 0;
  for (; i + kSumLanes <= n; i += kSumLanes) {
    TK_LANE_LOOP
    for (int l = 0; l < kSumLanes; l++) {
      const float norm = (x[i + l] - m) * s;
      const float dnorm = dy[i + l] * gamma[i + l];
      lane_dnorm[l] += static_cast<double>(dnorm);
      lane_dnorm_norm[l] += static_cast<double>(dnorm) * static_cast<double>(norm);
    }
  }
  double tail_dnorm = 0, tail_dnorm_norm = 0;
  for (int64_t t = i; t < n; t++) {
    const float norm = (x[t] - m) * s;
    const float dnorm = dy[t] * gamma[t];
    tail_dnorm += static_cast<double>(dnorm);
    tail_dnorm_norm += static_cast<double>(dnorm) * static_cast<double>(norm);
  }
  for (int64_t j = 0; j < n; j++) {
    const float norm = (x[j] - m) * s;
    dg[j] += static_cast<double>(norm) * static_cast<double>(dy[j]);
    db[j] += static_cast<double>(dy[j]);
  }
  const float dnorm_mean = static_cast<float>(lanes_total(lane_dnorm, tail_dnorm) / static_cast<double>(n));
  const float dnorm_norm_mean = static_cast<float>(lanes_total(lane_dnorm_norm, tail_dnorm_norm) / static_cast<double>(n));
  for (int64_t j = 0; j < n; j++) {
    const float norm = (x[j] - m) * s;
    dx[j] = (dy[j] * gamma[j] - dnorm_mean - norm * dnorm_norm_mean) * s;
  }
}

using ForwardRowFn = void (*)(const float*, const float*, const float*, float*, int64_t, float, float*, float*);
using BackwardRowFn = void (*)(const float*, const float*, const float*, float, float, float*, double*, double*, int64_t);

void forward_row_generic(const float* x, const float* g, const float* b, float* y, int64_t n, float e, float* m, float* s) {
  forward_row(x, g, b, y, n, e, m, s);
}
void backward_row_generic(const float* dy, const float* x, const float* g, float m, float s, float* dx, double* dg, double* db, int64_t n) {
  backward_row(dy, x, g, m, s, dx, dg, db, n);
}

#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void forward_row_avx2(const float* x, const float* g, const float* b, float* y, int64_t n, float e, float* m, float* s) {
  forward_row(x, g, b, y, n, e, m, s);
}
TK_TARGET_AVX2 void backward_row_avx2(const float* dy, const float* x, const float* g, float m, float s, float* dx, double* dg, double* db,
                                      int64_t n) {
  backward_row(dy, x, g, m, s, dx, dg, db, n);
}
TK_TARGET_AVX512 void forward_row_avx512(const float* x, const float* g, const float* b, float* y, int64_t n, float e, float* m, float* s) {
  forward_row(x, g, b, y, n, e, m, s);
}
TK_TARGET_AVX512 void backward_row_avx512(const float* dy, const float* x, const float* g, float m, float s, float* dx, double* dg,
                                          double* db, int64_t n) {
  backward_row(dy, x, g, m, s, dx, dg, db, n);
}
#endif

struct ForwardCtx {
  const float* x;
  const float* gamma;
  const float* beta;
  float* out;
  float* mean;
  float* rstd;
  int64_t cols;
  float epsilon;
  ForwardRowFn row;
};

void forward_rows(int64_t r0, int64_t r1, void* raw) {
  const ForwardCtx& c = *static_cast<ForwardCtx*>(raw);
  for (int64_t r = r0; r < r1; r++) c.row(c.x + r * c.cols, c.gamma, c.beta, c.out + r * c.cols, c.cols, c.epsilon, c.mean + r, c.rstd + r);
}

struct BackwardCtx {
  const float* dy;
  const float* x;
  const float* gamma;
  const float* mean;
  const float* rstd;
  float* dx;
  int64_t rows;
  int64_t cols;
  // [chunks, cols] partial sums of dgamma and dbeta.
  double* dgamma_part;
  double* dbeta_part;
  BackwardRowFn row;
};

void backward_chunk(int64_t chunk, int, void* raw) {
  const BackwardCtx& c = *static_cast<BackwardCtx*>(raw);
  const int64_t n = c.cols;
  const int64_t r0 = chunk * kSumRowsPerChunk;
  const int64_t r1 = std::min(c.rows, r0 + kSumRowsPerChunk);
  for (int64_t r = r0; r < r1; r++) {
    c.row(c.dy + r * n, c.x + r * n, c.gamma, c.mean[r], c.rstd[r], c.dx + r * n, c.dgamma_part + chunk * n, c.dbeta_part + chunk * n, n);
  }
}

}  // namespace

void layernorm_forward(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd, int64_t rows,
                       int64_t cols, float epsilon) {
  ForwardCtx c{x, gamma, beta, out, mean, rstd, cols, epsilon,
               TK_PICK_CLONE(active_isa(), forward_row_generic, forward_row_avx2, forward_row_avx512)};
  parallel_range(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, cols)), forward_rows, &c);
}

void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd, float* dx,
                        float* dgamma, float* dbeta, int64_t rows, int64_t cols) {
  const int64_t chunks = row_chunks(rows);
  std::vector<double> dgamma_part = chunk_partials(chunks, cols);
  std::vector<double> dbeta_part = chunk_partials(chunks, cols);
  BackwardCtx c{dy, x, gamma, mean, rstd, dx, rows, cols, dgamma_part.data(), dbeta_part.data(),
                TK_PICK_CLONE(active_isa(), backward_row_generic, backward_row_avx2, backward_row_avx512)};
  parallel_for(chunks, backward_chunk, &c);
  sum_chunk_partials(dgamma_part.data(), chunks, cols, dgamma);
  sum_chunk_partials(dbeta_part.data(), chunks, cols, dbeta);
}

}  // namespace tk
