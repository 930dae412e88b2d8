// N-API entry points. JS does the shape logic (tfjs semantics, broadcasting
// plans); these functions check that every buffer is large enough for what
// they are asked to touch, then run on raw Float32Array memory with no copy.
// Outputs are allocated in JS and written here.
#include <cstring>
#include <vector>

#include "adamw.h"
#include "allocator.h"
#include "attention.h"
#include "bias-gelu.h"
#include "cpu-features.h"
#include "dropout.h"
#include "elementwise.h"
#include "layernorm.h"
#include "gemm-kernels.h"
#include "gemm.h"
#include "napi-args.h"
#include "reduce.h"
#include "scatter-add.h"
#include "sum-squares.h"
#include "softmax-cross-entropy.h"
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
    args.fail("setIsa(name): expected 'avx512', 'avx2', 'neon' or 'scalar'");
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

// matmul(a, b, out, batch, m, n, k, transposeA, transposeB, aIndex?, bIndex?, bias?,
//        lowA?, lowB?, lowK?, transposeLowB?, lowScale?)
//   a: batches of [m, k] (or [k, m] when transposeA), b: [k, n] (or [n, k]),
//   out: [batch, m, n]; aIndex/bIndex (Int32Array, length batch) pick the
//   a/b batch for each output batch (broadcasting); null means identity;
//   bias (Float32Array, length n) is added to every row of the product;
//   lowA [m, lowK] and lowB [lowK, n] (or [n, lowK] when transposeLowB),
//   batch 1 only, add lowScale * lowA . lowB after the bias (see gemm.h).
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
  float* bias = nullptr;
  if (!args.is_nullish(11)) {
    if (!args.f32(11, &bias, &len, "matmul: bias must be a Float32Array")) return nullptr;
    if (len != n) return args.fail("matmul: bias must have n elements"), nullptr;
  }
  float *low_a = nullptr, *low_b = nullptr;
  int64_t low_k = 0;
  bool low_tb = false;
  double low_scale = 1.0;
  if (!args.is_nullish(12)) {
    int64_t low_a_len, low_b_len;
    if (!args.f32(12, &low_a, &low_a_len, "matmul: lowA must be a Float32Array") ||
        !args.f32(13, &low_b, &low_b_len, "matmul: lowB must be a Float32Array") ||
        !args.int64(14, &low_k, "matmul: lowK must be a number") ||
        !args.boolean(15, &low_tb, "matmul: transposeLowB must be a boolean") ||
        !args.f64(16, &low_scale, "matmul: lowScale must be a number")) {
      return nullptr;
    }
    if (batch != 1) return args.fail("matmul: a low-rank term needs batch 1"), nullptr;
    if (low_k < 1 || low_k > kMaxLowRank) return args.fail("matmul: lowK must be in [1, 256]"), nullptr;
    if (low_a_len < m * low_k || low_b_len < low_k * n) return args.fail("matmul: lowA or lowB is smaller than its shape"), nullptr;
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
  g.bias = bias;
  if (low_a) {
    g.low_k = low_k;
    g.low_a = MatrixView{low_a, low_k, 1};
    // Logical R is lowK x n: row-major [lowK, n], or the transpose of a row-major [n, lowK].
    g.low_b = low_tb ? MatrixView{low_b, 1, low_k} : MatrixView{low_b, n, 1};
    g.low_scale = static_cast<float>(low_scale);
  }
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

// Reads an Int32Array argument of at most `max` elements.
bool int_list(const Args& args, size_t i, int32_t** data, int64_t* len, int64_t max, const char* what) {
  if (!args.i32(i, data, len, what)) return false;
  if (*len > max) return args.fail(what);
  return true;
}

// Largest element offset + 1 reached with these dims and strides (0 for an empty output).
int64_t extent(int rank, const int64_t* dims, const int64_t* strides) {
  int64_t top = 0;
  for (int d = 0; d < rank; d++) {
    if (dims[d] == 0) return 0;
    top += (dims[d] - 1) * strides[d];
  }
  return top + 1;
}

// binary(op, a, b, out, plan): plan = Int32Array [rank, dims..., aStrides..., bStrides...]
napi_value Binary(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int64_t op, a_len, b_len, out_len, plan_len;
  float *a, *b, *out;
  int32_t* plan;
  if (!args.int64(0, &op, "binary: op must be a number") || !args.f32(1, &a, &a_len, "binary: a must be a Float32Array") ||
      !args.f32(2, &b, &b_len, "binary: b must be a Float32Array") || !args.f32(3, &out, &out_len, "binary: out must be a Float32Array") ||
      !int_list(args, 4, &plan, &plan_len, 1 + 3 * kMaxRank, "binary: plan must be an Int32Array [rank, dims, aStrides, bStrides]")) {
    return nullptr;
  }
  const int rank = plan_len ? plan[0] : -1;
  if (op < 0 || op > 3 || rank < 0 || rank > kMaxRank || plan_len != 1 + 3 * rank) return args.fail("binary: bad op or plan"), nullptr;
  int64_t dims[kMaxRank], as[kMaxRank], bs[kMaxRank];
  int64_t size = 1;
  for (int d = 0; d < rank; d++) {
    dims[d] = plan[1 + d];
    as[d] = plan[1 + rank + d];
    bs[d] = plan[1 + 2 * rank + d];
    if (dims[d] < 0 || as[d] < 0 || bs[d] < 0) return args.fail("binary: negative dimension or stride"), nullptr;
    size *= dims[d];
  }
  if (out_len < size || (size > 0 && (a_len < extent(rank, dims, as) || b_len < extent(rank, dims, bs)))) {
    return args.fail("binary: a buffer is smaller than its shape"), nullptr;
  }
  if (size > 0) binary_op(static_cast<BinaryOp>(op), a, b, out, rank, dims, as, bs);
  return make_undefined(env);
}

// unary(op, x, out)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int64_t op, x_len, out_len;
  float *x, *out;
  if (!args.int64(0, &op, "unary: op must be a number") || !args.f32(1, &x, &x_len, "unary: x must be a Float32Array") ||
      !args.f32(2, &out, &out_len, "unary: out must be a Float32Array")) {
    return nullptr;
  }
  if (op < 0 || op > 8 || out_len < x_len) return args.fail("unary: bad op or output size"), nullptr;
  unary_op(static_cast<UnaryOp>(op), x, out, x_len);
  return make_undefined(env);
}

