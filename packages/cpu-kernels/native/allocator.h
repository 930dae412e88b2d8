// Process-wide malloc tuning for large tensors (glibc only).
//
// Node allocates every Float32Array with calloc. glibc serves blocks above
// its mmap threshold (<= 32 MiB, adaptive) with a fresh mmap and unmaps
// them on free, so every large tensor pays one page fault per 4 KiB when
// first written: ~25 ms for a 50 MB attention-score tensor on a VM where a
// fault costs ~2 us, more than the matmul that fills it. Raising the mmap
// and trim thresholds keeps freed blocks in the heap for reuse (calloc then
// clears them at memset speed, ~1-2 ms for 50 MB).
#pragma once

namespace tk {

// Applies the tuning once; returns true when it is in effect.
bool tune_allocator();

}  // namespace tk
