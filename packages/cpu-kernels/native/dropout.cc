#include "dropout.h"

#include "dropout-hash.h"
#include "isa-clones.h"
#include "thread-pool.h"

// Compiled three times (baseline, AVX2, AVX-512; target attributes) and
// chosen at run time. The work is the hash: two 64-bit multiplies per
// element (the counter steps by an add), which AVX2 builds from 32-bit
// multiplies and AVX-512DQ has (vpmullq): 4-5x the baseline's speed at
// AVX-512, ~2.5x at AVX2. The kept test is dropout_threshold's integer
// compare, so no lane converts to float. (GCC's cost model leaves the
// baseline's mask-only loop scalar.) Integer arithmetic gives the same mask
// at every level; x·multiplier (+ residual) is one float operation each, FMA
// contraction off, so those bits do not change either.
#include "no-fp-contraction.h"

namespace tk {
namespace {

struct DropoutCtx {
  const float* x;         // null: write the mask itself
  const float* residual;  // nullable
  float* out;
  uint64_t base;
  uint32_t threshold;
  float scale;
};

// out[i] for i in [i0, i1): the multiplier, or x·multiplier (+ residual).
// The multiply happens where the multiplier is 0 too (x·0 is −0 or NaN for
// some x), as the Multiply by the mask tensor would.
template <bool kApply, bool kResidual>
TK_ALWAYS_INLINE void dropout_body(const DropoutCtx& c, int64_t i0, int64_t i1) {
  // Locals, not c's fields: a store to out could otherwise change c.scale.
  const float* x = c.x;
  const float* residual = c.residual;
  float* out = c.out;
  const uint64_t base = c.base;
  const uint32_t threshold = c.threshold;
  const float scale = c.scale;
  uint64_t counter = dropout_counter(base, static_cast<uint64_t>(i0));
  for (int64_t i = i0; i < i1; i++, counter += kDropoutStep) {
    const float multiplier = dropout_counter_bits(counter) >= threshold ? scale : 0.0f;
    if (!kApply) {
      out[i] = multiplier;
    } else {
      const float dropped = x[i] * multiplier;
      out[i] = kResidual ? residual[i] + dropped : dropped;
    }
  }
}

TK_ALWAYS_INLINE void dropout_range(int64_t i0, int64_t i1, void* raw) {
  const DropoutCtx& c = *static_cast<DropoutCtx*>(raw);
  if (!c.x) return dropout_body<false, false>(c, i0, i1);
  if (!c.residual) return dropout_body<true, false>(c, i0, i1);
  dropout_body<true, true>(c, i0, i1);
}

void dropout_generic(int64_t i0, int64_t i1, void* raw) { dropout_range(i0, i1, raw); }
#if TK_HAS_X86_TARGETS
TK_TARGET_AVX2 void dropout_avx2(int64_t i0, int64_t i1, void* raw) { dropout_range(i0, i1, raw); }
TK_TARGET_AVX512 void dropout_avx512(int64_t i0, int64_t i1, void* raw) { dropout_range(i0, i1, raw); }
#endif

void run(DropoutCtx c, int64_t n, float rate, uint64_t seed) {
  c.base = dropout_base(seed);
  c.threshold = dropout_threshold(rate);
  c.scale = 1.0f / (1.0f - rate);
  parallel_range(n, kElementGrain, TK_PICK_CLONE(active_isa(), dropout_generic, dropout_avx2, dropout_avx512), &c);
}

}  // namespace

void dropout_mask(float* out, int64_t n, float rate, uint64_t seed) { run({nullptr, nullptr, out, 0, 0, 0}, n, rate, seed); }

void dropout_apply(const float* x, const float* residual, float* out, int64_t n, float rate, uint64_t seed) {
  run({x, residual, out, 0, 0, 0}, n, rate, seed);
}

}  // namespace tk
