#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "bias-gelu.h"
#include "dropout-hash.h"
#include "thread-pool.h"

namespace tk {
namespace {

// Elements per task below which waking the pool costs more than it saves.
constexpr int64_t kGrain = 1 << 14;

// tanh(v) = 1 − 2/(e^{2v} + 1): expf is ~3× cheaper than tanhf; the absolute
// error stays ~2e-7 (e^{2v} overflowing to inf gives exactly 1).
inline float tanh_fast(float v) { return 1.0f - 2.0f / (std::exp(2.0f * v) + 1.0f); }

template <typename F>
inline void binary_row(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = *b;
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = *a;
    for (int64_t i = 0; i < n; i++) out[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i * sa], b[i * sb]);
  }
}

struct BinaryCtx {
  BinaryOp op;
  const float* a;
  const float* b;
  float* out;
  int rank;
  int64_t dims[kMaxRank];
  int64_t as[kMaxRank];
  int64_t bs[kMaxRank];
  int64_t inner;
};

template <typename F>
void binary_rows(const BinaryCtx& c, int64_t r0, int64_t r1, F f) {
  const int outer_rank = c.rank - 1;
  const int64_t n = c.inner;
  for (int64_t r = r0; r < r1; r++) {
    // Offsets of output row r in a and b.
    int64_t rem = r, ao = 0, bo = 0;
    for (int d = outer_rank - 1; d >= 0; d--) {
      const int64_t i = rem % c.dims[d];
      rem /= c.dims[d];
      ao += i * c.as[d];
      bo += i * c.bs[d];
    }
    binary_row(c.a + ao, c.as[outer_rank], c.b + bo, c.bs[outer_rank], c.out + r * n, n, f);
  }
}

void binary_task(int64_t r0, int64_t r1, void* raw) {
  const BinaryCtx& c = *static_cast<BinaryCtx*>(raw);
  switch (c.op) {
    case BinaryOp::kAdd: return binary_rows(c, r0, r1, [](float x, float y) { return x + y; });
    case BinaryOp::kSub: return binary_rows(c, r0, r1, [](float x, float y) { return x - y; });
    case BinaryOp::kMul: return binary_rows(c, r0, r1, [](float x, float y) { return x * y; });
    case BinaryOp::kDiv: return binary_rows(c, r0, r1, [](float x, float y) { return x / y; });
  }
}

// Rank-1 case split by elements rather than rows.
void binary_flat_task(int64_t i0, int64_t i1, void* raw) {
  BinaryCtx c = *static_cast<BinaryCtx*>(raw);
  c.a += c.as[0] * i0;
  c.b += c.bs[0] * i0;
  c.out += i0;
  c.inner = i1 - i0;
  binary_task(0, 1, &c);
}

struct UnaryCtx {
  UnaryOp op;
  const float* x;
  float* out;
};

template <typename F>
inline void unary_loop(const float* x, float* out, int64_t n, F f) {
  for (int64_t i = 0; i < n; i++) out[i] = f(x[i]);
}

void unary_task(int64_t i0, int64_t i1, void* raw) {
  const UnaryCtx& c = *static_cast<UnaryCtx*>(raw);
  const float* x = c.x + i0;
  float* out = c.out + i0;
  const int64_t n = i1 - i0;
  switch (c.op) {
    case UnaryOp::kExp: return unary_loop(x, out, n, [](float v) { return std::exp(v); });
    case UnaryOp::kTanh: return unary_loop(x, out, n, [](float v) { return tanh_fast(v); });
    case UnaryOp::kRsqrt: return unary_loop(x, out, n, [](float v) { return 1.0f / std::sqrt(v); });
    case UnaryOp::kSquare: return unary_loop(x, out, n, [](float v) { return v * v; });
    case UnaryOp::kNeg: return unary_loop(x, out, n, [](float v) { return -v; });
    case UnaryOp::kSqrt: return unary_loop(x, out, n, [](float v) { return std::sqrt(v); });
    case UnaryOp::kLog: return unary_loop(x, out, n, [](float v) { return std::log(v); });
    case UnaryOp::kReciprocal: return unary_loop(x, out, n, [](float v) { return 1.0f / v; });
    case UnaryOp::kFloor: return unary_loop(x, out, n, [](float v) { return std::floor(v); });
  }
}

struct ReduceCtx {
  ReduceOp op;
  const float* x;
  float* out;
  int64_t reduce, inner;
};

