#include "bias-gelu.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "column-sums.h"
#include "isa-clones.h"
#include "thread-pool.h"

// The tanh form is written as straight-line float arithmetic (exp by range
// reduction and a polynomial, no libm call) so that the compiler vectorises
// the same source three times: baseline SSE2, AVX2 and AVX-512 (function
// target attributes; chosen at run time by active_isa()). FMA contraction is
// switched off for this file (GCC contracts a·b + c in C++ by default once
// FMA is available), so all three give the same bits. The erf form (not
// GPT-2's) calls std::erf and stays scalar.
#include "no-fp-contraction.h"

#include "exp-poly.h"  // after the pragma: exp_poly is compiled without contraction too

namespace tk {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluCubic = 0.044715f;
constexpr float kSqrtHalf = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

inline float tanh_poly(float v) { return 1.0f - 2.0f / (exp_poly(2.0f * v) + 1.0f); }

// One row of the forward; inlined into each ISA's clone below. Without a bias
// (kBias false) it is TunekitGelu's element kernel: the fused MLP path and the
// op-by-op path (taken under a LoRA hook) then give the same bits, so a zero-B
// adapter leaves the logits exactly unchanged.
template <bool kBias = true>
inline void forward_row_tanh(const float* h, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float z = kBias ? h[i] + b[i] : h[i];
    const float t = tanh_poly(kSqrt2OverPi * (z + kGeluCubic * z * z * z));
    y[i] = 0.5f * z * (1.0f + t);
  }
}

// One row of the backward: dh, and dh added to the chunk's double column sums.
template <bool kBias = true>
inline void backward_row_tanh(const float* dy, const float* h, const float* b, float* dh, double* db, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float z = kBias ? h[i] + b[i] : h[i];
    const float t = tanh_poly(kSqrt2OverPi * (z + kGeluCubic * z * z * z));
    const float d = 0.5f * (1.0f + t) + 0.5f * z * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * z * z);
    const float g = dy[i] * d;
    dh[i] = g;
    if (kBias) db[i] += static_cast<double>(g);
  }
}

using ForwardRowFn = void (*)(const float*, const float*, float*, int64_t);
using BackwardRowFn = void (*)(const float*, const float*, const float*, float*, double*, int64_t);

void forward_row_generic(const float* h, const float* b, float* y, int64_t n) { forward_row_tanh(h, b, y, n); }
void backward_row_generic(const float* dy, const float* h, const float* b, float* dh, double* db, int64_t n) {
  backward_row_tanh(dy, h, b, dh, db, n);
}

void gelu_row_generic(const float* x, float* y, int64_t n) { forward_row_tanh<false>(x, nullptr, y, n); }
void gelu_grad_row_generic(const float* dy, const float* x, float* dx, int64_t n) {
  backward_row_tanh<false>(dy, x, nullptr, dx, nullptr, n);
}

#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void gelu_row_avx2(const float* x, float* y, int64_t n) { forward_row_tanh<false>(x, nullptr, y, n); }
TK_TARGET_AVX2 void gelu_grad_row_avx2(const float* dy, const float* x, float* dx, int64_t n) {
  backward_row_tanh<false>(dy, x, nullptr, dx, nullptr, n);
}
TK_TARGET_AVX512 void gelu_row_avx512(const float* x, float* y, int64_t n) { forward_row_tanh<false>(x, nullptr, y, n); }
TK_TARGET_AVX512 void gelu_grad_row_avx512(const float* dy, const float* x, float* dx, int64_t n) {
  backward_row_tanh<false>(dy, x, nullptr, dx, nullptr, n);
}
#endif