// reduce(op, x, out, outer, reduce, inner): x [outer, reduce, inner] -> out [outer, inner]
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int64_t op, x_len, out_len, outer, reduce, inner;
  float *x, *out;
  if (!args.int64(0, &op, "reduce: op must be a number") || !args.f32(1, &x, &x_len, "reduce: x must be a Float32Array") ||
      !args.f32(2, &out, &out_len, "reduce: out must be a Float32Array") || !args.int64(3, &outer, "reduce: outer must be a number") ||
      !args.int64(4, &reduce, "reduce: reduce must be a number") || !args.int64(5, &inner, "reduce: inner must be a number")) {
    return nullptr;
  }
  if (op < 0 || op > 2 || outer < 0 || reduce < 1 || inner < 1 || x_len < outer * reduce * inner || out_len < outer * inner) {
    return args.fail("reduce: bad op or a buffer smaller than its shape"), nullptr;
  }
  reduce_op(static_cast<ReduceOp>(op), x, out, outer, reduce, inner);
  return make_undefined(env);
}

// softmax(x, out, rows, cols): over the last axis
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int64_t x_len, out_len, rows, cols;
  float *x, *out;
  if (!args.f32(0, &x, &x_len, "softmax: x must be a Float32Array") || !args.f32(1, &out, &out_len, "softmax: out must be a Float32Array") ||
      !args.int64(2, &rows, "softmax: rows must be a number") || !args.int64(3, &cols, "softmax: cols must be a number")) {
    return nullptr;
  }
  if (rows < 0 || cols < 1 || x_len < rows * cols || out_len < rows * cols) return args.fail("softmax: a buffer is smaller than its shape"), nullptr;
  softmax_rows(x, out, rows, cols);
  return make_undefined(env);
}

