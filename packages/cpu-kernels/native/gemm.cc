// The GEMM driver (Goto/BLIS loop structure), packing, and threading.
//
//   for jc in N by NC:            packed B block  KC x NC  -> L3
//     for pc in K by KC:
//       pack B[pc, jc]
//       for ic in M by MC:        packed A block  MC x KC  -> L2
//         pack A[ic, pc]
//         for jr in NC by NR:     B micro-panel   KC x NR  -> L1
//           for ir in MC by MR:   A micro-panel streams from L2
//             micro-kernel (MR x NR tile of C in registers)
//
// Threads never share a packed buffer: each task owns a sub-rectangle of C
// and packs what it needs. With few cores that costs a little redundant
// packing (of A when N is split, of B when M is split, chosen to be the
// smaller) but needs no barrier inside a product, so one pool dispatch
// runs a whole (batched) matmul.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>
#if defined(_WIN32)
#include <malloc.h>
#endif

#include "cpu-features.h"
#include "gemm-kernels.h"
#include "gemm-pack.h"
#include "matrix-vector.h"
#include "thread-pool.h"

namespace tk {
namespace {

// Below this many flops a product runs on the calling thread: waking the
// pool costs a few microseconds.
constexpr double kSerialFlops = 1 << 18;

// 64-byte aligned scratch per thread, grown on demand and kept for reuse.
// (64 bytes: packed panels are read with aligned full-vector loads.)
struct Scratch {
  float* data = nullptr;
  size_t size = 0;
  ~Scratch() { release(); }
  void release() {
#if defined(_WIN32)
    _aligned_free(data);
#else
    std::free(data);
#endif
    data = nullptr;
    size = 0;
  }
  float* get(size_t floats) {
    if (floats > size) {
      release();
      const size_t bytes = ((floats * sizeof(float)) + 63) / 64 * 64;
#if defined(_WIN32)
      data = static_cast<float*>(_aligned_malloc(bytes, 64));
#else
      data = static_cast<float*>(std::aligned_alloc(64, bytes));
#endif
      size = data ? floats : 0;
    }
    return data;
  }
};

thread_local Scratch tl_pack_a;
thread_local Scratch tl_pack_b;
thread_local Scratch tl_pack_low_a;
thread_local Scratch tl_pack_low_b;

// Packs rows [m0, m0 + mc) x cols [k0, k0 + kc) of A into MR-row panels,
// each stored k-major (MR values per k); rows past the edge are zeros.
void pack_a(const MatrixView& a, int64_t m0, int64_t mc, int64_t k0, int64_t kc, int mr, float* dst) {
  pack_panels(active_isa(), a.data + m0 * a.rs + k0 * a.cs, a.rs, a.cs, mc, kc, mr, dst);
}

// Packs rows [k0, k0 + kc) x cols [n0, n0 + nc) of B into NR-column panels,
// each stored k-major (NR values per k); columns past the edge are zeros.
void pack_b(const MatrixView& b, int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* dst) {
  pack_panels(active_isa(), b.data + k0 * b.rs + n0 * b.cs, b.cs, b.rs, nc, kc, nr, dst);
}

// Adds bias[j] to column j, for j in [0, cols), of `rows` rows of C at `ct`.
inline void add_bias(float* ct, int64_t ldc, int64_t rows, int64_t cols, const float* bias) {
  for (int64_t i = 0; i < rows; i++) {
    float* dst = ct + i * ldc;
    for (int64_t j = 0; j < cols; j++) dst[j] += bias[j];
  }
}

// The depth of each packed K block: K split into the fewest blocks of at
// most `limit`, all of (nearly) the same depth. Every block after the first
// reads and writes the C tile once more, and a short last block (K = 1024
// under a limit of 768: 768 + 256) would cost a whole pass over C for a
// quarter of the work. It depends only on K and the kernel, never on the
// thread count, so a product's bits do not either.
int64_t balanced_depth(int64_t k, int64_t limit) {
  if (k <= limit) return std::max<int64_t>(k, 1);
  const int64_t blocks = (k + limit - 1) / limit;
  return (k + blocks - 1) / blocks;
}

// Adds the `rows` x `cols` tile at `src` (leading dimension `lds`) to C.
inline void add_tile(float* ct, int64_t ldc, const float* src, int64_t lds, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; i++) {
    float* dst = ct + i * ldc;
    const float* row = src + i * lds;
    for (int64_t j = 0; j < cols; j++) dst[j] += row[j];
  }
}

// Multiplies n packed values by `scale` (exact for a power of two).
inline void scale_values(float* values, int64_t n, float scale) {
  if (scale == 1.0f) return;
  for (int64_t i = 0; i < n; i++) values[i] = values[i] * scale;
}

// The packed right factor of a low-rank addend for columns [jc, jc + nc): R
// packed as B is, each value multiplied by the scale.
void pack_low_b(const BatchedGemm& g, int64_t jc, int64_t nc, int nr, float* dst) {
  pack_b(g.low_b, 0, g.low_k, jc, nc, nr, dst);
  scale_values(dst, (nc + nr - 1) / nr * nr * g.low_k, g.low_scale);
}

// Adds the low-rank term's MR x NR tile (packed panels `ap`, `bp`) to the C
// tile at `ct`: a fresh FMA chain over low_k, then added to C — the bits of
// that product computed alone and then added.
inline void add_low_rank_tile(const GemmKernel& kern, int64_t low_k, const float* ap, const float* bp, float* ct, int64_t ldc,
                              int64_t rows, int64_t cols, float* edge) {
  if (rows == kern.mr && cols == kern.nr) {
    kern.tile(low_k, ap, bp, ct, ldc, 1);
  } else {
    kern.tile(low_k, ap, bp, edge, kern.nr, 0);
    add_tile(ct, ldc, edge, kern.nr, rows, cols);
  }
}

// C[m0:m1, n0:n1] += the low-rank term, as a pass of its own (the k = 0
// product, which has no K block to add it after).
void add_low_rank_block(const GemmKernel& kern, const BatchedGemm& g, float* c, int64_t ldc, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const int mr = kern.mr;
  const int nr = kern.nr;
  alignas(64) float edge[32 * 64];
  for (int64_t jc = n0; jc < n1; jc += kern.nc) {
    const int64_t nc = std::min<int64_t>(kern.nc, n1 - jc);
    float* plb = tl_pack_low_b.get(static_cast<size_t>((nc + nr - 1) / nr * nr * g.low_k));
    pack_low_b(g, jc, nc, nr, plb);
    for (int64_t ic = m0; ic < m1; ic += kern.mc) {
      const int64_t mc = std::min<int64_t>(kern.mc, m1 - ic);
      float* pla = tl_pack_low_a.get(static_cast<size_t>((mc + mr - 1) / mr * mr * g.low_k));
      pack_a(g.low_a, ic, mc, 0, g.low_k, mr, pla);
      for (int64_t jr = 0; jr < nc; jr += nr) {
        for (int64_t ir = 0; ir < mc; ir += mr) {
          add_low_rank_tile(kern, g.low_k, pla + ir * g.low_k, plb + jr * g.low_k, c + (ic + ir) * ldc + jc + jr, ldc,
                            std::min<int64_t>(mr, mc - ir), std::min<int64_t>(nr, nc - jr), edge);
        }
      }
    }
  }
}

// One product restricted to C[m0:m1, n0:n1], on the calling thread; `bias`
// (nullable, indexed by column) is added to each tile after its last K block,
// and then `low`'s low-rank term (nullable; its low_k > 0).
void gemm_block(const GemmKernel& kern, int64_t k, const MatrixView& a, const MatrixView& b, float* c, int64_t ldc,
                int64_t m0, int64_t m1, int64_t n0, int64_t n1, const float* bias, const BatchedGemm* low) {
  const int mr = kern.mr;
  const int nr = kern.nr;
  const int64_t kc_block = balanced_depth(k, kern.kc);
  const int64_t kc_max = kc_block;
  const int64_t mc_max = std::min<int64_t>(kern.mc, (m1 - m0 + mr - 1) / mr * mr);
  const int64_t nc_max = std::min<int64_t>(kern.nc, (n1 - n0 + nr - 1) / nr * nr);
  float* pa = tl_pack_a.get(static_cast<size_t>(mc_max * kc_max));
  float* pb = tl_pack_b.get(static_cast<size_t>(nc_max * kc_max));
  alignas(64) float edge[32 * 64];  // MR x NR scratch for partial tiles
  const int64_t low_k = low ? low->low_k : 0;
  float* pla = low_k ? tl_pack_low_a.get(static_cast<size_t>(mc_max * low_k)) : nullptr;
  float* plb = low_k ? tl_pack_low_b.get(static_cast<size_t>(nc_max * low_k)) : nullptr;

  for (int64_t jc = n0; jc < n1; jc += kern.nc) {
    const int64_t nc = std::min<int64_t>(kern.nc, n1 - jc);
    for (int64_t pc = 0; pc < k; pc += kc_block) {
      const int64_t kc = std::min<int64_t>(kc_block, k - pc);
      const int accumulate = pc > 0;
      const bool last_block = pc + kc >= k;
      pack_b(b, pc, kc, jc, nc, nr, pb);
      if (low_k && last_block) pack_low_b(*low, jc, nc, nr, plb);
      for (int64_t ic = m0; ic < m1; ic += kern.mc) {
        const int64_t mc = std::min<int64_t>(kern.mc, m1 - ic);
        pack_a(a, ic, mc, pc, kc, mr, pa);
        if (low_k && last_block) pack_a(low->low_a, ic, mc, 0, low_k, mr, pla);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t cols = std::min<int64_t>(nr, nc - jr);
          const float* bp = pb + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int64_t rows = std::min<int64_t>(mr, mc - ir);
            const float* ap = pa + ir * kc;
            float* ct = c + (ic + ir) * ldc + jc + jr;
            if (rows == mr && cols == nr) {
              kern.tile(kc, ap, bp, ct, ldc, accumulate);
            } else {
              kern.tile(kc, ap, bp, edge, nr, 0);
              for (int64_t i = 0; i < rows; i++) {
                float* dst = ct + i * ldc;
                const float* src = edge + i * nr;
                if (accumulate) {
                  for (int64_t j = 0; j < cols; j++) dst[j] += src[j];
                } else {
                  for (int64_t j = 0; j < cols; j++) dst[j] = src[j];
                }
              }
            }
            if (bias && last_block) add_bias(ct, ldc, rows, cols, bias + jc + jr);
            // While the tile is in L1: the low-rank term, without a [M, N] temporary or a pass of its own.
            if (low_k && last_block) add_low_rank_tile(kern, low_k, pla + ir * low_k, plb + jr * low_k, ct, ldc, rows, cols, edge);
          }
        }
      }
    }
  }
}

