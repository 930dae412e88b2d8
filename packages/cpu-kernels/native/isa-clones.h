// One kernel source compiled three times: baseline, AVX2 and AVX-512
// (function target attributes), the clone picked at run time by
// active_isa(). Used by the kernels that promise the same bits at every
// level (bias-gelu.cc, softmax-cross-entropy.cc, attention.cc).
#pragma once

#include "cpu-features.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TK_HAS_X86_TARGETS 1
#define TK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define TK_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
// The clone for `isa`; the AVX names exist only where TK_HAS_X86_TARGETS.
#define TK_PICK_CLONE(isa, generic, avx2, avx512) \
  ((isa) == ::tk::Isa::Avx512 ? (avx512) : (isa) == ::tk::Isa::Avx2 ? (avx2) : (generic))
#else
#define TK_HAS_X86_TARGETS 0
#define TK_PICK_CLONE(isa, generic, avx2, avx512) ((void)(isa), (generic))
#endif

// Row functions must be inlined into each clone: a shared out-of-line copy
// would be compiled for the baseline only.
#if defined(__GNUC__) || defined(__clang__)
#define TK_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TK_ALWAYS_INLINE inline
#endif

// On a fixed-lane reduction loop (`for (l = 0; l < 16; l++) lane[l] op= x[i + l]`):
// keeps it a loop. Fully unrolled first, GCC turns the lane arrays into 16
// scalars and never vectorises them.
#if defined(__clang__)
#define TK_LANE_LOOP _Pragma("clang loop unroll(disable) vectorize(enable)")
#elif defined(__GNUC__)
#define TK_LANE_LOOP _Pragma("GCC unroll 1")
#else
#define TK_LANE_LOOP
#endif