// transpose(x, out, dims, perm)
napi_value Transpose(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int64_t x_len, out_len, dims_len, perm_len;
  float *x, *out;
  int32_t *dims32, *perm;
  if (!args.f32(0, &x, &x_len, "transpose: x must be a Float32Array") || !args.f32(1, &out, &out_len, "transpose: out must be a Float32Array") ||
      !int_list(args, 2, &dims32, &dims_len, kMaxRank, "transpose: dims must be an Int32Array of rank <= 8") ||
      !int_list(args, 3, &perm, &perm_len, kMaxRank, "transpose: perm must be an Int32Array of rank <= 8")) {
    return nullptr;
  }
  const int rank = static_cast<int>(dims_len);
  if (rank < 1 || perm_len != rank) return args.fail("transpose: dims and perm must have the same length >= 1"), nullptr;
  int64_t dims[kMaxRank];
  int64_t size = 1;
  bool seen[kMaxRank] = {false};
  for (int d = 0; d < rank; d++) {
    if (dims32[d] < 0 || perm[d] < 0 || perm[d] >= rank || seen[perm[d]]) return args.fail("transpose: bad dims or perm"), nullptr;
    seen[perm[d]] = true;
    dims[d] = dims32[d];
    size *= dims[d];
  }
  if (x_len < size || out_len < size) return args.fail("transpose: a buffer is smaller than its shape"), nullptr;
  if (size > 0) transpose(x, out, rank, dims, perm);
  return make_undefined(env);
}

// slice(x, out, dims, begin, size): out = the box [begin, begin + size) of x (shape dims)
napi_value Slice(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int64_t x_len, out_len, dims_len, begin_len, size_len;
  float *x, *out;
  int32_t *dims32, *begin32, *size32;
  if (!args.f32(0, &x, &x_len, "slice: x must be a Float32Array") || !args.f32(1, &out, &out_len, "slice: out must be a Float32Array") ||
      !int_list(args, 2, &dims32, &dims_len, kMaxRank, "slice: dims must be an Int32Array of rank <= 8") ||
      !int_list(args, 3, &begin32, &begin_len, kMaxRank, "slice: begin must be an Int32Array of rank <= 8") ||
      !int_list(args, 4, &size32, &size_len, kMaxRank, "slice: size must be an Int32Array of rank <= 8")) {
    return nullptr;
  }
  const int rank = static_cast<int>(dims_len);
  if (rank < 1 || begin_len != rank || size_len != rank) return args.fail("slice: dims, begin and size must have the same length >= 1"), nullptr;
  int64_t dims[kMaxRank], begin[kMaxRank], size[kMaxRank];
  int64_t total = 1, in_total = 1;
  for (int d = 0; d < rank; d++) {
    dims[d] = dims32[d];
    begin[d] = begin32[d];
    size[d] = size32[d];
    if (dims[d] < 0 || begin[d] < 0 || size[d] < 0 || begin[d] + size[d] > dims[d]) return args.fail("slice: box outside the array"), nullptr;
    total *= size[d];
    in_total *= dims[d];
  }
  if (x_len < in_total || out_len < total) return args.fail("slice: a buffer is smaller than its shape"), nullptr;
  if (total > 0) slice_box(x, out, rank, dims, begin, size);
  return make_undefined(env);
}

// adamw(p, g, m, v, pOut, mOut, vOut, [beta1, 1-beta1, beta2, 1-beta2, decay, correction2, eps, stepSize, decays(, gradientScale)])
napi_value AdamW(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float* arrays[7];
  int64_t lengths[7];
  const char* names[7] = {"adamw: p must be a Float32Array", "adamw: g must be a Float32Array", "adamw: m must be a Float32Array",
                          "adamw: v must be a Float32Array", "adamw: pOut must be a Float32Array", "adamw: mOut must be a Float32Array",
                          "adamw: vOut must be a Float32Array"};
  for (int i = 0; i < 7; i++) {
    if (!args.f32(i, &arrays[i], &lengths[i], names[i])) return nullptr;
  }
  float* hp = nullptr;
  int64_t hp_len = 0;
  if (!args.f32(7, &hp, &hp_len, "adamw: hyperparameters must be a Float32Array")) return nullptr;
  if (hp_len != 9 && hp_len != 10) return args.fail("adamw: hyperparameters must have 9 or 10 values"), nullptr;
  const int64_t n = lengths[0];
  for (int i = 1; i < 7; i++) {
    if (lengths[i] != n) return args.fail("adamw: every array must have the same length"), nullptr;
  }
  if (!adamw_arrays_apart(arrays, n)) {
    return args.fail("adamw: pOut, mOut and vOut must be p, m and v themselves or overlap no other array"), nullptr;
  }
  AdamWParams h{hp[0], hp[1], hp[2], hp[3], hp[4], hp[5], hp[6], hp[7], hp[8] != 0};
  if (hp_len == 10 && hp[9] != 1.0f) {
    h.gradient_scale = hp[9];
    h.scales_gradient = true;
  }
  adamw_step(h, arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5], arrays[6], n);
  return make_undefined(env);
}