// inner == 1: one contiguous row per output.
void reduce_rows_task(int64_t o0, int64_t o1, void* raw) {
  const ReduceCtx& c = *static_cast<ReduceCtx*>(raw);
  for (int64_t o = o0; o < o1; o++) {
    const float* row = c.x + o * c.reduce;
    if (c.op == ReduceOp::kMax) {
      float m = c.reduce ? row[0] : -INFINITY;
      for (int64_t r = 1; r < c.reduce; r++) m = std::max(m, row[r]);
      c.out[o] = m;
    } else {
      // Four double accumulators: exact enough, and not one long dependency chain.
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int64_t r = 0;
      for (; r + 4 <= c.reduce; r += 4) {
        s0 += row[r];
        s1 += row[r + 1];
        s2 += row[r + 2];
        s3 += row[r + 3];
      }
      for (; r < c.reduce; r++) s0 += row[r];
      const double s = (s0 + s1) + (s2 + s3);
      c.out[o] = static_cast<float>(c.op == ReduceOp::kMean ? s / static_cast<double>(c.reduce) : s);
    }
  }
}

// inner > 1: tasks are (outer, column block) pairs; columns accumulate in double.
constexpr int64_t kColumnBlock = 512;

void reduce_columns_task(int64_t t0, int64_t t1, void* raw) {
  const ReduceCtx& c = *static_cast<ReduceCtx*>(raw);
  const int64_t blocks = (c.inner + kColumnBlock - 1) / kColumnBlock;
  double acc[kColumnBlock];
  float best[kColumnBlock];
  for (int64_t t = t0; t < t1; t++) {
    const int64_t o = t / blocks;
    const int64_t j0 = (t % blocks) * kColumnBlock;
    const int64_t width = std::min(kColumnBlock, c.inner - j0);
    const float* base = c.x + o * c.reduce * c.inner + j0;
    float* dst = c.out + o * c.inner + j0;
    if (c.op == ReduceOp::kMax) {
      for (int64_t j = 0; j < width; j++) best[j] = c.reduce ? base[j] : -INFINITY;
      for (int64_t r = 1; r < c.reduce; r++) {
        const float* src = base + r * c.inner;
        for (int64_t j = 0; j < width; j++) best[j] = std::max(best[j], src[j]);
      }
      std::memcpy(dst, best, width * sizeof(float));
    } else {
      for (int64_t j = 0; j < width; j++) acc[j] = 0;
      for (int64_t r = 0; r < c.reduce; r++) {
        const float* src = base + r * c.inner;
        for (int64_t j = 0; j < width; j++) acc[j] += src[j];
      }
      const double scale = c.op == ReduceOp::kMean ? 1.0 / static_cast<double>(c.reduce) : 1.0;
      for (int64_t j = 0; j < width; j++) dst[j] = static_cast<float>(acc[j] * scale);
    }
  }
}

struct SoftmaxCtx {
  const float* x;
  float* out;
  int64_t cols;
};

void softmax_task(int64_t r0, int64_t r1, void* raw) {
  const SoftmaxCtx& c = *static_cast<SoftmaxCtx*>(raw);
  for (int64_t r = r0; r < r1; r++) {
    const float* row = c.x + r * c.cols;
    float* dst = c.out + r * c.cols;
    float m = -INFINITY;
    for (int64_t j = 0; j < c.cols; j++) m = std::max(m, row[j]);
    double sum = 0;
    for (int64_t j = 0; j < c.cols; j++) {
      const float e = std::exp(row[j] - m);
      dst[j] = e;
      sum += e;
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t j = 0; j < c.cols; j++) dst[j] *= inv;
  }
}

struct TransposeCtx {
  const float* x;
  float* out;
  int rank;
  int64_t out_dims[kMaxRank];
  int64_t in_strides[kMaxRank];  // input stride of each output dim
};

void transpose_task(int64_t r0, int64_t r1, void* raw) {
  const TransposeCtx& c = *static_cast<TransposeCtx*>(raw);
  const int last = c.rank - 1;
  const int64_t n = c.out_dims[last];
  const int64_t s = c.in_strides[last];
  for (int64_t r = r0; r < r1; r++) {
    int64_t rem = r, offset = 0;
    for (int d = last - 1; d >= 0; d--) {
      offset += (rem % c.out_dims[d]) * c.in_strides[d];
      rem /= c.out_dims[d];
    }
    const float* src = c.x + offset;
    float* dst = c.out + r * n;
    if (s == 1) {
      std::memcpy(dst, src, n * sizeof(float));
    } else {
      for (int64_t j = 0; j < n; j++) dst[j] = src[j * s];
    }
  }
}

struct SliceCtx {
  const float* x;
  float* out;
  int rank;
  int64_t size[kMaxRank];
  int64_t strides[kMaxRank];
  int64_t base;
};