struct Plan {
  const BatchedGemm* g;
  const GemmKernel* kern;
  int64_t parts_m;  // C of each batch is split into parts_m x parts_n tasks
  int64_t parts_n;
};

// Splits `tiles` register tiles into `parts` near-equal ranges; returns range p in elements.
void split_range(int64_t extent, int64_t tile, int64_t parts, int64_t p, int64_t* begin, int64_t* end) {
  const int64_t tiles = (extent + tile - 1) / tile;
  const int64_t t0 = tiles * p / parts;
  const int64_t t1 = tiles * (p + 1) / parts;
  *begin = std::min(extent, t0 * tile);
  *end = std::min(extent, t1 * tile);
}

void run_task(int64_t task, int, void* raw) {
  const Plan& plan = *static_cast<Plan*>(raw);
  const BatchedGemm& g = *plan.g;
  const int64_t per_batch = plan.parts_m * plan.parts_n;
  const int64_t bi = task / per_batch;
  const int64_t part = task % per_batch;
  int64_t m0, m1, n0, n1;
  split_range(g.m, plan.kern->mr, plan.parts_m, part / plan.parts_n, &m0, &m1);
  split_range(g.n, plan.kern->nr, plan.parts_n, part % plan.parts_n, &n0, &n1);
  if (m0 >= m1 || n0 >= n1) return;
  float* c = g.c + bi * g.m * g.n;
  if (g.k == 0) {
    for (int64_t i = m0; i < m1; i++) std::memset(c + i * g.n + n0, 0, (n1 - n0) * sizeof(float));
    if (g.bias) add_bias(c + m0 * g.n + n0, g.n, m1 - m0, n1 - n0, g.bias + n0);
    if (g.low_k) add_low_rank_block(*plan.kern, g, c, g.n, m0, m1, n0, n1);
    return;
  }
  MatrixView a = g.a;
  MatrixView b = g.b;
  a.data += static_cast<int64_t>(g.a_index ? g.a_index[bi] : bi) * g.a_batch_stride;
  b.data += static_cast<int64_t>(g.b_index ? g.b_index[bi] : bi) * g.b_batch_stride;
  gemm_block(*plan.kern, g.k, a, b, c, g.n, m0, m1, n0, n1, g.bias, g.low_k ? &g : nullptr);
}