// gelu(x, out, approximate) / geluGrad(dy, x, out, approximate)
napi_value Gelu(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *x, *out;
  int64_t x_len, out_len;
  bool approximate;
  if (!args.f32(0, &x, &x_len, "gelu: x must be a Float32Array") || !args.f32(1, &out, &out_len, "gelu: out must be a Float32Array") ||
      !args.boolean(2, &approximate, "gelu: approximate must be a boolean")) {
    return nullptr;
  }
  if (out_len < x_len) return args.fail("gelu: out is smaller than x"), nullptr;
  gelu(x, out, x_len, approximate);
  return make_undefined(env);
}

napi_value GeluGrad(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *dy, *x, *out;
  int64_t dy_len, x_len, out_len;
  bool approximate;
  if (!args.f32(0, &dy, &dy_len, "geluGrad: dy must be a Float32Array") || !args.f32(1, &x, &x_len, "geluGrad: x must be a Float32Array") ||
      !args.f32(2, &out, &out_len, "geluGrad: out must be a Float32Array") || !args.boolean(3, &approximate, "geluGrad: approximate must be a boolean")) {
    return nullptr;
  }
  if (dy_len != x_len || out_len < x_len) return args.fail("geluGrad: dy, x and out must have the same length"), nullptr;
  gelu_grad(dy, x, out, x_len, approximate);
  return make_undefined(env);
}

// dropoutMask(out, rate, seed): out[i] = 1/(1-rate) or 0 (see dropout.h)
napi_value DropoutMask(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float* out;
  int64_t n;
  double rate, seed;
  if (!args.f32(0, &out, &n, "dropoutMask: out must be a Float32Array") || !args.f64(1, &rate, "dropoutMask: rate must be a number") ||
      !args.f64(2, &seed, "dropoutMask: seed must be a number")) {
    return nullptr;
  }
  if (!(rate >= 0 && rate < 1)) return args.fail("dropoutMask: rate must be in [0, 1)"), nullptr;
  dropout_mask(out, n, static_cast<float>(rate), static_cast<uint64_t>(static_cast<int64_t>(seed)));
  return make_undefined(env);
}

// dropoutApply(x, residual, out, rate, seed): out = residual + x·mask (residual
// null: x·mask), the mask dropoutMask would make (see dropout.h)
napi_value DropoutApply(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *x, *out, *residual = nullptr;
  int64_t n, out_len, residual_len = 0;
  double rate, seed;
  if (!args.f32(0, &x, &n, "dropoutApply: x must be a Float32Array") ||
      (!args.is_nullish(1) && !args.f32(1, &residual, &residual_len, "dropoutApply: residual must be a Float32Array or null")) ||
      !args.f32(2, &out, &out_len, "dropoutApply: out must be a Float32Array") || !args.f64(3, &rate, "dropoutApply: rate must be a number") ||
      !args.f64(4, &seed, "dropoutApply: seed must be a number")) {
    return nullptr;
  }
  if (!(rate >= 0 && rate < 1)) return args.fail("dropoutApply: rate must be in [0, 1)"), nullptr;
  if (out_len < n || (residual && residual_len != n)) return args.fail("dropoutApply: x, residual and out must have the same length"), nullptr;
  dropout_apply(x, residual, out, n, static_cast<float>(rate), static_cast<uint64_t>(static_cast<int64_t>(seed)));
  return make_undefined(env);
}

