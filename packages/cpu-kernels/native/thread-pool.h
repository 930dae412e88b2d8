// A persistent pool of worker threads for the synchronous kernels.
//
// tfjs kernels are synchronous, so the calling (JS) thread always takes part
// in the work and the call returns only when every task is done. Workers
// spin briefly after each job because training issues kernels back to back
// (a futex wake costs ~5-20 us, more than many small kernels take), then
// sleep on a condition variable so an idle process costs no CPU.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tk {

// Runs fn(task, ctx) for task in [0, tasks). Signature kept C-like so that
// callers in ISA-specific translation units need no std templates.
using TaskFn = void (*)(int64_t task, int thread, void* ctx);

// Number of threads that run tasks (workers + the caller), >= 1.
int pool_threads();

// Resizes the pool (1 = no workers: everything runs on the caller).
void pool_set_threads(int threads);

// Runs all tasks, distributing them dynamically over the pool's threads,
// and returns when all have finished. Nested calls (from inside a task)
// run serially on the calling thread.
void parallel_for(int64_t tasks, TaskFn fn, void* ctx);

// Convenience: splits [0, n) into about `parts` contiguous ranges of at
// least `grain` elements and runs fn(begin, end, ctx) for each.
using RangeFn = void (*)(int64_t begin, int64_t end, void* ctx);
void parallel_range(int64_t n, int64_t grain, RangeFn fn, void* ctx);

// Elements per task below which waking the pool costs more than it saves
// (the elementwise kernels' grain), and that grain in rows of `row_length`.
constexpr int64_t kElementGrain = 1 << 14;
inline int64_t rows_grain(int64_t row_length) { return std::max<int64_t>(1, kElementGrain / std::max<int64_t>(1, row_length)); }

// Threads the hardware offers to this process (affinity-aware on Linux).
int hardware_threads();

}  // namespace tk