void slice_task(int64_t r0, int64_t r1, void* raw) {
  const SliceCtx& c = *static_cast<SliceCtx*>(raw);
  const int last = c.rank - 1;
  const int64_t n = c.size[last];
  for (int64_t r = r0; r < r1; r++) {
    int64_t rem = r, offset = c.base;
    for (int d = last - 1; d >= 0; d--) {
      offset += (rem % c.size[d]) * c.strides[d];
      rem /= c.size[d];
    }
    std::memcpy(c.out + r * n, c.x + offset, n * sizeof(float));
  }
}

struct AdamWCtx {
  AdamWParams h;
  const float *p, *g, *m, *v;
  float *p_out, *m_out, *v_out;
};

// One element's update, op by op as tfjs computes it (no FMA contraction in
// ISO C++ mode): the in-place and the separate-output loops share it.
struct AdamWElement {
  float p, m, v;
};

inline AdamWElement adamw_element(const AdamWParams& h, float p, float gradient, float m_in, float v_in) {
  const float g = h.scales_gradient ? gradient * h.gradient_scale : gradient;
  const float m1 = m_in * h.beta1;
  const float m2 = g * h.one_minus_beta1;
  const float m = m1 + m2;
  const float v1 = v_in * h.beta2;
  const float g2 = g * g;
  const float v2 = g2 * h.one_minus_beta2;
  const float v = v1 + v2;
  const float decayed = h.decays ? p * h.decay : p;
  const float root = std::sqrt(v);
  const float scaled = root / h.correction2;
  const float denominator = scaled + h.eps;
  const float ratio = m / denominator;
  const float update = ratio * h.step_size;
  return {decayed - update, m, v};
}

// The update written over p, m and v. Separate restrict-qualified arrays let
// the loop vectorise; through the general loop's possibly-aliasing output
// pointers the compiler's overlap check sends an in-place call to its scalar
// version (~1.5x slower on a 4M-element variable).
void adamw_in_place(const AdamWParams& h, float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const AdamWElement e = adamw_element(h, p[i], g[i], m[i], v[i]);
    p[i] = e.p;
    m[i] = e.m;
    v[i] = e.v;
  }
}

void adamw_task(int64_t i0, int64_t i1, void* raw) {
  const AdamWCtx& c = *static_cast<AdamWCtx*>(raw);
  const AdamWParams& h = c.h;
  if (c.p_out == c.p && c.m_out == c.m && c.v_out == c.v) {
    adamw_in_place(h, c.p_out + i0, c.g + i0, c.m_out + i0, c.v_out + i0, i1 - i0);
    return;
  }
  for (int64_t i = i0; i < i1; i++) {
    const AdamWElement e = adamw_element(h, c.p[i], c.g[i], c.m[i], c.v[i]);
    c.p_out[i] = e.p;
    c.m_out[i] = e.m;
    c.v_out[i] = e.v;
  }
}

struct GeluCtx {
  const float* dy;
  const float* x;
  float* out;
  bool approximate;
};

constexpr float kSqrtHalf = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

void gelu_task(int64_t i0, int64_t i1, void* raw) {
  const GeluCtx& c = *static_cast<GeluCtx*>(raw);
  // The tanh form shares bias-gelu.cc's code, so that the MLP gives the same bits fused or op by op.
  if (c.approximate) return gelu_tanh_range(c.x + i0, c.out + i0, i1 - i0);
  for (int64_t i = i0; i < i1; i++) {
    const float x = c.x[i];
    c.out[i] = 0.5f * x * (1.0f + std::erf(x * kSqrtHalf));
  }
}

void gelu_grad_task(int64_t i0, int64_t i1, void* raw) {
  const GeluCtx& c = *static_cast<GeluCtx*>(raw);
  if (c.approximate) return gelu_tanh_grad_range(c.dy + i0, c.x + i0, c.out + i0, i1 - i0);
  for (int64_t i = i0; i < i1; i++) {
    const float x = c.x[i];
    const float d = 0.5f * (1.0f + std::erf(x * kSqrtHalf)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
    c.out[i] = c.dy[i] * d;
  }
}

struct DropoutCtx {
  float* out;
  float rate;
  float scale;
  uint64_t seed;
};

void dropout_task(int64_t i0, int64_t i1, void* raw) {
  const DropoutCtx& c = *static_cast<DropoutCtx*>(raw);
  const uint64_t base = dropout_base(c.seed);
  for (int64_t i = i0; i < i1; i++) {
    c.out[i] = dropout_multiplier(base, static_cast<uint64_t>(i), c.rate, c.scale);
  }
}

struct DropoutApplyCtx {
  const float* x;
  const float* residual;
  float* out;
  float rate;
  float scale;
  uint64_t seed;
};

void dropout_apply_task(int64_t i0, int64_t i1, void* raw) {
  const DropoutApplyCtx& c = *static_cast<DropoutApplyCtx*>(raw);
  const uint64_t base = dropout_base(c.seed);
  for (int64_t i = i0; i < i1; i++) {
    // Multiplies by the mask's value even where it is 0 (x·0 is −0 or NaN
    // for some x), as the Multiply by the mask tensor would.
    const float dropped = c.x[i] * dropout_multiplier(base, static_cast<uint64_t>(i), c.rate, c.scale);
    c.out[i] = c.residual ? c.residual[i] + dropped : dropped;
  }
}

int64_t rows_grain(int64_t inner) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(1, inner)); }

}  // namespace