// biasGelu(h, bias, y, rows, cols, approximate): see bias-gelu.h
napi_value BiasGelu(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *h, *bias, *y;
  int64_t h_len, b_len, y_len, rows, cols;
  bool approximate;
  if (!args.f32(0, &h, &h_len, "biasGelu: h must be a Float32Array") || !args.f32(1, &bias, &b_len, "biasGelu: bias must be a Float32Array") ||
      !args.f32(2, &y, &y_len, "biasGelu: y must be a Float32Array") || !args.int64(3, &rows, "biasGelu: rows must be an integer") ||
      !args.int64(4, &cols, "biasGelu: cols must be an integer") || !args.boolean(5, &approximate, "biasGelu: approximate must be a boolean")) {
    return nullptr;
  }
  if (rows < 0 || cols < 1 || h_len < rows * cols || y_len < rows * cols || b_len < cols) {
    return args.fail("biasGelu: a buffer is smaller than [rows, cols]"), nullptr;
  }
  bias_gelu_forward(h, bias, y, rows, cols, approximate);
  return make_undefined(env);
}

// biasGeluGrad(dy, h, bias, dh, dbias, rows, cols, approximate): see bias-gelu.h
napi_value BiasGeluGrad(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *dy, *h, *bias, *dh, *dbias;
  int64_t dy_len, h_len, b_len, dh_len, db_len, rows, cols;
  bool approximate;
  if (!args.f32(0, &dy, &dy_len, "biasGeluGrad: dy must be a Float32Array") || !args.f32(1, &h, &h_len, "biasGeluGrad: h must be a Float32Array") ||
      !args.f32(2, &bias, &b_len, "biasGeluGrad: bias must be a Float32Array") ||
      !args.f32(3, &dh, &dh_len, "biasGeluGrad: dh must be a Float32Array") ||
      !args.f32(4, &dbias, &db_len, "biasGeluGrad: dbias must be a Float32Array") ||
      !args.int64(5, &rows, "biasGeluGrad: rows must be an integer") || !args.int64(6, &cols, "biasGeluGrad: cols must be an integer") ||
      !args.boolean(7, &approximate, "biasGeluGrad: approximate must be a boolean")) {
    return nullptr;
  }
  const int64_t size = rows * cols;
  if (rows < 0 || cols < 1 || dy_len < size || h_len < size || dh_len < size || b_len < cols || db_len < cols) {
    return args.fail("biasGeluGrad: a buffer is smaller than [rows, cols]"), nullptr;
  }
  bias_gelu_backward(dy, h, bias, dh, dbias, rows, cols, approximate);
  return make_undefined(env);
}

// Labels below cols (negative ones are masked rows); false after throwing otherwise.
bool labels_in_range(const Args& args, const int32_t* labels, int64_t rows, int64_t cols, const char* message) {
  for (int64_t r = 0; r < rows; r++) {
    if (labels[r] >= cols) return args.fail(message);
  }
  return true;
}

// softmaxCrossEntropy(logits, labels, loss, logSumExp, rows, cols): see softmax-cross-entropy.h
napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *logits, *loss, *lse;
  int32_t* labels;
  int64_t x_len, l_len, loss_len, lse_len, rows, cols;
  if (!args.f32(0, &logits, &x_len, "softmaxCrossEntropy: logits must be a Float32Array") ||
      !args.i32(1, &labels, &l_len, "softmaxCrossEntropy: labels must be an Int32Array") ||
      !args.f32(2, &loss, &loss_len, "softmaxCrossEntropy: loss must be a Float32Array") ||
      !args.f32(3, &lse, &lse_len, "softmaxCrossEntropy: logSumExp must be a Float32Array") ||
      !args.int64(4, &rows, "softmaxCrossEntropy: rows must be an integer") || !args.int64(5, &cols, "softmaxCrossEntropy: cols must be an integer")) {
    return nullptr;
  }
  if (rows < 0 || cols < 1 || x_len < rows * cols || l_len < rows || loss_len < rows || lse_len < rows) {
    return args.fail("softmaxCrossEntropy: a buffer is smaller than [rows, cols] / [rows]"), nullptr;
  }
  if (!labels_in_range(args, labels, rows, cols, "softmaxCrossEntropy: a label is >= cols")) return nullptr;
  softmax_cross_entropy_forward(logits, labels, loss, lse, rows, cols);
  return make_undefined(env);
}

