// Which SIMD level the kernels use, chosen once at load time.
//
// The addon is compiled for baseline x86-64 (or arm64); AVX2 and AVX-512
// code lives in functions with target attributes and is only called after
// the CPU (and OS, for the wider register state) has been checked here.
// On arm64 NEON is part of the baseline, so the level is Neon there.
#pragma once

namespace tk {

// Avx2 < Avx512 is an order (one lowers to the other); Neon is another
// architecture's level, not above them: only Neon and Scalar exist on arm64.
enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2, Neon = 3 };

// Best level this CPU supports.
Isa detect_isa();

// Level in use (detect_isa() unless lowered with set_isa / TUNEKIT_NATIVE_ISA).
Isa active_isa();

// Lowers (or restores) the level in use; a level the CPU lacks is clamped
// (avx512 -> avx2 on an AVX2 CPU; another architecture's level -> the
// detected one). Returns the level actually set.
Isa set_isa(Isa isa);

const char* isa_name(Isa isa);

// Parses "avx512" / "avx2" / "neon" / "scalar"; returns false for anything else.
bool parse_isa(const char* name, Isa* out);

}  // namespace tk
