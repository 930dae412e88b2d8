#include "attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "dropout-hash.h"
#include "gemm.h"
#include "isa-clones.h"
#include "thread-pool.h"

// The per-element work (softmax, dropout, dscores, the dV/dK sums) is compiled
// as baseline, AVX2 and AVX-512 clones (chosen at run time by active_isa(),
// like softmax-cross-entropy.cc), exp by exp_poly and no FMA contraction, so
// every level gives the same bits; the row sums run in lane-sum.h's 16
// fixed lanes. The backward relies on it: it regenerates the forward's
// probabilities from the saved row max and 1/sum with the same expression, so
// they must round the same way. (The products go through the GEMM, whose
// portable kernel does not fuse multiply-add: across levels its results, and
// so ours, agree only where every product is exact.)
//
// GCC also gets no-trapping-math here: with trapping math it keeps a
// conditional multiply (dropout's select) and exp_poly's clamps as branches
// unless AVX-512 masking can hide them, and the AVX2 and baseline loops stay
// scalar. It changes no result (only what may be assumed about FP exception
// flags, which nothing here reads); clang assumes that by default.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off", "no-trapping-math")
#endif

#include "exp-poly.h"  // after the pragma: exp_poly is compiled without contraction too
#include "lane-sum.h"

namespace tk {
namespace {

// Query rows per block: the scores block is kRows x T floats (256 KiB at
// T = 1024), and 64 rows fill whole register tiles of the GEMM.
constexpr int64_t kRows = 64;
constexpr int kLanes = 16;

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

// e^d for d = score − row max ≤ 0. exp_poly clamps at −87, which would give
// masked keys (−1e9) a probability of e^−87 ≈ 1.6e-38 instead of 0, and
// denormal products downstream (slow on x86); below −87 it is 0 here (std::exp
// went through denormals to 0 at −103): under 1e-38 per key, against a row sum ≥ 1.
TK_ALWAYS_INLINE float exp_shifted(float d) { return d < -87.0f ? 0.0f : exp_poly(d); }

// Softmax of one row's n products, in place: scaled and masked, the max, e^(x − max)
// summed in double, times 1/sum. Writes (max, 1/sum) to stats.
TK_ALWAYS_INLINE void softmax_row(float* row, const float* mrow, int64_t n, float scale, float* stats) {
  for (int64_t j = 0; j < n; j++) row[j] = row[j] * scale + mrow[j];
  float lane_max[kLanes];
  for (int l = 0; l < kLanes; l++) lane_max[l] = -std::numeric_limits<float>::infinity();
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    TK_LANE_LOOP
    for (int l = 0; l < kLanes; l++) lane_max[l] = row[j + l] > lane_max[l] ? row[j + l] : lane_max[l];
  }
  float mx = -std::numeric_limits<float>::infinity();
  for (int l = 0; l < kLanes; l++) mx = lane_max[l] > mx ? lane_max[l] : mx;
  for (; j < n; j++) mx = row[j] > mx ? row[j] : mx;
  for (j = 0; j < n; j++) row[j] = exp_shifted(row[j] - mx);
  const double sum = lane_sum(n, [row](int64_t i) { return static_cast<double>(row[i]); });
  const float inv = static_cast<float>(1.0 / sum);
  for (j = 0; j < n; j++) row[j] *= inv;
  stats[0] = mx;
  stats[1] = inv;
}

// The backward's recomputation: the forward's expression step by step, so the same bits.
TK_ALWAYS_INLINE void recompute_row(float* row, const float* mrow, int64_t n, float scale, const float* stats) {
  const float mx = stats[0];
  const float inv = stats[1];
  for (int64_t j = 0; j < n; j++) row[j] = exp_shifted((row[j] * scale + mrow[j]) - mx) * inv;
}

// Inverted dropout of one row whose first element is `first` in the [B, H, T, T] mask.
TK_ALWAYS_INLINE void dropout_row(float* row, int64_t n, uint64_t base, uint64_t first, uint32_t threshold, float keep_scale) {
  for (int64_t j = 0; j < n; j++) row[j] = dropout_bits(base, first + static_cast<uint64_t>(j)) >= threshold ? row[j] * keep_scale : 0.0f;
}

// dst[r, 0:cols] += src[r, 0:cols] for rows of dst `stride` apart.
TK_ALWAYS_INLINE void add_rows(float* dst, int64_t stride, const float* src, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    float* d = dst + r * stride;
    const float* x = src + r * cols;
    for (int64_t c = 0; c < cols; c++) d[c] += x[c];
  }
}

