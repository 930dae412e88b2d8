// Small helpers to read N-API call arguments; each throws a JS TypeError
// and returns false on a bad argument, so bindings can `return nullptr`.
#pragma once

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <cstdint>

namespace tk {

struct Args {
  napi_env env;
  // The longest call, matmul with a low-rank term, passes 17 arguments.
  size_t argc = 20;
  napi_value argv[20];
  napi_value self;

  Args(napi_env e, napi_callback_info info) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, &self, nullptr);
  }

  bool fail(const char* message) const {
    napi_throw_type_error(env, nullptr, message);
    return false;
  }

  bool is_nullish(size_t i) const {
    if (i >= argc) return true;
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }

  bool int64(size_t i, int64_t* out, const char* what) const {
    if (i >= argc || napi_get_value_int64(env, argv[i], out) != napi_ok) return fail(what);
    return true;
  }

  bool f64(size_t i, double* out, const char* what) const {
    if (i >= argc || napi_get_value_double(env, argv[i], out) != napi_ok) return fail(what);
    return true;
  }

  bool boolean(size_t i, bool* out, const char* what) const {
    if (i >= argc || napi_get_value_bool(env, argv[i], out) != napi_ok) return fail(what);
    return true;
  }

  // A typed array of the given element type; `length` receives its element count.
  template <typename T>
  bool typed(size_t i, napi_typedarray_type want, T** data, int64_t* length, const char* what) const {
    bool is_typed = false;
    if (i >= argc || napi_is_typedarray(env, argv[i], &is_typed) != napi_ok || !is_typed) return fail(what);
    napi_typedarray_type type;
    size_t len;
    void* ptr;
    napi_value buffer;
    size_t offset;
    if (napi_get_typedarray_info(env, argv[i], &type, &len, &ptr, &buffer, &offset) != napi_ok || type != want) {
      return fail(what);
    }
    *data = static_cast<T*>(ptr);
    *length = static_cast<int64_t>(len);
    return true;
  }

  bool f32(size_t i, float** data, int64_t* length, const char* what) const {
    return typed(i, napi_float32_array, data, length, what);
  }

  bool i32(size_t i, int32_t** data, int64_t* length, const char* what) const {
    return typed(i, napi_int32_array, data, length, what);
  }
};

inline napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

inline napi_value make_string(napi_env env, const char* s) {
  napi_value out;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &out);
  return out;
}

inline napi_value make_undefined(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

}  // namespace tk
