// Argument checking at the N-API boundary: every kernel argument is read through Args (positional
// arguments) or Fields (the fields of a shape struct such as AttentionShape), which throw ArgError,
// turned by guarded() into a JS TypeError or RangeError naming the kernel and the argument, instead
// of letting a wrong type or a short array reach a kernel.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

namespace tt {

struct ArgError {
  bool range;  // RangeError (a bad size or value) rather than TypeError (a bad type)
  std::string message;
};

// An argument's name in error messages: `arg`, or `arg.field` for a field of a struct argument.
// Kept as pointers to literals, and spelled out only when a check fails.
struct Name {
  Name(const char* arg, const char* field = nullptr) : arg(arg), field(field) {}
  std::string str() const { return field == nullptr ? arg : std::string(arg) + "." + field; }
  const char* arg;
  const char* field;
};

template <class T>
struct ArrayTraits;
template <>
struct ArrayTraits<float> {
  static constexpr napi_typedarray_type type = napi_float32_array;
  static constexpr const char* name = "a Float32Array";
};
template <>
struct ArrayTraits<int32_t> {
  static constexpr napi_typedarray_type type = napi_int32_array;
  static constexpr const char* name = "an Int32Array";
};
template <>
struct ArrayTraits<uint16_t> {  // bf16 bits
  static constexpr napi_typedarray_type type = napi_uint16_array;
  static constexpr const char* name = "a Uint16Array";
};
template <>
struct ArrayTraits<int8_t> {  // int8 weights
  static constexpr napi_typedarray_type type = napi_int8_array;
  static constexpr const char* name = "an Int8Array";
};

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel) : info_(info), kernel_(kernel) {}

  // A typed array of element type T with at least `need` elements.
  template <class T>
  T* array(size_t i, const char* name, int64_t need) const {
    napi_typedarray_type type;
    size_t length;
    void* data;
    if (!is_typed_array(i, &type, &length, &data) || type != ArrayTraits<T>::type) {
      std::string what = std::string("must be ") + ArrayTraits<T>::name;
      if (type == napi_float64_array && ArrayTraits<T>::type == napi_float32_array)
        what = "is a Float64Array, but the native backend is float32 only";
      fail(false, name, what);
    }
    if (static_cast<int64_t>(length) < need)
      fail(true, name,
           "has " + std::to_string(length) + " elements, needs " + std::to_string(need));
    return static_cast<T*>(data);
  }

  template <class T>
  T* array_or_null(size_t i, const char* name, int64_t need) const {
    return info_[i].IsNull() || info_[i].IsUndefined() ? nullptr : array<T>(i, name, need);
  }

  // The element type of a typed-array argument, for kernels that accept float32 or int32.
  napi_typedarray_type array_type(size_t i, const char* name) const {
    napi_typedarray_type type;
    size_t length;
    void* data;
    if (!is_typed_array(i, &type, &length, &data)) fail(false, name, "must be a typed array");
    return type;
  }

  // The element count of a typed-array argument already read with array().
  int64_t length(size_t i) const { return info_[i].As<Napi::TypedArray>().ElementLength(); }

  double number(size_t i, const char* name) const { return number(info_[i], name); }
  int64_t count(size_t i, const char* name) const { return count(info_[i], name); }
  int32_t int32(size_t i, const char* name) const { return int32(info_[i], name); }
  uint32_t uint32(size_t i, const char* name) const { return uint32(info_[i], name); }
  bool flag(size_t i, const char* name) const { return flag(info_[i], name); }

  // The same checks on any value: a positional argument or a field of a struct argument.
  double number(const Napi::Value& v, Name name) const {
    double x;  // one N-API call, which also checks the type
    if (napi_get_value_double(info_.Env(), v, &x) != napi_ok) fail(false, name, "must be a number");
    return x;
  }

  // A non-negative integer count below 2^40, so products of a few of them stay within int64.
  int64_t count(const Napi::Value& v, Name name) const {
    double x = number(v, name);
    if (!(x >= 0 && x < 1099511627776.0) || x != static_cast<double>(static_cast<int64_t>(x)))
      fail(true, name, "must be a non-negative integer, got " + std::to_string(x));
    return static_cast<int64_t>(x);
  }

  int32_t int32(const Napi::Value& v, Name name) const {
    double x = number(v, name);
    if (!(x >= -2147483648.0 && x <= 2147483647.0) ||
        x != static_cast<double>(static_cast<int32_t>(x)))
      fail(true, name, "must be an int32");
    return static_cast<int32_t>(x);
  }

  // An integer taken modulo 2^32, as JavaScript's `>>> 0` and Math.imul do.
  uint32_t uint32(const Napi::Value& v, Name name) const {
    double x = number(v, name);
    if (!(x > -9007199254740992.0 && x < 9007199254740992.0) ||
        x != static_cast<double>(static_cast<int64_t>(x)))
      fail(true, name, "must be an integer");
    return static_cast<uint32_t>(static_cast<int64_t>(x));
  }

  bool flag(const Napi::Value& v, Name name) const {
    bool b;
    if (napi_get_value_bool(info_.Env(), v, &b) != napi_ok) fail(false, name, "must be a boolean");
    return b;
  }

  // A plain object argument: a shape struct whose fields are then read with Fields.
  Napi::Object object(size_t i, const char* name) const {
    if (!info_[i].IsObject() || info_[i].IsTypedArray() || info_[i].IsArray())
      fail(false, name, "must be an object");
    return info_[i].As<Napi::Object>();
  }

  [[noreturn]] void fail(bool range, Name name, const std::string& what) const {
    throw ArgError{range, std::string(kernel_) + ": argument '" + name.str() + "' " + what};
  }

  Napi::Env env() const { return info_.Env(); }

 private:
  bool is_typed_array(size_t i, napi_typedarray_type* type, size_t* length, void** data) const {
    *type = napi_int8_array;
    if (i >= info_.Length() || !info_[i].IsTypedArray()) return false;
    napi_value buffer;
    size_t byte_offset;  // data already points at the view's first element
    return napi_get_typedarray_info(info_.Env(), info_[i], type, length, data, &buffer,
                                    &byte_offset) == napi_ok;
  }

  const Napi::CallbackInfo& info_;
  const char* kernel_;
};

