#include "cpu-features.h"

#include <cstdlib>
#include <cstring>

namespace tk {
namespace {

Isa detect_once() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  // libgcc/compiler-rt also check XGETBV, so these are false when the OS
  // does not save the AVX/AVX-512 register state.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("fma")) {
    return Isa::Avx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#elif defined(__aarch64__) || defined(_M_ARM64)
  return Isa::Neon;
#endif
  return Isa::Scalar;
}

// The level actually usable when `wanted` is asked for on this CPU.
Isa clamp_isa(Isa wanted) {
  const Isa best = detect_isa();
  if (wanted == Isa::Scalar || wanted == best) return wanted;
  if (wanted == Isa::Neon || best == Isa::Neon) return best;  // the other architecture's level
  return wanted > best ? best : wanted;
}

Isa initial_isa() {
  Isa isa = detect_isa();
  // TUNEKIT_NATIVE_ISA=avx2|scalar lowers the level (for tests and comparisons).
  if (const char* env = std::getenv("TUNEKIT_NATIVE_ISA")) {
    Isa wanted;
    if (parse_isa(env, &wanted)) isa = clamp_isa(wanted);
  }
  return isa;
}

Isa g_active = initial_isa();

}  // namespace

Isa detect_isa() {
  static const Isa isa = detect_once();
  return isa;
}

Isa active_isa() { return g_active; }

Isa set_isa(Isa isa) {
  g_active = clamp_isa(isa);
  return g_active;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    case Isa::Neon: return "neon";
    default: return "scalar";
  }
}

bool parse_isa(const char* name, Isa* out) {
  if (std::strcmp(name, "avx512") == 0) *out = Isa::Avx512;
  else if (std::strcmp(name, "avx2") == 0) *out = Isa::Avx2;
  else if (std::strcmp(name, "neon") == 0) *out = Isa::Neon;
  else if (std::strcmp(name, "scalar") == 0) *out = Isa::Scalar;
  else return false;
  return true;
}

}  // namespace tk