// Scores of rows [i0, i1) against keys [0, L) into p (rows x L), turned into
// probabilities (after dropout when training) in place. With `stats_in`,
// uses the forward's row max and 1/sum (backward: the same bits); otherwise
// computes them into stats_out. `keep_raw`, if given, receives the
// probabilities before dropout.
TK_ALWAYS_INLINE void probabilities(const Ctx& c, int64_t b, int64_t h, int64_t i0, int64_t i1, int64_t L, float* p, const float* stats_in,
                                    float* stats_out, float* keep_raw) {
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
  const uint32_t threshold = dropout_threshold(s.dropout_rate);
  for (int64_t r = 0; r < rows; r++) {
    const int64_t i = i0 + r;
    float* row = p + r * L;
    const float* mrow = mask + i * T;
    // Keys this row computes: up to its own position when skipping, else all L.
    const int64_t n = s.skip_future ? i + 1 : L;
    if (stats_in) {
      recompute_row(row, mrow, n, s.scale, stats_in + 2 * i);
    } else {
      softmax_row(row, mrow, n, s.scale, stats_out + 2 * i);
    }
    std::fill(row + n, row + L, 0.0f);
    if (keep_raw) std::copy(row, row + L, keep_raw + r * L);
    // Index into the [B, H, T, T] mask the op path would draw.
    if (drop) dropout_row(row, n, base, static_cast<uint64_t>(((b * s.heads + h) * T + i) * T), threshold, keep_scale);
  }
}

struct Scratch {
  std::vector<float> a, b, c;
};

thread_local Scratch tl_scratch;

// One block of query rows of one (batch, head): probabilities, then p . V.
TK_ALWAYS_INLINE void forward_block(const Ctx& c, int64_t task) {
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

// dscores = P ∘ (M ∘ dp − rowsum(dout ∘ out)) · scale over one row, in place of
// dp (P before dropout, M the dropout multiplier).
TK_ALWAYS_INLINE void dscores_row(float* g, const float* p, const float* pdrop, int64_t n, float di, float keep_scale, float scale) {
  if (pdrop) {
    // M is 0 exactly where dropout zeroed a nonzero probability; where the
    // probability is 0 the term vanishes whatever M is.
    for (int64_t j = 0; j < n; j++) g[j] = p[j] * ((pdrop[j] != 0.0f ? keep_scale : 0.0f) * g[j] - di) * scale;
  } else {
    for (int64_t j = 0; j < n; j++) g[j] = p[j] * (g[j] - di) * scale;
  }
}

// All query blocks of one (batch, head), accumulating its dK and dV.
TK_ALWAYS_INLINE void backward_head(const Ctx& c, int64_t bh) {
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
    add_rows(dv, 3 * C, tmp, L, D);
    // dp = dout . v^T
    product(rows, L, D, MatrixView{dout + i0 * C, C, 1}, MatrixView{v, 1, 3 * C}, dp);
    const float keep_scale = drop ? 1.0f / (1.0f - s.dropout_rate) : 1.0f;
    for (int64_t r = 0; r < rows; r++) {
      const int64_t i = i0 + r;
      const float* orow = out + i * C;
      const float* gorow = dout + i * C;
      // rowsum(dout ∘ out), each product exact in double, in lanes rather than one chain of dependent adds.
      const double di = lane_sum(D, [orow, gorow](int64_t d) { return static_cast<double>(orow[d]) * static_cast<double>(gorow[d]); });
      dscores_row(dp + r * L, drop ? raw_p + r * L : p + r * L, drop ? p + r * L : nullptr, L, static_cast<float>(di), keep_scale, s.scale);
    }
    // dQ[i0:i1] = dscores . K[0:L]
    product(rows, D, L, MatrixView{dp, L, 1}, MatrixView{k, 3 * C, 1}, tmp);
    for (int64_t r = 0; r < rows; r++) std::copy(tmp + r * D, tmp + (r + 1) * D, dq + (i0 + r) * 3 * C);
    // dK[0:L] += dscores^T . Q[i0:i1]
    product(L, D, rows, MatrixView{dp, 1, L}, MatrixView{q + i0 * 3 * C, 3 * C, 1}, tmp);
    add_rows(dk, 3 * C, tmp, L, D);
  }
}

void forward_generic(int64_t task, int, void* raw) { forward_block(*static_cast<Ctx*>(raw), task); }
void backward_generic(int64_t bh, int, void* raw) { backward_head(*static_cast<Ctx*>(raw), bh); }

#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void forward_avx2(int64_t task, int, void* raw) { forward_block(*static_cast<Ctx*>(raw), task); }
TK_TARGET_AVX2 void backward_avx2(int64_t bh, int, void* raw) { backward_head(*static_cast<Ctx*>(raw), bh); }
TK_TARGET_AVX512 void forward_avx512(int64_t task, int, void* raw) { forward_block(*static_cast<Ctx*>(raw), task); }
TK_TARGET_AVX512 void backward_avx512(int64_t bh, int, void* raw) { backward_head(*static_cast<Ctx*>(raw), bh); }
#endif

}  // namespace

void attention_forward(const AttentionShape& s, const float* qkv, const float* mask, float* out, float* stats) {
  Ctx c{&s, qkv, mask, nullptr, out, stats, nullptr, nullptr};
  const int64_t blocks = (s.time + kRows - 1) / kRows;
  parallel_for(s.batch * s.heads * blocks, TK_PICK_CLONE(active_isa(), forward_generic, forward_avx2, forward_avx512), &c);
}

void attention_backward(const AttentionShape& s, const float* qkv, const float* mask, const float* out, const float* stats,
                        const float* dout, float* dqkv) {
  Ctx c{&s, qkv, mask, out, nullptr, const_cast<float*>(stats), dout, dqkv};
  parallel_for(s.batch * s.heads, TK_PICK_CLONE(active_isa(), backward_generic, backward_avx2, backward_avx512), &c);
}

}  // namespace tk