// The fields of a struct argument (AttentionShape, SparseAttentionShape, AdamParams in
// src/backend/backend.ts), checked as Args checks positional arguments; errors name `struct.field`.
class Fields {
 public:
  Fields(const Args& a, size_t i, const char* name)
      : a_(a), object_(a.object(i, name)), name_(name) {}

  double number(const char* field) const { return a_.number(get(field), {name_, field}); }
  int64_t count(const char* field) const { return a_.count(get(field), {name_, field}); }
  uint32_t uint32(const char* field) const { return a_.uint32(get(field), {name_, field}); }
  bool flag(const char* field) const { return a_.flag(get(field), {name_, field}); }

 private:
  Napi::Value get(const char* field) const {
    napi_value value;
    Napi::Env env = a_.env();
    if (napi_get_named_property(env, object_, field, &value) != napi_ok) {
      napi_value thrown;  // by a getter: report it as a bad argument instead
      napi_get_and_clear_last_exception(env, &thrown);
      a_.fail(false, {name_, field}, "cannot be read");
    }
    return Napi::Value(env, value);
  }

  const Args& a_;
  Napi::Object object_;
  const char* name_;
};

inline int64_t mul(const Args& a, const char* name, int64_t x, int64_t y) {
  int64_t r;
  if (__builtin_mul_overflow(x, y, &r)) a.fail(true, name, "describes too many elements");
  return r;
}

// Indices a kernel follows must lie in [0, limit), or equal `skip`: a stray one would write outside
// an array.
inline void check_indices(const Args& a, const char* name, const int32_t* ids, int64_t n,
                          int64_t limit, int64_t skip = -(int64_t(1) << 40)) {
  for (int64_t i = 0; i < n; i++)
    if ((ids[i] < 0 || ids[i] >= limit) && ids[i] != skip)
      a.fail(true, name, "has " + std::to_string(ids[i]) + " at " + std::to_string(i) +
                             ", outside [0, " + std::to_string(limit) + ")");
}

// An op code of an enum whose last enumerator counts the ops (kBinaryOps, kUnaryOps, kReduceOps).
inline int op_code(const Args& a, size_t i, int count) {
  int32_t op = a.int32(i, "op");
  if (op < 0 || op >= count) a.fail(true, "op", "is not a valid op code: " + std::to_string(op));
  return op;
}

// Runs a kernel binding, converting argument errors into JS exceptions.
template <class Body>
Napi::Value guarded(const Napi::CallbackInfo& info, Body body) {
  Napi::Env env = info.Env();
  try {
    body();
  } catch (const ArgError& e) {
    if (e.range) {
      Napi::RangeError::New(env, e.message).ThrowAsJavaScriptException();
    } else {
      Napi::TypeError::New(env, e.message).ThrowAsJavaScriptException();
    }
  } catch (const std::exception& e) {
    Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace tt