#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void forward_row_avx2(const float* h, const float* b, float* y, int64_t n) { forward_row_tanh(h, b, y, n); }
TK_TARGET_AVX2 void backward_row_avx2(const float* dy, const float* h, const float* b, float* dh, double* db, int64_t n) {
  backward_row_tanh(dy, h, b, dh, db, n);
}
TK_TARGET_AVX512 void forward_row_avx512(const float* h, const float* b, float* y, int64_t n) { forward_row_tanh(h, b, y, n); }
TK_TARGET_AVX512 void backward_row_avx512(const float* dy, const float* h, const float* b, float* dh, double* db, int64_t n) {
  backward_row_tanh(dy, h, b, dh, db, n);
}
#endif


void forward_row_erf(const float* h, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float z = h[i] + b[i];
    y[i] = 0.5f * z * (1.0f + std::erf(z * kSqrtHalf));
  }
}

void backward_row_erf(const float* dy, const float* h, const float* b, float* dh, double* db, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float z = h[i] + b[i];
    const float d = 0.5f * (1.0f + std::erf(z * kSqrtHalf)) + z * kInvSqrt2Pi * std::exp(-0.5f * z * z);
    const float g = dy[i] * d;
    dh[i] = g;
    db[i] += static_cast<double>(g);
  }
}

struct ForwardCtx {
  const float* h;
  const float* bias;
  float* y;
  int64_t cols;
  ForwardRowFn row;
};

void forward_rows(int64_t r0, int64_t r1, void* raw) {
  const ForwardCtx& c = *static_cast<ForwardCtx*>(raw);
  for (int64_t r = r0; r < r1; r++) c.row(c.h + r * c.cols, c.bias, c.y + r * c.cols, c.cols);
}

struct BackwardCtx {
  const float* dy;
  const float* h;
  const float* bias;
  float* dh;
  double* db_part;  // [chunks, cols]
  int64_t rows, cols;
  BackwardRowFn row;
};

void backward_chunk(int64_t chunk, int, void* raw) {
  const BackwardCtx& c = *static_cast<BackwardCtx*>(raw);
  const int64_t r0 = chunk * kSumRowsPerChunk;
  const int64_t r1 = std::min(c.rows, r0 + kSumRowsPerChunk);
  double* db = c.db_part + chunk * c.cols;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t o = r * c.cols;
    c.row(c.dy + o, c.h + o, c.bias, c.dh + o, db, c.cols);
  }
}

}  // namespace

void gelu_tanh_range(const float* x, float* y, int64_t n) {
#if TK_HAS_X86_TARGETS
  if (active_isa() == Isa::Avx512) return gelu_row_avx512(x, y, n);
  if (active_isa() == Isa::Avx2) return gelu_row_avx2(x, y, n);
#endif
  gelu_row_generic(x, y, n);
}

void gelu_tanh_grad_range(const float* dy, const float* x, float* dx, int64_t n) {
#if TK_HAS_X86_TARGETS
  if (active_isa() == Isa::Avx512) return gelu_grad_row_avx512(dy, x, dx, n);
  if (active_isa() == Isa::Avx2) return gelu_grad_row_avx2(dy, x, dx, n);
#endif
  gelu_grad_row_generic(dy, x, dx, n);
}

void bias_gelu_forward(const float* h, const float* bias, float* y, int64_t rows, int64_t cols, bool approximate) {
  ForwardCtx c{h, bias, y, cols, approximate ? TK_PICK_CLONE(active_isa(), forward_row_generic, forward_row_avx2, forward_row_avx512) : forward_row_erf};
  parallel_range(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, cols)), forward_rows, &c);
}

void bias_gelu_backward(const float* dy, const float* h, const float* bias, float* dh, float* dbias, int64_t rows, int64_t cols,
                        bool approximate) {
  const int64_t chunks = row_chunks(rows);
  std::vector<double> part = chunk_partials(chunks, cols);
  BackwardCtx c{dy, h, bias, dh, part.data(), rows, cols, approximate ? TK_PICK_CLONE(active_isa(), backward_row_generic, backward_row_avx2, backward_row_avx512) : backward_row_erf};
  parallel_for(chunks, backward_chunk, &c);
  sum_chunk_partials(part.data(), chunks, cols, dbias);
}

}  // namespace tk