int64_t gcd(int64_t x, int64_t y) {
  while (y) {
    const int64_t t = x % y;
    x = y;
    y = t;
  }
  return x;
}

// Rows of C up to which a product is a few matrix-vector products: packing
// B (K x N) would cost as much as the product itself (token-by-token
// generation: x [1, C] against every weight matrix and the LM head).
constexpr int64_t kSmallM = 4;

// Below this many flops a matrix-vector product runs on the calling thread.
// From a 768 x 768 weight up (GPT-2's smallest, 2.4 MB, ~0.2 ms on one core)
// the product is split by columns across the pool: each core streams its
// half of B, and two cores read memory ~2x as fast as one on the 2-core VM
// (23.6 against 11.8 GB/s). Item 19 had found splitting 2x slower; that was
// with the old one-row loop, bound by re-writing `out` rather than by
// memory, and with a pool whose caller waited for a waking worker (item 32).
// Item 36 in docs/performance.md has the before/after.
constexpr double kSmallMParallelFlops = 1 << 20;

struct SmallPlan {
  const BatchedGemm* g;
  int64_t parts_n;
};

// Row i (k values) of the view `v` whose data starts at `data`: read in place
// when its values are contiguous, else gathered into `buffer`.
inline const float* view_row(const float* data, const MatrixView& v, int64_t i, int64_t k, std::vector<float>& buffer) {
  const float* x = data + i * v.rs;
  if (v.cs == 1) return x;
  buffer.resize(static_cast<size_t>(k));
  for (int64_t p = 0; p < k; p++) buffer[p] = x[p * v.cs];
  return buffer.data();
}

