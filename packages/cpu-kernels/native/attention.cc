#include "attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "dropout-hash.h"
#include "gemm.h"
#include "thread-pool.h"

namespace tk {
namespace {

// Query rows per block: the scores block is kRows x T floats (256 KiB at
// T = 1024), and 64 rows fill whole register tiles of the GEMM.
constexpr int64_t kRows = 64;

// C[m, n] = A[m, k] . B[k, n] with strided views, on the calling thread (we
// are inside a pool task, where the GEMM's own parallel_for runs serially).
void product(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float* c) {
  BatchedGemm g{1, m, n, k, a, nullptr, 0, b, nullptr, 0, c};
  gemm_batched(g);
}

struct Ctx {
  const AttentionShape* s;
  const float* qkv;
  const float* mask;
  const float* out;
  float* out_w;
  float* stats;
  const float* dout;
  float* dqkv;
};

// Keys a block of rows [i0, i1) can see: all of them, or up to the last
// row's own position when future blocks are skipped.
int64_t keys_for(const AttentionShape& s, int64_t i1) { return s.skip_future ? i1 : s.time; }

// Scores of rows [i0, i1) against keys [0, L) into p (rows x L), turned into
// probabilities (after dropout when training) in place. With `stats_in`,
// uses the forward's row max and 1/sum (backward: the same bits); otherwise
// computes them into stats_out. `keep_raw`, if given, receives the
// probabilities before dropout.
void probabilities(const Ctx& c, int64_t b, int64_t h, int64_t i0, int64_t i1, int64_t L, float* p, const float* stats_in, float* stats_out,
                   float* keep_raw) {
  const AttentionShape& s = *c.s;
  const int64_t C = s.heads * s.head_dim;
  const int64_t T = s.time;
  const float* q = c.qkv + b * T * 3 * C + h * s.head_dim;
  const float* k = q + C;
  const int64_t rows = i1 - i0;
  product(rows, L, s.head_dim, MatrixView{q + i0 * 3 * C, 3 * C, 1}, MatrixView{k, 1, 3 * C}, p);
  const float* mask = c.mask + (s.mask_batch == 1 ? 0 : b) * T * T;
  const bool drop = s.dropout_rate > 0;
  const float keep_scale = drop ? 1.0f / (1.0f - s.dropout_rate) : 1.0f;
  const uint64_t base = dropout_base(s.seed);
  for (int64_t r = 0; r < rows; r++) {
    const int64_t i = i0 + r;
    float* row = p + r * L;
    const float* mrow = mask + i * T;
    // Keys this row computes: up to its own position when skipping, else all L.
    const int64_t n = s.skip_future ? i + 1 : L;
    float mx, inv;
    if (stats_in) {
      mx = stats_in[2 * i];
      inv = stats_in[2 * i + 1];
      for (int64_t j = 0; j < n; j++) row[j] = std::exp((row[j] * s.scale + mrow[j]) - mx) * inv;
    } else {
      mx = -INFINITY;
      for (int64_t j = 0; j < n; j++) {
        row[j] = row[j] * s.scale + mrow[j];
        mx = std::max(mx, row[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j < n; j++) {
        const float e = std::exp(row[j] - mx);
        row[j] = e;
        sum += e;
      }
      inv = static_cast<float>(1.0 / sum);
      for (int64_t j = 0; j < n; j++) row[j] *= inv;
      stats_out[2 * i] = mx;
      stats_out[2 * i + 1] = inv;
    }
    for (int64_t j = n; j < L; j++) row[j] = 0.0f;
    if (keep_raw) std::copy(row, row + L, keep_raw + r * L);
    if (drop) {
      // Index into the [B, H, T, T] mask the op path would draw.
      const uint64_t offset = static_cast<uint64_t>(((b * s.heads + h) * T + i) * T);
      for (int64_t j = 0; j < n; j++) row[j] = dropout_uniform(base, offset + j) >= s.dropout_rate ? row[j] * keep_scale : 0.0f;
    }
  }
}

struct Scratch {
  std::vector<float> a, b, c;
};

thread_local Scratch tl_scratch;

void forward_task(int64_t task, int, void* raw) {
  const Ctx& c = *static_cast<Ctx*>(raw);
  const AttentionShape& s = *c.s;
  const int64_t blocks = (s.time + kRows - 1) / kRows;
  const int64_t bh = task / blocks;
  const int64_t b = bh / s.heads;
  const int64_t h = bh % s.heads;
  const int64_t i0 = (task % blocks) * kRows;
  const int64_t i1 = std::min(s.time, i0 + kRows);
  const int64_t rows = i1 - i0;
  const int64_t L = keys_for(s, i1);
  const int64_t C = s.heads * s.head_dim;
  const int64_t D = s.head_dim;
  Scratch& w = tl_scratch;
  w.a.resize(static_cast<size_t>(kRows * s.time));
  w.b.resize(static_cast<size_t>(kRows * D));
  float* p = w.a.data();
  probabilities(c, b, h, i0, i1, L, p, nullptr, c.stats + bh * s.time * 2, nullptr);
  const float* v = c.qkv + b * s.time * 3 * C + 2 * C + h * D;
  product(rows, D, L, MatrixView{p, L, 1}, MatrixView{v, 3 * C, 1}, w.b.data());
  for (int64_t r = 0; r < rows; r++) std::copy(w.b.data() + r * D, w.b.data() + (r + 1) * D, c.out_w + (b * s.time + i0 + r) * C + h * D);
}

void backward_task(int64_t bh, int, void* raw) {
  const Ctx& c = *static_cast<Ctx*>(raw);
  const AttentionShape& s = *c.s;
  const int64_t b = bh / s.heads;
  const int64_t h = bh % s.heads;
  const int64_t T = s.time;
  const int64_t D = s.head_dim;
  const int64_t C = s.heads * D;
  const float* q = c.qkv + b * T * 3 * C + h * D;
  const float* k = q + C;
  const float* v = q + 2 * C;
  float* dq = c.dqkv + b * T * 3 * C + h * D;
  float* dk = dq + C;
  float* dv = dq + 2 * C;
  const float* dout = c.dout + b * T * C + h * D;
  const float* out = c.out + b * T * C + h * D;
  const float* stats = c.stats + bh * T * 2;
  const bool drop = s.dropout_rate > 0;
  Scratch& w = tl_scratch;
  w.a.resize(static_cast<size_t>(kRows * T));
  w.b.resize(static_cast<size_t>(kRows * T) * (drop ? 2 : 1));
  w.c.resize(static_cast<size_t>(std::max(T, kRows) * D));
  float* p = w.a.data();   // probabilities after dropout (what multiplied v)
  float* dp = w.b.data();  // dL/dp, then dL/dscores
  float* raw_p = drop ? w.b.data() + kRows * T : nullptr;  // before dropout
  float* tmp = w.c.data();
  for (int64_t i0 = 0; i0 < T; i0 += kRows) {
    const int64_t i1 = std::min(T, i0 + kRows);
    const int64_t rows = i1 - i0;
    const int64_t L = keys_for(s, i1);
    probabilities(c, b, h, i0, i1, L, p, stats, nullptr, raw_p);
    // dV[0:L] += p^T . dout
    product(L, D, rows, MatrixView{p, 1, L}, MatrixView{dout + i0 * C, C, 1}, tmp);
    for (int64_t j = 0; j < L; j++) {
      float* dst = dv + j * 3 * C;
      const float* src = tmp + j * D;
      for (int64_t d = 0; d < D; d++) dst[d] += src[d];
    }
    // dp = dout . v^T
    product(rows, L, D, MatrixView{dout + i0 * C, C, 1}, MatrixView{v, 1, 3 * C}, dp);
    // dscores = P ∘ (M ∘ dp − rowsum(dout ∘ out)) · scale (P before dropout, M the dropout multiplier).
    const float keep_scale = drop ? 1.0f / (1.0f - s.dropout_rate) : 1.0f;
    for (int64_t r = 0; r < rows; r++) {
      const int64_t i = i0 + r;
      const float* orow = out + i * C;
      const float* gorow = dout + i * C;
      double dot = 0;
      for (int64_t d = 0; d < D; d++) dot += static_cast<double>(orow[d]) * gorow[d];
      const float di = static_cast<float>(dot);
      const float* prow = drop ? raw_p + r * L : p + r * L;
      const float* pdrop = p + r * L;
      float* g = dp + r * L;
      for (int64_t j = 0; j < L; j++) {
        // M is 0 exactly where dropout zeroed a nonzero probability; where
        // the probability is 0 the term vanishes whatever M is.
        const float m = drop ? (pdrop[j] != 0.0f ? keep_scale : 0.0f) : 1.0f;
        g[j] = prow[j] * (m * g[j] - di) * s.scale;
      }
    }
    // dQ[i0:i1] = dscores . K[0:L]
    product(rows, D, L, MatrixView{dp, L, 1}, MatrixView{k, 3 * C, 1}, tmp);
    for (int64_t r = 0; r < rows; r++) std::copy(tmp + r * D, tmp + (r + 1) * D, dq + (i0 + r) * 3 * C);
    // dK[0:L] += dscores^T . Q[i0:i1]
    product(L, D, rows, MatrixView{dp, 1, L}, MatrixView{q + i0 * 3 * C, 3 * C, 1}, tmp);
    for (int64_t j = 0; j < L; j++) {
      float* dst = dk + j * 3 * C;
      const float* src = tmp + j * D;
      for (int64_t d = 0; d < D; d++) dst[d] += src[d];
    }
  }
}

}  // namespace

void attention_forward(const AttentionShape& s, const float* qkv, const float* mask, float* out, float* stats) {
  Ctx c{&s, qkv, mask, nullptr, out, stats, nullptr, nullptr};
  const int64_t blocks = (s.time + kRows - 1) / kRows;
  parallel_for(s.batch * s.heads * blocks, forward_task, &c);
}

void attention_backward(const AttentionShape& s, const float* qkv, const float* mask, const float* out, const float* stats,
                        const float* dout, float* dqkv) {
  Ctx c{&s, qkv, mask, out, nullptr, const_cast<float*>(stats), dout, dqkv};
  parallel_for(s.batch * s.heads, backward_task, &c);
}

}  // namespace tk