// softmaxCrossEntropyGrad(logits, labels, logSumExp, dy, dx, rows, cols): see softmax-cross-entropy.h;
// dy holds one value (broadcast) or one per row.
napi_value SoftmaxCrossEntropyGrad(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *logits, *lse, *dy, *dx;
  int32_t* labels;
  int64_t x_len, l_len, lse_len, dy_len, dx_len, rows, cols;
  if (!args.f32(0, &logits, &x_len, "softmaxCrossEntropyGrad: logits must be a Float32Array") ||
      !args.i32(1, &labels, &l_len, "softmaxCrossEntropyGrad: labels must be an Int32Array") ||
      !args.f32(2, &lse, &lse_len, "softmaxCrossEntropyGrad: logSumExp must be a Float32Array") ||
      !args.f32(3, &dy, &dy_len, "softmaxCrossEntropyGrad: dy must be a Float32Array") ||
      !args.f32(4, &dx, &dx_len, "softmaxCrossEntropyGrad: dx must be a Float32Array") ||
      !args.int64(5, &rows, "softmaxCrossEntropyGrad: rows must be an integer") ||
      !args.int64(6, &cols, "softmaxCrossEntropyGrad: cols must be an integer")) {
    return nullptr;
  }
  const int64_t size = rows * cols;
  if (rows < 0 || cols < 1 || x_len < size || dx_len < size || l_len < rows || lse_len < rows || dy_len < 1 || (dy_len != 1 && dy_len < rows)) {
    return args.fail("softmaxCrossEntropyGrad: a buffer is smaller than [rows, cols] / [rows]"), nullptr;
  }
  if (!labels_in_range(args, labels, rows, cols, "softmaxCrossEntropyGrad: a label is >= cols")) return nullptr;
  softmax_cross_entropy_backward(logits, labels, lse, dy, dy_len == 1 ? 0 : 1, dx, rows, cols);
  return make_undefined(env);
}

// layerNorm(x, gamma, beta, out, mean, rstd, rows, cols, epsilon): see layernorm.h
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *x, *gamma, *beta, *out, *mean, *rstd;
  int64_t x_len, g_len, b_len, out_len, mean_len, rstd_len, rows, cols;
  double epsilon;
  if (!args.f32(0, &x, &x_len, "layerNorm: x must be a Float32Array") || !args.f32(1, &gamma, &g_len, "layerNorm: gamma must be a Float32Array") ||
      !args.f32(2, &beta, &b_len, "layerNorm: beta must be a Float32Array") || !args.f32(3, &out, &out_len, "layerNorm: out must be a Float32Array") ||
      !args.f32(4, &mean, &mean_len, "layerNorm: mean must be a Float32Array") || !args.f32(5, &rstd, &rstd_len, "layerNorm: rstd must be a Float32Array") ||
      !args.int64(6, &rows, "layerNorm: rows must be an integer") || !args.int64(7, &cols, "layerNorm: cols must be an integer") ||
      !args.f64(8, &epsilon, "layerNorm: epsilon must be a number")) {
    return nullptr;
  }
  if (rows < 0 || cols < 1 || x_len < rows * cols || out_len < rows * cols || g_len < cols || b_len < cols || mean_len < rows || rstd_len < rows) {
    return args.fail("layerNorm: a buffer is smaller than [rows, cols]"), nullptr;
  }
  layernorm_forward(x, gamma, beta, out, mean, rstd, rows, cols, static_cast<float>(epsilon));
  return make_undefined(env);
}

// layerNormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols): see layernorm.h
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *dy, *x, *gamma, *mean, *rstd, *dx, *dgamma, *dbeta;
  int64_t dy_len, x_len, g_len, mean_len, rstd_len, dx_len, dg_len, db_len, rows, cols;
  if (!args.f32(0, &dy, &dy_len, "layerNormGrad: dy must be a Float32Array") || !args.f32(1, &x, &x_len, "layerNormGrad: x must be a Float32Array") ||
      !args.f32(2, &gamma, &g_len, "layerNormGrad: gamma must be a Float32Array") ||
      !args.f32(3, &mean, &mean_len, "layerNormGrad: mean must be a Float32Array") ||
      !args.f32(4, &rstd, &rstd_len, "layerNormGrad: rstd must be a Float32Array") ||
      !args.f32(5, &dx, &dx_len, "layerNormGrad: dx must be a Float32Array") ||
      !args.f32(6, &dgamma, &dg_len, "layerNormGrad: dgamma must be a Float32Array") ||
      !args.f32(7, &dbeta, &db_len, "layerNormGrad: dbeta must be a Float32Array") || !args.int64(8, &rows, "layerNormGrad: rows must be an integer") ||
      !args.int64(9, &cols, "layerNormGrad: cols must be an integer")) {
    return nullptr;
  }
  const int64_t size = rows * cols;
  if (rows < 0 || cols < 1 || dy_len < size || x_len < size || dx_len < size || g_len < cols || dg_len < cols || db_len < cols || mean_len < rows ||
      rstd_len < rows) {
    return args.fail("layerNormGrad: a buffer is smaller than [rows, cols]"), nullptr;
  }
  layernorm_backward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols);
  return make_undefined(env);
}

// Reads the shape arguments shared by attention and attentionGrad, from index i:
// batch, time, heads, maskBatch, scale, skipFuture, dropoutRate, seed.
bool attention_shape(const Args& args, size_t i, int64_t channels3, AttentionShape* s) {
  int64_t batch, time, heads, mask_batch;
  double scale, rate, seed;
  bool skip;
  if (!args.int64(i, &batch, "attention: batch must be an integer") || !args.int64(i + 1, &time, "attention: time must be an integer") ||
      !args.int64(i + 2, &heads, "attention: heads must be an integer") || !args.int64(i + 3, &mask_batch, "attention: maskBatch must be an integer") ||
      !args.f64(i + 4, &scale, "attention: scale must be a number") || !args.boolean(i + 5, &skip, "attention: skipFuture must be a boolean") ||
      !args.f64(i + 6, &rate, "attention: dropoutRate must be a number") || !args.f64(i + 7, &seed, "attention: seed must be a number")) {
    return false;
  }
  if (batch < 1 || time < 1 || heads < 1 || channels3 % (3 * heads) != 0 || (mask_batch != 1 && mask_batch != batch)) {
    return args.fail("attention: bad shape (qkv width must be 3·heads·headDim, maskBatch 1 or batch)");
  }
  if (!(rate >= 0 && rate < 1)) return args.fail("attention: dropoutRate must be in [0, 1)");
  *s = AttentionShape{batch, time, heads, channels3 / (3 * heads), static_cast<float>(scale), mask_batch, skip, static_cast<float>(rate),
                      static_cast<uint64_t>(static_cast<int64_t>(seed))};
  return true;
}

// attention(qkv, mask, out, stats, batch, time, heads, maskBatch, scale, skipFuture, dropoutRate, seed): see attention.h
napi_value Attention(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *qkv, *mask, *out, *stats;
  int64_t qkv_len, mask_len, out_len, stats_len;
  if (!args.f32(0, &qkv, &qkv_len, "attention: qkv must be a Float32Array") || !args.f32(1, &mask, &mask_len, "attention: mask must be a Float32Array") ||
      !args.f32(2, &out, &out_len, "attention: out must be a Float32Array") || !args.f32(3, &stats, &stats_len, "attention: stats must be a Float32Array")) {
    return nullptr;
  }
  int64_t b = 0, t = 0;
  if (!args.int64(4, &b, "attention: batch must be an integer") || !args.int64(5, &t, "attention: time must be an integer") || b < 1 || t < 1) {
    return args.fail("attention: batch and time must be >= 1"), nullptr;
  }
  AttentionShape s;
  if (!attention_shape(args, 4, qkv_len / (b * t), &s)) return nullptr;
  const int64_t C = s.heads * s.head_dim;
  if (qkv_len != b * t * 3 * C || mask_len < s.mask_batch * t * t || out_len < b * t * C || stats_len < b * s.heads * t * 2) {
    return args.fail("attention: a buffer does not match [batch, time, 3C] / [maskBatch, time, time]"), nullptr;
  }
  attention_forward(s, qkv, mask, out, stats);
  return make_undefined(env);
}

