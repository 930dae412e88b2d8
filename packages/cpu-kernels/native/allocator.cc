#include "allocator.h"

#include <cstdlib>  // defines __GLIBC__ (via features.h) before the check below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tk {

bool tune_allocator() {
#if defined(__GLIBC__)
  static const bool applied = [] {
    // 1 GiB: any single tensor of GPT-2 124M training (the 500 MB Adam
    // temporaries included) is served from the reusable heap; freed memory
    // up to 1 GiB at the top of the heap is kept instead of returned.
    constexpr int kThreshold = 1 << 30;
    const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, kThreshold) == 1;
    const bool trim_ok = mallopt(M_TRIM_THRESHOLD, kThreshold) == 1;
    return mmap_ok && trim_ok;
  }();
  return applied;
#else
  return false;
#endif
}

}  // namespace tk
