// N-API entry points. JS does the shape logic (tfjs semantics, broadcasting
// plans); these functions check that every buffer is large enough for what
// they are asked to touch, then run on raw Float32Array memory with no copy.
// Outputs are allocated in JS and written here.
#include <cstring>

#include "allocator.h"
#include "cpu-features.h"
#include "gemm-kernels.h"
#include "gemm.h"
#include "napi-args.h"
#include "scatter-add.h"
#include "thread-pool.h"

namespace tk {
namespace {

napi_value set_prop(napi_env env, napi_value obj, const char* key, napi_value value) {
  napi_set_named_property(env, obj, key, value);
  return obj;
}

// info() -> { isa, detectedIsa, threads, hardwareThreads, gemmKernel }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj;
  napi_create_object(env, &obj);
  set_prop(env, obj, "isa", make_string(env, isa_name(active_isa())));
  set_prop(env, obj, "detectedIsa", make_string(env, isa_name(detect_isa())));
  set_prop(env, obj, "threads", make_int(env, pool_threads()));
  set_prop(env, obj, "hardwareThreads", make_int(env, hardware_threads()));
  set_prop(env, obj, "gemmKernel", make_string(env, gemm_kernel_for(active_isa()).name));
  return obj;
}

// setThreads(n) -> threads now in use
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int64_t n;
  if (!args.int64(0, &n, "setThreads(n): n must be a number")) return nullptr;
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  pool_set_threads(static_cast<int>(n));
  return make_int(env, pool_threads());
}

// setIsa(name) -> level now in use (never above what the CPU supports)
napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args args(env, info);
  char name[16] = {0};
  size_t len = 0;
  if (args.argc < 1 || napi_get_value_string_utf8(env, args.argv[0], name, sizeof(name), &len) != napi_ok) {
    args.fail("setIsa(name): name must be a string");
    return nullptr;
  }
  Isa isa;
  if (!parse_isa(name, &isa)) {
    args.fail("setIsa(name): expected 'avx512', 'avx2' or 'scalar'");
    return nullptr;
  }
  return make_string(env, isa_name(set_isa(isa)));
}

// Largest index + 1 of an optional batch index array, or `batch` when absent.
bool batch_extent(const Args& args, const int32_t* index, int64_t batch, int64_t* extent) {
  if (!index) {
    *extent = batch;
    return true;
  }
  int64_t top = 0;
  for (int64_t i = 0; i < batch; i++) {
    if (index[i] < 0) return args.fail("matmul: negative batch index");
    if (index[i] + 1 > top) top = index[i] + 1;
  }
  *extent = top;
  return true;
}

// matmul(a, b, out, batch, m, n, k, transposeA, transposeB, aIndex?, bIndex?)
//   a: batches of [m, k] (or [k, m] when transposeA), b: [k, n] (or [n, k]),
//   out: [batch, m, n]; aIndex/bIndex (Int32Array, length batch) pick the
//   a/b batch for each output batch (broadcasting); null means identity.
napi_value MatMul(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *a, *b, *out;
  int64_t a_len, b_len, out_len, batch, m, n, k;
  bool ta, tb;
  if (!args.f32(0, &a, &a_len, "matmul: a must be a Float32Array") ||
      !args.f32(1, &b, &b_len, "matmul: b must be a Float32Array") ||
      !args.f32(2, &out, &out_len, "matmul: out must be a Float32Array") ||
      !args.int64(3, &batch, "matmul: batch must be a number") || !args.int64(4, &m, "matmul: m must be a number") ||
      !args.int64(5, &n, "matmul: n must be a number") || !args.int64(6, &k, "matmul: k must be a number") ||
      !args.boolean(7, &ta, "matmul: transposeA must be a boolean") ||
      !args.boolean(8, &tb, "matmul: transposeB must be a boolean")) {
    return nullptr;
  }
  if (batch < 0 || m < 0 || n < 0 || k < 0) {
    args.fail("matmul: negative dimension");
    return nullptr;
  }
  int32_t* a_index = nullptr;
  int32_t* b_index = nullptr;
  int64_t len;
  if (!args.is_nullish(9)) {
    if (!args.i32(9, &a_index, &len, "matmul: aIndex must be an Int32Array")) return nullptr;
    if (len < batch) return args.fail("matmul: aIndex is shorter than batch"), nullptr;
  }
  if (!args.is_nullish(10)) {
    if (!args.i32(10, &b_index, &len, "matmul: bIndex must be an Int32Array")) return nullptr;
    if (len < batch) return args.fail("matmul: bIndex is shorter than batch"), nullptr;
  }
  int64_t a_batches, b_batches;
  if (!batch_extent(args, a_index, batch, &a_batches) || !batch_extent(args, b_index, batch, &b_batches)) return nullptr;
  if (a_len < a_batches * m * k || b_len < b_batches * k * n || out_len < batch * m * n) {
    args.fail("matmul: a buffer is smaller than its shape");
    return nullptr;
  }
  BatchedGemm g;
  g.batch = batch;
  g.m = m;
  g.n = n;
  g.k = k;
  // Logical A is m x k: row-major [m, k], or the transpose of a row-major [k, m].
  g.a = ta ? MatrixView{a, 1, m} : MatrixView{a, k, 1};
  g.a_index = a_index;
  g.a_batch_stride = m * k;
  // Logical B is k x n: row-major [k, n], or the transpose of a row-major [n, k].
  g.b = tb ? MatrixView{b, 1, k} : MatrixView{b, n, 1};
  g.b_index = b_index;
  g.b_batch_stride = k * n;
  g.c = out;
  gemm_batched(g);
  return make_undefined(env);
}

// scatterAdd(x, ids, numSegments, inner, out): out[ids[r], :] += x[r, :]
napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *x, *out;
  int32_t* ids;
  int64_t x_len, ids_len, out_len, segments, inner;
  if (!args.f32(0, &x, &x_len, "scatterAdd: x must be a Float32Array") ||
      !args.i32(1, &ids, &ids_len, "scatterAdd: ids must be an Int32Array") ||
      !args.int64(2, &segments, "scatterAdd: numSegments must be a number") ||
      !args.int64(3, &inner, "scatterAdd: inner must be a number") ||
      !args.f32(4, &out, &out_len, "scatterAdd: out must be a Float32Array")) {
    return nullptr;
  }
  if (segments < 0 || inner < 0 || x_len < ids_len * inner || out_len < segments * inner) {
    args.fail("scatterAdd: a buffer is smaller than its shape");
    return nullptr;
  }
  scatter_add_rows(x, ids, ids_len, inner, segments, out);
  return make_undefined(env);
}

// tuneAllocator() -> whether glibc's thresholds were raised (see allocator.h)
napi_value TuneAllocator(napi_env env, napi_callback_info) {
  napi_value out;
  napi_get_boolean(env, tune_allocator(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scatterAdd", nullptr, ScatterAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tuneAllocator", nullptr, TuneAllocator, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace
}  // namespace tk

NAPI_MODULE_INIT() { return tk::Init(env, exports); }