// attentionGrad(qkv, mask, out, stats, dout, dqkv, batch, time, heads, maskBatch, scale, skipFuture, dropoutRate, seed)
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  Args args(env, info);
  float *qkv, *mask, *out, *stats, *dout, *dqkv;
  int64_t qkv_len, mask_len, out_len, stats_len, dout_len, dqkv_len;
  if (!args.f32(0, &qkv, &qkv_len, "attentionGrad: qkv must be a Float32Array") || !args.f32(1, &mask, &mask_len, "attentionGrad: mask must be a Float32Array") ||
      !args.f32(2, &out, &out_len, "attentionGrad: out must be a Float32Array") || !args.f32(3, &stats, &stats_len, "attentionGrad: stats must be a Float32Array") ||
      !args.f32(4, &dout, &dout_len, "attentionGrad: dout must be a Float32Array") || !args.f32(5, &dqkv, &dqkv_len, "attentionGrad: dqkv must be a Float32Array")) {
    return nullptr;
  }
  int64_t b = 0, t = 0;
  if (!args.int64(6, &b, "attentionGrad: batch must be an integer") || !args.int64(7, &t, "attentionGrad: time must be an integer") || b < 1 || t < 1) {
    return args.fail("attentionGrad: batch and time must be >= 1"), nullptr;
  }
  AttentionShape s;
  if (!attention_shape(args, 6, qkv_len / (b * t), &s)) return nullptr;
  const int64_t C = s.heads * s.head_dim;
  if (qkv_len != b * t * 3 * C || dqkv_len != qkv_len || mask_len < s.mask_batch * t * t || out_len < b * t * C || dout_len < b * t * C ||
      stats_len < b * s.heads * t * 2) {
    return args.fail("attentionGrad: a buffer does not match [batch, time, 3C] / [maskBatch, time, time]"), nullptr;
  }
  std::memset(dqkv, 0, static_cast<size_t>(dqkv_len) * sizeof(float));
  attention_backward(s, qkv, mask, out, stats, dout, dqkv);
  return make_undefined(env);
}

// sumSquares([x0, x1, ...], out): out[k] = Σ x_k²; see sum-squares.h
napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args args(env, info);
  bool is_array = false;
  if (args.argc < 2 || napi_is_array(env, args.argv[0], &is_array) != napi_ok || !is_array) {
    return args.fail("sumSquares: arrays must be an Array of Float32Array"), nullptr;
  }
  uint32_t count = 0;
  napi_get_array_length(env, args.argv[0], &count);
  float* out = nullptr;
  int64_t out_len = 0;
  if (!args.f32(1, &out, &out_len, "sumSquares: out must be a Float32Array")) return nullptr;
  if (out_len != static_cast<int64_t>(count)) return args.fail("sumSquares: out must have one value per array"), nullptr;
  std::vector<const float*> arrays(count);
  std::vector<int64_t> lengths(count);
  for (uint32_t k = 0; k < count; k++) {
    napi_value element;
    bool is_typed = false;
    napi_typedarray_type type;
    size_t len = 0;
    void* data = nullptr;
    if (napi_get_element(env, args.argv[0], k, &element) != napi_ok || napi_is_typedarray(env, element, &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env, element, &type, &len, &data, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
      return args.fail("sumSquares: every array must be a Float32Array"), nullptr;
    }
    arrays[k] = static_cast<const float*>(data);
    lengths[k] = static_cast<int64_t>(len);
  }
  sum_squares(arrays.data(), lengths.data(), out, count);
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
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slice", nullptr, Slice, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gelu", nullptr, Gelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluGrad", nullptr, GeluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropoutMask", nullptr, DropoutMask, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropoutApply", nullptr, DropoutApply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasGelu", nullptr, BiasGelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasGeluGrad", nullptr, BiasGeluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropy", nullptr, SoftmaxCrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropyGrad", nullptr, SoftmaxCrossEntropyGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tuneAllocator", nullptr, TuneAllocator, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace
}  // namespace tk

NAPI_MODULE_INIT() { return tk::Init(env, exports); }
