#include "layernorm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "column-sums.h"
#include "thread-pool.h"

namespace tk {
namespace {

struct ForwardCtx {
  const float* x;
  const float* gamma;
  const float* beta;
  float* out;
  float* mean;
  float* rstd;
  int64_t cols;
  float epsilon;
};

void forward_rows(int64_t r0, int64_t r1, void* raw) {
  const ForwardCtx& c = *static_cast<ForwardCtx*>(raw);
  const int64_t n = c.cols;
  for (int64_t r = r0; r < r1; r++) {
    const float* x = c.x + r * n;
    float* y = c.out + r * n;
    // Two passes in double, like the op path's mean then mean((x - mean)^2).
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += x[i];
    const float m = static_cast<float>(sum / static_cast<double>(n));
    double sq = 0;
    for (int64_t i = 0; i < n; i++) {
      const float d = x[i] - m;
      sq += static_cast<double>(d) * d;
    }
    const float variance = static_cast<float>(sq / static_cast<double>(n));
    const float s = 1.0f / std::sqrt(variance + c.epsilon);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] - m) * s * c.gamma[i] + c.beta[i];
    c.mean[r] = m;
    c.rstd[r] = s;
  }
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
};

void backward_chunk(int64_t chunk, int, void* raw) {
  const BackwardCtx& c = *static_cast<BackwardCtx*>(raw);
  const int64_t n = c.cols;
  const int64_t r0 = chunk * kSumRowsPerChunk;
  const int64_t r1 = std::min(c.rows, r0 + kSumRowsPerChunk);
  double* dg = c.dgamma_part + chunk * n;
  double* db = c.dbeta_part + chunk * n;
  for (int64_t r = r0; r < r1; r++) {
    const float* x = c.x + r * n;
    const float* dy = c.dy + r * n;
    float* dx = c.dx + r * n;
    const float m = c.mean[r];
    const float s = c.rstd[r];
    // llm.c: dnorm = dy * gamma; dx = (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) * rstd.
    double dnorm_sum = 0, dnorm_norm_sum = 0;
    for (int64_t i = 0; i < n; i++) {
      const float norm = (x[i] - m) * s;
      const float dnorm = dy[i] * c.gamma[i];
      dnorm_sum += dnorm;
      dnorm_norm_sum += static_cast<double>(dnorm) * norm;
      dg[i] += static_cast<double>(norm) * dy[i];
      db[i] += dy[i];
    }
    const float dnorm_mean = static_cast<float>(dnorm_sum / static_cast<double>(n));
    const float dnorm_norm_mean = static_cast<float>(dnorm_norm_sum / static_cast<double>(n));
    for (int64_t i = 0; i < n; i++) {
      const float norm = (x[i] - m) * s;
      dx[i] = (dy[i] * c.gamma[i] - dnorm_mean - norm * dnorm_norm_mean) * s;
    }
  }
}

}  // namespace

void layernorm_forward(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd, int64_t rows,
                       int64_t cols, float epsilon) {
  ForwardCtx c{x, gamma, beta, out, mean, rstd, cols, epsilon};
  parallel_range(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, cols)), forward_rows, &c);
}

void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd, float* dx,
                        float* dgamma, float* dbeta, int64_t rows, int64_t cols) {
  const int64_t chunks = row_chunks(rows);
  std::vector<double> dgamma_part = chunk_partials(chunks, cols);
  std::vector<double> dbeta_part = chunk_partials(chunks, cols);
  BackwardCtx c{dy, x, gamma, mean, rstd, dx, rows, cols, dgamma_part.data(), dbeta_part.data()};
  parallel_for(chunks, backward_chunk, &c);
  sum_chunk_partials(dgamma_part.data(), chunks, cols, dgamma);
  sum_chunk_partials(dbeta_part.data(), chunks, cols, dbeta);
}

}  // namespace tk
