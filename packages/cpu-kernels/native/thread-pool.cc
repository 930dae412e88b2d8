#include "thread-pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TK_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define TK_PAUSE() __asm__ __volatile__("yield")
#else
#define TK_PAUSE() ((void)0)
#endif

namespace tk {
namespace {

// Spin this many pause iterations (~30-80 us on current x86) before a worker
// goes to sleep: long enough to bridge the JS glue between two kernels.
constexpr int kSpinIterations = 20000;

// True on pool workers and on a caller while it runs a job's tasks.
thread_local bool tl_in_task = false;

struct Job {
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int64_t tasks = 0;
};

class Pool {
 public:
  ~Pool() { resize(1); }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    threads = std::max(1, threads);
    std::lock_guard<std::mutex> owner(run_mutex_);  // never resize under a running job
    if (threads == this->threads()) return;
    stop_workers();
    // Each worker starts from the generation current at spawn time: reading
    // it inside the new thread could miss a job published before it runs.
    const uint64_t start = generation_.load(std::memory_order_acquire);
    for (int i = 1; i < threads; i++) workers_.emplace_back([this, i, start] { worker_loop(i, start); });
  }

  void run(int64_t tasks, TaskFn fn, void* ctx) {
    if (tasks <= 0) return;
    // Serial paths: a single task, a pool of one, a nested call (from inside
    // a task), or another JS thread (worker_threads) already using the pool.
    std::unique_lock<std::mutex> owner(run_mutex_, std::defer_lock);
    if (tasks == 1 || workers_.empty() || tl_in_task || !owner.try_lock()) {
      run_serial(tasks, fn, ctx);
      return;
    }
    tl_in_task = true;
    job_.fn = fn;
    job_.ctx = ctx;
    job_.tasks = tasks;
    next_task_.store(0, std::memory_order_relaxed);
    // Open the job (no worker inside yet): the release orders job_ and
    // next_task_ before any worker's joining.
    gate_.store(kOpen, std::memory_order_release);
    {
      // Publishing the generation under the mutex orders it with sleepers'
      // predicate check, so no wake-up is lost.
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    execute(0);
    // Every task is claimed: close the job, then wait only for the workers
    // that joined it. A worker still waking up (or not yet scheduled: on a
    // busy machine that took ~10 ms) finds it closed and has nothing to do,
    // so it is not waited for.
    gate_.fetch_and(~kOpen, std::memory_order_acq_rel);
    while ((gate_.load(std::memory_order_acquire) & kInside) != 0) TK_PAUSE();
    tl_in_task = false;
  }

 private:
  void execute(int thread) {
    for (;;) {
      const int64_t t = next_task_.fetch_add(1, std::memory_order_relaxed);
      if (t >= job_.tasks) break;
      job_.fn(t, thread, job_.ctx);
    }
  }

  static void run_serial(int64_t tasks, TaskFn fn, void* ctx) {
    const bool was = tl_in_task;
    tl_in_task = true;
    for (int64_t t = 0; t < tasks; t++) fn(t, 0, ctx);
    tl_in_task = was;
  }

  void worker_loop(int index, uint64_t seen) {
    tl_in_task = true;
    for (;;) {
      // Spin first: the next kernel usually follows within microseconds.
      int spins = 0;
      uint64_t now = generation_.load(std::memory_order_acquire);
      while (now == seen && spins < kSpinIterations) {
        TK_PAUSE();
        spins++;
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        now = generation_.load(std::memory_order_acquire);
      }
      seen = now;
      if (stopping_.load(std::memory_order_acquire)) return;
      // Join the job if it is still open; the acquire makes its fields visible.
      uint64_t gate = gate_.load(std::memory_order_acquire);
      while ((gate & kOpen) != 0) {
        if (gate_.compare_exchange_weak(gate, gate + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
          execute(index);
          gate_.fetch_sub(1, std::memory_order_release);
          break;
        }
      }
    }
  }

  void stop_workers() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_.store(true, std::memory_order_release);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    stopping_.store(false, std::memory_order_release);
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> next_task_{0};
  // The current job's gate: kOpen while workers may join, and in the low
  // bits how many workers are inside it.
  static constexpr uint64_t kOpen = uint64_t{1} << 63;
  static constexpr uint64_t kInside = kOpen - 1;
  std::atomic<uint64_t> gate_{0};
  std::atomic<bool> stopping_{false};
  std::mutex run_mutex_;  // held by the thread that owns the current job
  Job job_;
};

Pool& pool() {
  // Leaked on purpose: joining threads from a static destructor at process
  // exit can deadlock when Node tears down; the OS reclaims them.
  // Starts with one thread per available core.
  static Pool* instance = [] {
    Pool* p = new Pool();
    p->resize(hardware_threads());
    return p;
  }();
  return *instance;
}

struct RangeCtx {
  RangeFn fn;
  void* ctx;
  int64_t n;
  int64_t chunk;
};

void range_task(int64_t task, int, void* raw) {
  auto* r = static_cast<RangeCtx*>(raw);
  const int64_t begin = task * r->chunk;
  const int64_t end = std::min(r->n, begin + r->chunk);
  if (begin < end) r->fn(begin, end, r->ctx);
}

}  // namespace

int pool_threads() { return pool().threads(); }

void pool_set_threads(int threads) { pool().resize(threads); }

void parallel_for(int64_t tasks, TaskFn fn, void* ctx) { pool().run(tasks, fn, ctx); }

void parallel_range(int64_t n, int64_t grain, RangeFn fn, void* ctx) {
  if (n <= 0) return;
  const int threads = pool_threads();
  grain = std::max<int64_t>(1, grain);
  if (threads == 1 || n <= grain) {
    fn(0, n, ctx);
    return;
  }
  // One contiguous range per thread (equal work): dynamic claiming of equal
  // ranges still absorbs a thread that starts late.
  int64_t parts = std::min<int64_t>(threads, (n + grain - 1) / grain);
  const int64_t chunk = (n + parts - 1) / parts;
  parts = (n + chunk - 1) / chunk;
  RangeCtx r{fn, ctx, n, chunk};
  parallel_for(parts, range_task, &r);
}

int hardware_threads() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace tk