void binary_op(BinaryOp op, const float* a, const float* b, float* out, int rank, const int64_t* dims,
               const int64_t* a_strides, const int64_t* b_strides) {
  BinaryCtx c{op, a, b, out, rank, {}, {}, {}, 0};
  int64_t rows = 1;
  for (int d = 0; d < rank; d++) {
    c.dims[d] = dims[d];
    c.as[d] = a_strides[d];
    c.bs[d] = b_strides[d];
    if (d < rank - 1) rows *= dims[d];
  }
  c.inner = rank ? dims[rank - 1] : 1;
  if (rank == 0) {
    c.rank = 1;
    c.dims[0] = 1;
    c.as[0] = c.bs[0] = 0;
  }
  if (c.rank == 1) {
    parallel_range(c.inner, kGrain, binary_flat_task, &c);
  } else {
    parallel_range(rows, rows_grain(c.inner), binary_task, &c);
  }
}

void unary_op(UnaryOp op, const float* x, float* out, int64_t n) {
  UnaryCtx c{op, x, out};
  parallel_range(n, kGrain, unary_task, &c);
}

void reduce_op(ReduceOp op, const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner) {
  ReduceCtx c{op, x, out, reduce, inner};
  if (inner == 1) {
    parallel_range(outer, rows_grain(reduce), reduce_rows_task, &c);
  } else {
    const int64_t blocks = (inner + kColumnBlock - 1) / kColumnBlock;
    parallel_range(outer * blocks, rows_grain(reduce * std::min(inner, kColumnBlock)), reduce_columns_task, &c);
  }
}

void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols) {
  SoftmaxCtx c{x, out, cols};
  parallel_range(rows, rows_grain(cols), softmax_task, &c);
}

void transpose(const float* x, float* out, int rank, const int64_t* dims, const int32_t* perm) {
  TransposeCtx c{x, out, rank, {}, {}};
  int64_t strides[kMaxRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= dims[d];
  }
  int64_t rows = 1;
  for (int d = 0; d < rank; d++) {
    c.out_dims[d] = dims[perm[d]];
    c.in_strides[d] = strides[perm[d]];
    if (d < rank - 1) rows *= c.out_dims[d];
  }
  parallel_range(rows, rows_grain(c.out_dims[rank - 1]), transpose_task, &c);
}

void adamw_step(const AdamWParams& h, const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                float* v_out, int64_t n) {
  AdamWCtx c{h, p, g, m, v, p_out, m_out, v_out};
  parallel_range(n, kGrain, adamw_task, &c);
}

void gelu(const float* x, float* out, int64_t n, bool approximate) {
  GeluCtx c{nullptr, x, out, approximate};
  parallel_range(n, kGrain, gelu_task, &c);
}

void gelu_grad(const float* dy, const float* x, float* out, int64_t n, bool approximate) {
  GeluCtx c{dy, x, out, approximate};
  parallel_range(n, kGrain, gelu_grad_task, &c);
}

void dropout_mask(float* out, int64_t n, float rate, uint64_t seed) {
  const float keep = 1.0f - rate;
  DropoutCtx c{out, rate, 1.0f / keep, seed};
  parallel_range(n, kGrain, dropout_task, &c);
}

void dropout_apply(const float* x, const float* residual, float* out, int64_t n, float rate, uint64_t seed) {
  const float keep = 1.0f - rate;
  DropoutApplyCtx c{x, residual, out, rate, 1.0f / keep, seed};
  parallel_range(n, kGrain, dropout_apply_task, &c);
}

void slice_box(const float* x, float* out, int rank, const int64_t* dims, const int64_t* begin, const int64_t* size) {
  SliceCtx c{x, out, rank, {}, {}, 0};
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; d--) {
    c.strides[d] = stride;
    c.size[d] = size[d];
    c.base += begin[d] * stride;
    stride *= dims[d];
  }
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= size[d];
  parallel_range(rows, rows_grain(size[rank - 1]), slice_task, &c);
}

}  // namespace tk
