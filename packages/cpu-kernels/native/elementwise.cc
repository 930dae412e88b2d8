#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "bias-gelu.h"
#include "thread-pool.h"

namespace tk {
namespace {

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
    parallel_range(c.inner, kElementGrain, binary_flat_task, &c);
  } else {
    parallel_range(rows, rows_grain(c.inner), binary_task, &c);
  }
}

void unary_op(UnaryOp op, const float* x, float* out, int64_t n) {
  UnaryCtx c{op, x, out};
  parallel_range(n, kElementGrain, unary_task, &c);
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

void gelu(const float* x, float* out, int64_t n, bool approximate) {
  GeluCtx c{nullptr, x, out, approximate};
  parallel_range(n, kElementGrain, gelu_task, &c);
}

void gelu_grad(const float* dy, const float* x, float* out, int64_t n, bool approximate) {
  GeluCtx c{dy, x, out, approximate};
  parallel_range(n, kElementGrain, gelu_grad_task, &c);
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