void small_m_task(int64_t task, int, void* raw) {
  const SmallPlan& plan = *static_cast<SmallPlan*>(raw);
  const BatchedGemm& g = *plan.g;
  const int64_t bi = task / plan.parts_n;
  const int64_t part = task % plan.parts_n;
  int64_t n0, n1;
  split_range(g.n, 16, plan.parts_n, part, &n0, &n1);
  if (n0 >= n1) return;
  const float* a = g.a.data + static_cast<int64_t>(g.a_index ? g.a_index[bi] : bi) * g.a_batch_stride;
  const float* b = g.b.data + static_cast<int64_t>(g.b_index ? g.b_index[bi] : bi) * g.b_batch_stride;
  float* c = g.c + bi * g.m * g.n;
  thread_local std::vector<float> row;
  thread_local std::vector<float> low_row;
  thread_local std::vector<float> low_out;
  if (g.low_k) low_out.resize(static_cast<size_t>(g.n));
  for (int64_t i = 0; i < g.m; i++) {
    float* out = c + i * g.n;
    row_times_matrix(view_row(a, g.a, i, g.k, row), g.k, MatrixView{b, g.b.rs, g.b.cs}, n0, n1, out);
    if (g.bias) add_bias(out + n0, g.n, 1, n1 - n0, g.bias + n0);
    if (g.low_k) {
      // The low-rank row as its own matrix-vector product would give it (L has m <= 4 rows too), scaled, then added.
      row_times_matrix(view_row(g.low_a.data, g.low_a, i, g.low_k, low_row), g.low_k, g.low_b, n0, n1, low_out.data());
      scale_values(low_out.data() + n0, n1 - n0, g.low_scale);
      add_tile(out + n0, g.n, low_out.data() + n0, g.n, 1, n1 - n0);
    }
  }
}

}  // namespace

void gemm_batched(const BatchedGemm& g) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  if (g.m <= kSmallM && g.k > 0) {
    const int64_t threads = pool_threads();
    const double work = 2.0 * g.batch * g.m * g.n * g.k;
    SmallPlan plan{&g, 1};
    if (threads > 1 && work >= kSmallMParallelFlops && g.batch < 8 * threads) plan.parts_n = std::max<int64_t>(1, std::min<int64_t>(threads, g.n / 16));
    if (threads > 1 && work >= kSmallMParallelFlops) {
      parallel_for(g.batch * plan.parts_n, small_m_task, &plan);
    } else {
      for (int64_t t = 0; t < g.batch * plan.parts_n; t++) small_m_task(t, 0, &plan);
    }
    return;
  }
  const GemmKernel& kern = gemm_kernel_for(active_isa(), g.n);
  const int64_t threads = pool_threads();
  const double flops = 2.0 * g.batch * g.m * g.n * std::max<int64_t>(g.k, 1);
  Plan plan{&g, &kern, 1, 1};
  if (threads > 1 && flops >= kSerialFlops) {
    // Split each batch into just enough parts that the task count is a
    // multiple of the thread count (12 heads on 2 threads: 1 part each;
    // a single matrix: one part per thread).
    const int64_t parts = g.batch >= 8 * threads ? 1 : threads / gcd(g.batch, threads);
    const int64_t tiles_m = (g.m + kern.mr - 1) / kern.mr;
    const int64_t tiles_n = (g.n + kern.nr - 1) / kern.nr;
    // Choose parts_m x parts_n = parts minimising the redundant packing:
    // splitting N repacks A (M x K) per part, splitting M repacks B (K x N).
    double best = -1;
    for (int64_t pm = 1; pm <= parts; pm++) {
      if (parts % pm) continue;
      const int64_t pn = parts / pm;
      if (pm > tiles_m || pn > tiles_n) continue;
      const double cost = static_cast<double>(pn - 1) * g.m + static_cast<double>(pm - 1) * g.n;
      if (best < 0 || cost < best) {
        best = cost;
        plan.parts_m = pm;
        plan.parts_n = pn;
      }
    }
    if (best < 0) {
      // Too few tiles for that many parts: split the larger dimension only.
      if (tiles_m >= tiles_n) plan.parts_m = std::min(parts, tiles_m);
      else plan.parts_n = std::min(parts, tiles_n);
    }
    parallel_for(g.batch * plan.parts_m * plan.parts_n, run_task, &plan);
    return;
  }
  for (int64_t t = 0; t < g.batch; t++) run_task(t, 0, &plan);
}

}  // namespace tk
