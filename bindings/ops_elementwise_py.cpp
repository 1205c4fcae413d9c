// Element-wise ops for Python: Tensor operators (incl. reflected and in-place), module functions
// tb.add ..., methods t.add / t.add_, out=, type promotion helpers, and mixing with NumPy arrays
// (numpy_bridge.md §5). Operators are direct nanobind methods: the 4-element `t + t` path costs
// one type check per operand and one output allocation.
#include <Python.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/autograd/record.h"
#include "tensorbridge/backend/cpu/elementwise_functors.h"
#include "tensorbridge/backend/cpu/parallel.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops/creation.h"
#include "tensorbridge/ops/complex.h"
#include "tensorbridge/ops/elementwise.h"
#include "tensorbridge/ops/view.h"

namespace tbpy {

namespace {

using tb::BinaryOp;
using tb::UnaryOp;

// Above this many elements the GIL is released while the kernel runs.

inline tb::Tensor* as_tensor(nb::handle h) {
  return nb::isinstance<tb::Tensor>(h) ? nb::inst_ptr<tb::Tensor>(h) : nullptr;
}

// A Python number as torch's argument parser reads it: Python and NumPy scalars are wrapped
// numbers; np.bool_ counts as a float and np.complex64 as its real part (torch quirks, §5.2).
bool number_from_py(nb::handle h, tb::Scalar& out) {
  PyObject* o = h.ptr();
  if (PyFloat_Check(o)) { out = tb::Scalar(PyFloat_AS_DOUBLE(o)); return true; }
  if (PyBool_Check(o)) { out = tb::Scalar(o == Py_True); return true; }
  if (PyLong_Check(o)) { out = scalar_from_py(h); return true; }
  if (PyComplex_Check(o)) {
    Py_complex c = PyComplex_AsCComplex(o);
    out = tb::Scalar(std::complex<double>(c.real, c.imag));
    return true;
  }
  if (!is_scalar_like(h)) return false;
  const char* name = Py_TYPE(o)->tp_name;
  if (std::strcmp(name, "numpy.bool") == 0 || std::strcmp(name, "numpy.bool_") == 0) {
    out = tb::Scalar(PyObject_IsTrue(o) == 1 ? 1.0 : 0.0);
    return true;
  }
  if (std::strcmp(name, "numpy.complex64") == 0) {
    double d = PyFloat_AsDouble(o);  // NumPy warns that the imaginary part is discarded
    if (d == -1.0 && PyErr_Occurred()) throw nb::python_error();
    out = tb::Scalar(d);
    return true;
  }
  out = scalar_from_py(h);
  return true;
}

// Tensor or number, or nullopt for anything else (the caller decides: NotImplemented/TypeError).
std::optional<tb::Operand> operand_from_py(nb::handle h) {
  if (tb::Tensor* t = as_tensor(h)) return tb::Operand(*t);
  tb::Scalar s;
  if (number_from_py(h, s)) return tb::Operand(s);
  return std::nullopt;
}

tb::Operand operand_or_throw(nb::handle h, const char* fn, const char* arg) {
  if (auto o = operand_from_py(h)) return *o;
  throw tb::TypeError(std::string(fn) + "(): argument '" + arg + "' must be Tensor or Number, not " +
                      py_type_name(h));
}

int64_t numel_of_operand(const tb::Operand& o) { return o.is_scalar ? 1 : o.tensor.numel(); }

bool is_ordering(BinaryOp op) {
  return op == BinaryOp::lt || op == BinaryOp::le || op == BinaryOp::gt || op == BinaryOp::ge;
}

// NumPy's complex power (what torch returns for `t ** nd`): x ** 0 is 1 (nan ** 0 included);
// 0 ** y is 0 when Re(y) > 0, else nan; integer exponents |n| < 100 multiply by squaring (a
// negative one takes the reciprocal at the end); anything else is the C library's cpow.
template <typename T>
T numpy_cpow(T x, T y) {
  using R = typename T::value_type;
  const R nan = std::numeric_limits<R>::quiet_NaN();
  if (y == T(0)) return T(1);
  if (x == T(0)) return y.real() > 0 ? T(0) : T(nan, nan);
  const R n = y.real();
  if (y.imag() == 0 && n == std::trunc(n) && std::fabs(n) < 100) {
    using tb::cpu::fn::cmul;
    if (n == 1) return x;
    if (n == 2) return cmul(x, x);
    if (n == 3) return cmul(x, cmul(x, x));
    int64_t k = int64_t(std::fabs(n));
    T acc(1), sq = x;
    for (;;) {
      if (k & 1) acc = cmul(acc, sq);
      k >>= 1;
      if (k == 0) break;
      sq = cmul(sq, sq);
    }
    return n < 0 ? tb::cpu::fn::cdiv(T(1), acc) : acc;
  }
  return std::pow(x, y);
}

tb::Tensor numpy_complex_pow(const tb::Tensor& a, const tb::Tensor& b) {
  const tb::Shape shape = tb::broadcast_shapes(a.shape(), b.shape());
  const tb::Tensor ac = tb::contiguous(tb::expand(a, shape));
  const tb::Tensor bc = tb::contiguous(tb::expand(b, shape));
  tb::Tensor res = tb::empty(shape, a.dtype());
  tb::dispatch_dtype(a.dtype(), [&]<typename T>() {
    if constexpr (tb::is_complex_v<T>) {
      const T* x = ac.data<T>();
      const T* y = bc.data<T>();
      T* o = res.data<T>();
      for (int64_t i = 0; i < res.numel(); ++i) o[i] = numpy_cpow(x[i], y[i]);
    }
  });
  return res;
}

// t OP nd / nd OP t. torch hands these to NumPy (t converted by __array__), so the result dtype is
// NumPy's promotion; == and != use torch's own semantics; <, <=, >, >= are refused (TypeError).
nb::object numpy_binop(BinaryOp op, const tb::Tensor& t, nb::handle nd, bool reflected) {
  if (is_ordering(op) || op == BinaryOp::ne) return nb::borrow(Py_NotImplemented);  // as torch
  tb::Tensor n = tensor_from_ndarray(nd);
  if (op == BinaryOp::eq) return wrap(reflected ? tb::binary(op, n, t) : tb::binary(op, t, n));
  tb::DType r = tb::numpy_promote_types(t.dtype(), n.dtype());
  if (op == BinaryOp::div && tb::is_integral(r, true)) r = tb::DType::Float64;
  if (r == tb::DType::Bool) {
    if (op == BinaryOp::sub)
      throw tb::TypeError("numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, "
                          "the `^` operator, or the logical_xor function instead.");
    if (op == BinaryOp::div_floor || op == BinaryOp::remainder || op == BinaryOp::pow)
      r = tb::DType::Int8;  // NumPy has no bool loop for these: it uses int8
  }
  tb::Tensor a = tb::to_dtype(t, r), b = tb::to_dtype(n, r);
  if (reflected) std::swap(a, b);
  if (op == BinaryOp::pow && tb::is_integral(r, false) &&
      !tb::equal(tb::binary(BinaryOp::lt, b, tb::Scalar(int64_t(0))), tb::zeros(b.shape(), tb::DType::Bool)))
    throw tb::ValueError("Integers to negative integer powers are not allowed.");
  try {
    tb::Tensor res = op == BinaryOp::pow && tb::is_complex(r) ? numpy_complex_pow(a, b) : tb::binary(op, a, b);
    // torch wraps NumPy's bool results back as uint8 tensors
    if (res.dtype() == tb::DType::Bool) res = tb::to_dtype(res, tb::DType::UInt8);
    return wrap(std::move(res));
  } catch (const tb::NotImplementedError& e) {
    // NumPy refuses ufuncs without a loop for the dtype with a TypeError
    throw tb::TypeError(std::string("ufunc not supported for the input types: ") + e.what());
  }
}

// The body of every binary operator method: self OP other (or other OP self when reflected).
nb::object binop(BinaryOp op, const tb::Tensor& self, nb::handle other, bool reflected) {
  std::optional<tb::Operand> b = operand_from_py(other);
  if (!b) {
    if (is_ndarray(other)) return numpy_binop(op, self, other, reflected);
    return nb::borrow(Py_NotImplemented);
  }
  const tb::Operand a(self);
  const int64_t work = std::max(self.numel(), numel_of_operand(*b));
  if (reflected && op == BinaryOp::div && b->is_scalar)  // torch: number / t is t.reciprocal() * number
    return wrap(maybe_release_gil(work, [&] { return tb::binary(BinaryOp::mul, tb::unary(UnaryOp::reciprocal, self), *b); }));
  // torch's __radd__/__rmul__ are add/mul(self, other): the number stays the second operand, which
  // decides float16 rounding and complex special values (Notes [reduced-float opmath], [complex
  // arithmetic]); the other reflected operators put it first
  const bool swap = reflected && op != BinaryOp::mul && op != BinaryOp::add;
  tb::Tensor r = maybe_release_gil(work, [&] { return swap ? tb::binary(op, *b, a) : tb::binary(op, a, *b); });
  return wrap(std::move(r));
}

// In-place operator (t += x): anything but a tensor or number declines, so that Python falls back
// to t = t + x (torch: `t += nd` rebinds t to the NumPy-computed tensor).
nb::object ibinop(BinaryOp op, nb::handle self_h, nb::handle other) {
  tb::Tensor& self = *nb::inst_ptr<tb::Tensor>(self_h);
  std::optional<tb::Operand> b = operand_from_py(other);
  if (!b) return nb::borrow(Py_NotImplemented);
  maybe_release_gil(self.numel(), [&] { tb::binary_(op, self, *b); });
  return nb::borrow(self_h);
}

// Docstrings live for the whole process (nanobind keeps the pointer).
const char* keep(std::string s) {
  static std::vector<std::unique_ptr<std::string>> store;
  store.push_back(std::make_unique<std::string>(std::move(s)));
  return store.back()->c_str();
}

struct BinaryRow {
  const char* name;  // module function / method name
  BinaryOp op;
  const char* doc;
  bool tensor_only = false;  // torch takes no number for `other` (TypeError)
};

// Module functions and methods of the plain binary ops (add/sub/div have their own bindings).
const BinaryRow kBinaryRows[] = {
    {"mul", BinaryOp::mul, "Element-wise product, with broadcasting and type promotion."},
    {"multiply", BinaryOp::mul, "Alias of mul."},
    {"true_divide", BinaryOp::div, "True division (integers give the default float dtype)."},
    {"floor_divide", BinaryOp::div_floor, "Division rounded towards negative infinity."},
    {"remainder", BinaryOp::remainder, "Python-style modulus: the result has the sign of the divisor."},
    {"fmod", BinaryOp::fmod, "C-style modulus: the result has the sign of the dividend."},
    {"atan2", BinaryOp::atan2, "Element-wise arctangent of input / other, in the right quadrant.", true},
    {"arctan2", BinaryOp::atan2, "Alias of atan2.", true},
    {"minimum", BinaryOp::minimum, "Element-wise minimum (NaN propagates).", true},
    {"maximum", BinaryOp::maximum, "Element-wise maximum (NaN propagates).", true},
    {"bitwise_and", BinaryOp::bitwise_and, "Bitwise AND of integer or bool tensors."},
    {"bitwise_or", BinaryOp::bitwise_or, "Bitwise OR of integer or bool tensors."},
    {"bitwise_xor", BinaryOp::bitwise_xor, "Bitwise XOR of integer or bool tensors."},
    {"bitwise_left_shift", BinaryOp::bitwise_left_shift, "Left shift of integer tensors."},
    {"bitwise_right_shift", BinaryOp::bitwise_right_shift, "Arithmetic right shift of integer tensors."},
    {"logical_and", BinaryOp::logical_and, "Element-wise logical AND (nonzero is true); bool result.", true},
    {"logical_or", BinaryOp::logical_or, "Element-wise logical OR (nonzero is true); bool result.", true},
    {"logical_xor", BinaryOp::logical_xor, "Element-wise logical XOR (nonzero is true); bool result.", true},
    {"eq", BinaryOp::eq, "Element-wise ==, bool result."},
    {"ne", BinaryOp::ne, "Element-wise !=, bool result."},
    {"not_equal", BinaryOp::ne, "Alias of ne."},
    {"lt", BinaryOp::lt, "Element-wise <, bool result."},
    {"less", BinaryOp::lt, "Alias of lt."},
    {"le", BinaryOp::le, "Element-wise <=, bool result."},
    {"less_equal", BinaryOp::le, "Alias of le."},
    {"gt", BinaryOp::gt, "Element-wise >, bool result."},
    {"greater", BinaryOp::gt, "Alias of gt."},
    {"ge", BinaryOp::ge, "Element-wise >=, bool result."},
    {"greater_equal", BinaryOp::ge, "Alias of ge."},
};

struct UnaryRow {
  const char* name;
  UnaryOp op;
  bool inplace;
  const char* doc;
};

const UnaryRow kUnaryRows[] = {
    {"neg", UnaryOp::neg, true, "Element-wise negation."},
    {"negative", UnaryOp::neg, true, "Alias of neg."},
    {"abs", UnaryOp::abs, true, "Element-wise absolute value (complex gives the real magnitude)."},
    {"absolute", UnaryOp::abs, true, "Alias of abs."},
    {"sign", UnaryOp::sign, true, "Element-wise sign: -1, 0 or 1."},
    {"floor", UnaryOp::floor, true, "Element-wise floor."},
    {"ceil", UnaryOp::ceil, true, "Element-wise ceiling."},
    {"trunc", UnaryOp::trunc, true, "Element-wise rounding towards zero."},
    {"fix", UnaryOp::trunc, true, "Alias of trunc."},
    {"relu", UnaryOp::relu, true, "max(x, 0) element-wise."},
    {"bitwise_not", UnaryOp::bitwise_not, true, "Bitwise NOT of integer or bool tensors."},
    {"logical_not", UnaryOp::logical_not, true, "Element-wise logical NOT; bool result."},
    {"isnan", UnaryOp::isnan, false, "True where the element is NaN."},
    {"isinf", UnaryOp::isinf, false, "True where the element is +-inf."},
    {"isfinite", UnaryOp::isfinite, false, "True where the element is neither NaN nor infinite."},
    {"exp", UnaryOp::exp, true, "e ** x element-wise."},
    {"exp2", UnaryOp::exp2, true, "2 ** x element-wise."},
    {"expm1", UnaryOp::expm1, true, "exp(x) - 1, accurate near 0."},
    {"log", UnaryOp::log, true, "Natural logarithm."},
    {"log2", UnaryOp::log2, true, "Base-2 logarithm."},
    {"log10", UnaryOp::log10, true, "Base-10 logarithm."},
    {"log1p", UnaryOp::log1p, true, "log(1 + x), accurate near 0."},
    {"sqrt", UnaryOp::sqrt, true, "Square root."},
    {"rsqrt", UnaryOp::rsqrt, true, "1 / sqrt(x)."},
    {"sin", UnaryOp::sin, true, "Sine."},
    {"cos", UnaryOp::cos, true, "Cosine."},
    {"tan", UnaryOp::tan, true, "Tangent."},
    {"asin", UnaryOp::asin, true, "Arcsine."},
    {"arcsin", UnaryOp::asin, true, "Alias of asin."},
    {"acos", UnaryOp::acos, true, "Arccosine."},
    {"arccos", UnaryOp::acos, true, "Alias of acos."},
    {"atan", UnaryOp::atan, true, "Arctangent."},
    {"arctan", UnaryOp::atan, true, "Alias of atan."},
    {"sinh", UnaryOp::sinh, true, "Hyperbolic sine."},
    {"cosh", UnaryOp::cosh, true, "Hyperbolic cosine."},
    {"tanh", UnaryOp::tanh, true, "Hyperbolic tangent."},
    {"sigmoid", UnaryOp::sigmoid, true, "1 / (1 + exp(-x))."},
    {"erf", UnaryOp::erf, true, "The error function."},
    {"reciprocal", UnaryOp::reciprocal, true, "1 / x (integers give the default float dtype)."},
};

void require_tensor(nb::handle other, const char* fn) {
  if (!as_tensor(other))
    throw tb::TypeError(std::string(fn) + "(): argument 'other' (position 2) must be Tensor, not " +
                        py_type_name(other));
}

tb::Tensor* optional_out(nb::handle out, const char* fn) {
  if (!out.is_valid() || out.is_none()) return nullptr;
  tb::Tensor* t = as_tensor(out);
  if (!t) throw tb::TypeError(std::string(fn) + "(): argument 'out' must be Tensor, not " + py_type_name(out));
  return t;
}

// The argument types torch's "invalid combination of arguments" message lists.
std::string arg_type_name(nb::handle h) { return as_tensor(h) ? std::string("Tensor") : py_type_name(h); }

bool has_out(nb::handle out) { return out.is_valid() && !out.is_none(); }

// torch's TypeError for a number `input` that no overload of the function takes (two numbers for
// remainder, pow and the bitwise functions; any number for fmod and the comparisons; the
// single-signature functions name the argument).
[[noreturn]] void throw_number_input(BinaryOp op, const char* fn, nb::handle input, nb::handle other,
                                     nb::handle out) {
  const std::string head = std::string(fn) + "() received an invalid combination of arguments - got (" +
                           arg_type_name(input) + ", " + arg_type_name(other) +
                           (has_out(out) ? ", out=" + arg_type_name(out) : std::string()) +
                           "), but expected one of:\n";
  const char* tensor_tensor = " * (Tensor input, Tensor other, *, Tensor out = None)\n";
  const char* tensor_number = " * (Tensor input, Number other, *, Tensor out = None)\n";
  switch (op) {
    case BinaryOp::pow:
      throw tb::TypeError(head + " * (Tensor input, Tensor exponent, *, Tensor out = None)\n"
                                 " * (Number self, Tensor exponent, *, Tensor out = None)\n"
                                 " * (Tensor input, Number exponent, *, Tensor out = None)\n");
    case BinaryOp::remainder:
    case BinaryOp::bitwise_and:
    case BinaryOp::bitwise_or:
    case BinaryOp::bitwise_xor:
    case BinaryOp::bitwise_left_shift:
    case BinaryOp::bitwise_right_shift: {
      std::string m = head + tensor_tensor + " * (Number self, Tensor other)\n";
      if (!has_out(out))  // (torch explains the one overload that takes the arguments as given)
        m += "      didn't match because some of the arguments have invalid types: (!" + arg_type_name(input) +
             "!, !" + arg_type_name(other) + "!)\n";
      throw tb::TypeError(m + tensor_number);
    }
    case BinaryOp::fmod:
    case BinaryOp::eq:
    case BinaryOp::ne:
    case BinaryOp::lt:
    case BinaryOp::le:
    case BinaryOp::gt:
    case BinaryOp::ge:
      throw tb::TypeError(head + tensor_tensor + tensor_number);
    default:
      throw tb::TypeError(std::string(fn) + "(): argument 'input' (position 1) must be Tensor, not " +
                          py_type_name(input));
  }
}

// Two numbers: torch's add, sub, mul and div (all rounding modes, floor_divide, true_divide) take
// them as wrapped numbers, so the result is a 0-d tensor of their result_type (add(3, 3) int64,
// add(3.0, 2) float32): `a` becomes a 0-d tensor of that dtype, which keeps the promotion -- a bool
// stays bool (the same promotion), so that sub(True, 1) fails as torch's bool subtraction. A Python
// int past int64 is a uint64 wrapped number, which torch promotes with a float only.
bool takes_two_numbers(BinaryOp op) {
  return op == BinaryOp::add || op == BinaryOp::sub || op == BinaryOp::mul || op == BinaryOp::div ||
         op == BinaryOp::div_floor || op == BinaryOp::div_trunc;
}

tb::Operand wrapped_number_pair(BinaryOp op, const tb::Operand& a, const tb::Operand& b) {
  const bool ua = a.scalar.kind() == tb::Scalar::Kind::UInt, ub = b.scalar.kind() == tb::Scalar::Kind::UInt;
  const bool bool_sub = op == BinaryOp::sub && (a.scalar.is_bool() || b.scalar.is_bool());  // (fails first)
  if (ua && ub) return tb::Operand(tb::full({}, a.scalar, tb::DType::UInt64));
  if ((ua || ub) && !(ua ? b : a).scalar.is_floating_point() && !bool_sub) {
    auto name = [](const tb::Scalar& v) {
      return v.is_bool() ? "Bool" : v.is_complex() ? "ComplexFloat" : v.kind() == tb::Scalar::Kind::UInt ? "UInt64" : "Long";
    };
    throw tb::RuntimeError(std::string("Promotion for uint16, uint32, uint64 types is not supported, attempted to "
                                       "promote ") + name(a.scalar) + " and " + name(b.scalar));
  }
  const tb::DType dt = a.scalar.is_bool() ? tb::DType::Bool : tb::result_type(a.scalar, b.scalar);
  return tb::Operand(tb::full({}, a.scalar, dt));
}

// A binary op called as a function: (input, other) may be tensors or numbers (see throw_number_input
// and takes_two_numbers for which functions take a number `input`).
nb::object call_binary(BinaryOp op, const char* fn, nb::handle input, nb::handle other, nb::handle out_h) {
  tb::Operand a = operand_or_throw(input, fn, "input");
  tb::Operand b = operand_or_throw(other, fn, "other");
  // torch takes a number `input` only for the arithmetic and bitwise functions
  const bool number_input_ok = op == BinaryOp::mul || op == BinaryOp::div || op == BinaryOp::div_floor ||
                               op == BinaryOp::div_trunc || op == BinaryOp::remainder || op == BinaryOp::pow ||
                               op == BinaryOp::bitwise_and || op == BinaryOp::bitwise_or ||
                               op == BinaryOp::bitwise_xor || op == BinaryOp::bitwise_left_shift ||
                               op == BinaryOp::bitwise_right_shift;
  if (a.is_scalar && b.is_scalar && takes_two_numbers(op)) a = wrapped_number_pair(op, a, b);
  else if (a.is_scalar && (b.is_scalar || !number_input_ok)) throw_number_input(op, fn, input, other, out_h);
  const int64_t work = std::max(numel_of_operand(a), numel_of_operand(b));
  if (tb::Tensor* out = optional_out(out_h, fn)) {
    maybe_release_gil(work, [&] { tb::binary_out(op, a, b, *out); });
    return nb::borrow(out_h);
  }
  return wrap(maybe_release_gil(work, [&] { return tb::binary(op, a, b); }));
}

std::optional<tb::Operand> optional_operand(nb::handle h, const char* fn, const char* arg) {
  if (!h.is_valid() || h.is_none()) return std::nullopt;
  return operand_or_throw(h, fn, arg);
}

// clamp's bounds as torch's argument parser picks the overload: tensors (or None) take the Tensor
// overload; any number takes the Number overload, which reads a 0-d tensor as its number and
// refuses any other tensor (TypeError). See Note [clamp checks] in ops/elementwise.cpp.
using Bounds = std::pair<std::optional<tb::Operand>, std::optional<tb::Operand>>;
Bounds clamp_bounds(const char* fn, nb::handle min, nb::handle max, bool method) {
  Bounds b{optional_operand(min, fn, "min"), optional_operand(max, fn, "max")};
  const bool numbers = (b.first && b.first->is_scalar) || (b.second && b.second->is_scalar);
  if (!numbers) return b;
  for (std::optional<tb::Operand>* o : {&b.first, &b.second}) {
    if (!*o || (*o)->is_scalar) continue;
    if ((*o)->tensor.dim() == 0) {
      *o = tb::Operand(tb::item((*o)->tensor));
      continue;
    }
    const bool has_max = max.is_valid() && !max.is_none();
    std::string got = (method ? "" : "Tensor, ") + arg_type_name(min) + (has_max ? ", " + arg_type_name(max) : "");
    std::string m = std::string(fn) + "() received an invalid combination of arguments - got (" + got +
                    "), but expected one of:\n";
    if (method) {
      const std::string why = "      didn't match because some of the arguments have invalid types: (!" +
                              arg_type_name(min) + (has_max ? "!, !" + arg_type_name(max) : "") + "!)\n";
      m += " * (Tensor min = None, Tensor max = None)\n" + why + " * (Number min = None, Number max = None)\n" + why;
    } else {
      m += " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
           " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n";
    }
    throw tb::TypeError(m);
  }
  return b;
}

// clamp_min / clamp_max: a tensor bound is maximum / minimum; a number promotes even a floating
// input (so a complex number fails as clamp does), then clamps.
tb::Tensor clamp_one(const tb::Tensor& x, const tb::Operand& v, bool is_min) {
  if (!v.is_scalar) {
    const tb::DType r = tb::result_type(x, v.tensor);
    if (tb::is_complex(r))  // (the kernel's error, not maximum's "not implemented for complex tensors")
      throw tb::NotImplementedError(std::string(is_min ? "\"maximum_cpu\"" : "\"minimum_cpu\"") +
                                    " not implemented for '" + std::string(tb::dtype_legacy_name(r)) + "'");
    return tb::binary(is_min ? BinaryOp::maximum : BinaryOp::minimum, x, v.tensor);
  }
  if (tb::is_complex(tb::result_type(x, v.scalar)))
    throw tb::NotImplementedError("clamp is not supported for complex types");
  return is_min ? tb::clamp(x, v, std::nullopt) : tb::clamp(x, std::nullopt, v);
}

nb::object call_alpha(bool is_add, const char* fn, nb::handle input, nb::handle other, nb::handle alpha_h,
                      nb::handle out_h) {
  tb::Operand a = operand_or_throw(input, fn, "input");
  tb::Operand b = operand_or_throw(other, fn, "other");
  tb::Scalar alpha = scalar_from_py(alpha_h);
  if (a.is_scalar && b.is_scalar) a = wrapped_number_pair(is_add ? BinaryOp::add : BinaryOp::sub, a, b);
  const int64_t work = std::max(numel_of_operand(a), numel_of_operand(b));
  if (tb::Tensor* out = optional_out(out_h, fn)) {
    maybe_release_gil(work, [&] { is_add ? tb::add_out(a, b, alpha, *out) : tb::sub_out(a, b, alpha, *out); });
    return nb::borrow(out_h);
  }
  return wrap(maybe_release_gil(work, [&] { return is_add ? tb::add(a, b, alpha) : tb::sub(a, b, alpha); }));
}

nb::object call_unary(UnaryOp op, const char* fn, nb::handle input, nb::handle out_h) {
  const tb::Tensor& x = tensor_from_py(input, fn, "input");
  if ((op == UnaryOp::isnan || op == UnaryOp::isinf || op == UnaryOp::isfinite) && out_h.is_valid() &&
      !out_h.is_none())
    throw tb::TypeError(std::string(fn) + "() got an unexpected keyword argument 'out'");
  if (tb::Tensor* out = optional_out(out_h, fn)) {
    maybe_release_gil(x.numel(), [&] { tb::unary_out(op, x, *out); });
    return nb::borrow(out_h);
  }
  return wrap(maybe_release_gil(x.numel(), [&] { return tb::unary(op, x); }));
}

void bind_operators(TensorClass& cls) {
  struct OpRow {
    const char* fwd;
    const char* rev;
    const char* inp;
    BinaryOp op;
  };
  static const OpRow rows[] = {
      {"__add__", "__radd__", "__iadd__", BinaryOp::add},
      {"__sub__", "__rsub__", "__isub__", BinaryOp::sub},
      {"__mul__", "__rmul__", "__imul__", BinaryOp::mul},
      {"__truediv__", "__rtruediv__", "__itruediv__", BinaryOp::div},
      {"__floordiv__", "__rfloordiv__", "__ifloordiv__", BinaryOp::div_floor},
      {"__mod__", "__rmod__", "__imod__", BinaryOp::remainder},
      {"__pow__", "__rpow__", "__ipow__", BinaryOp::pow},
      {"__and__", "__rand__", "__iand__", BinaryOp::bitwise_and},
      {"__or__", "__ror__", "__ior__", BinaryOp::bitwise_or},
      {"__xor__", "__rxor__", "__ixor__", BinaryOp::bitwise_xor},
      {"__lshift__", "__rlshift__", "__ilshift__", BinaryOp::bitwise_left_shift},
      {"__rshift__", "__rrshift__", "__irshift__", BinaryOp::bitwise_right_shift},
  };
  for (const OpRow& r : rows) {
    const BinaryOp op = r.op;
    cls.def(r.fwd, [op](const tb::Tensor& self, nb::handle other) { return binop(op, self, other, false); },
            nb::arg("other").none(), keep(std::string("self ") + r.fwd + " other, as torch.Tensor."));
    cls.def(r.rev, [op](const tb::Tensor& self, nb::handle other) { return binop(op, self, other, true); },
            nb::arg("other").none(), keep(std::string("Reflected operator ") + r.rev + "."));
    cls.def(r.inp, [op](nb::handle self, nb::handle other) { return ibinop(op, self, other); },
            nb::arg("other").none(), keep(std::string("In-place operator ") + r.inp + "."));
  }
  static const std::pair<const char*, BinaryOp> cmp[] = {
      {"__eq__", BinaryOp::eq}, {"__ne__", BinaryOp::ne}, {"__lt__", BinaryOp::lt},
      {"__le__", BinaryOp::le}, {"__gt__", BinaryOp::gt}, {"__ge__", BinaryOp::ge},
  };
  for (const auto& [name, op0] : cmp) {
    const BinaryOp op = op0;
    cls.def(name, [op](const tb::Tensor& self, nb::handle other) { return binop(op, self, other, false); },
            nb::arg("other").none(), keep(std::string("Element-wise comparison ") + name + ", bool result."));
  }
  cls.def("__hash__", [](nb::handle self) { return Py_hash_t(reinterpret_cast<uintptr_t>(self.ptr()) >> 4); },
          "Identity hash (tensors compare element-wise, so they hash by identity like torch).");
  cls.def("__neg__", [](const tb::Tensor& t) { return tb::unary(UnaryOp::neg, t); }, "-self");
  cls.def("__abs__", [](const tb::Tensor& t) { return tb::unary(UnaryOp::abs, t); }, "abs(self)");
  cls.def("__invert__", [](const tb::Tensor& t) { return tb::unary(UnaryOp::bitwise_not, t); }, "~self");
  cls.def("__pos__", [](nb::handle self) { return nb::borrow(self); }, "+self (self).");
  // NumPy defers its binary operators to ours (nd + t -> Tensor.__radd__), as it does for torch.
  cls.attr("__array_priority__") = 1000;
}

}  // namespace

void bind_ops_elementwise(nb::module_& m, TensorClass& cls) {
  bind_operators(cls);

  for (const BinaryRow& r : kBinaryRows) {
    const BinaryOp op = r.op;
    const char* name = r.name;
    const bool tensor_only = r.tensor_only;
    m.def(r.name, [op, name, tensor_only](nb::handle input, nb::handle other, nb::handle out) {
            if (tensor_only && !as_tensor(input))
              throw tb::TypeError(std::string(name) + "(): argument 'input' (position 1) must be Tensor, not " +
                                  py_type_name(input));
            if (tensor_only) require_tensor(other, name);
            return call_binary(op, name, input, other, out);
          },
          nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("out") = nb::none(), r.doc);
    cls.def(r.name, [op, name, tensor_only](nb::handle self, nb::handle other) {
              if (tensor_only) require_tensor(other, name);
              return call_binary(op, name, self, other, nb::handle());
            },
            nb::arg("other"), r.doc);
    cls.def(keep(std::string(r.name) + "_"), [op](nb::handle self, nb::handle other) {
                tb::Operand b = operand_or_throw(other, "", "other");
                tb::Tensor& t = *nb::inst_ptr<tb::Tensor>(self);
                maybe_release_gil(t.numel(), [&] { tb::binary_(op, t, b); });
                return nb::borrow(self);
              },
              nb::arg("other"), keep(std::string("In-place ") + r.name + "."));
  }
  // pow: the base may be a number (tb.pow(2, t)).
  m.def("pow", [](nb::handle input, nb::handle exponent, nb::handle out) {
          return call_binary(BinaryOp::pow, "pow", input, exponent, out);
        },
        nb::arg("input"), nb::arg("exponent"), nb::kw_only(), nb::arg("out") = nb::none(),
        "input ** exponent element-wise; input or exponent may be a number.");
  cls.def("pow", [](nb::handle self, nb::handle exponent) {
            return call_binary(BinaryOp::pow, "pow", self, exponent, nb::handle());
          },
          nb::arg("exponent"), "self ** exponent.");
  cls.def("pow_", [](nb::handle self, nb::handle exponent) {
            tb::binary_(BinaryOp::pow, *nb::inst_ptr<tb::Tensor>(self), operand_or_throw(exponent, "pow_", "exponent"));
            return nb::borrow(self);
          },
          nb::arg("exponent"), "In-place pow.");

  // add / sub with alpha
  for (const char* name : {"add", "sub", "subtract"}) {
    const bool is_add = name[0] == 'a';
    m.def(name, [is_add, name](nb::handle input, nb::handle other, nb::handle alpha, nb::handle out) {
            return call_alpha(is_add, name, input, other, alpha, out);
          },
          nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1, nb::arg("out") = nb::none(),
          is_add ? "input + alpha * other, with broadcasting and type promotion."
                 : "input - alpha * other, with broadcasting and type promotion.");
    cls.def(name, [is_add, name](nb::handle self, nb::handle other, nb::handle alpha) {
              return call_alpha(is_add, name, self, other, alpha, nb::handle());
            },
            nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1, is_add ? "self + alpha * other." : "self - alpha * other.");
    cls.def(keep(std::string(name) + "_"), [is_add, name](nb::handle self, nb::handle other, nb::handle alpha) {
              tb::Tensor& t = *nb::inst_ptr<tb::Tensor>(self);
              tb::Operand b = operand_or_throw(other, name, "other");
              tb::Scalar a = scalar_from_py(alpha);
              maybe_release_gil(t.numel(), [&] { is_add ? tb::add_(t, b, a) : tb::sub_(t, b, a); });
              return nb::borrow(self);
            },
            nb::arg("other"), nb::kw_only(), nb::arg("alpha") = 1, is_add ? "In-place add." : "In-place sub.");
  }

  // div / divide with rounding_mode
  for (const char* name : {"div", "divide"}) {
    m.def(name, [name](nb::handle input, nb::handle other, std::optional<std::string> mode, nb::handle out) {
            return call_binary(tb::div_op(mode), name, input, other, out);
          },
          nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("rounding_mode").none() = nb::none(),
          nb::arg("out") = nb::none(),
          "Division; rounding_mode None (true division), 'trunc' or 'floor'.");
    cls.def(name, [name](nb::handle self, nb::handle other, std::optional<std::string> mode) {
              return call_binary(tb::div_op(mode), name, self, other, nb::handle());
            },
            nb::arg("other"), nb::kw_only(), nb::arg("rounding_mode").none() = nb::none(), "Division (see tb.div).");
    cls.def(keep(std::string(name) + "_"), [](nb::handle self, nb::handle other, std::optional<std::string> mode) {
              tb::Tensor& t = *nb::inst_ptr<tb::Tensor>(self);
              tb::Operand b = operand_or_throw(other, "div_", "other");
              maybe_release_gil(t.numel(), [&] { tb::binary_(tb::div_op(mode), t, b); });
              return nb::borrow(self);
            },
            nb::arg("other"), nb::kw_only(), nb::arg("rounding_mode").none() = nb::none(), "In-place division.");
  }

  // unary ops
  for (const UnaryRow& r : kUnaryRows) {
    const UnaryOp op = r.op;
    const char* name = r.name;
    m.def(name, [op, name](nb::handle input, nb::handle out) { return call_unary(op, name, input, out); },
          nb::arg("input"), nb::kw_only(), nb::arg("out") = nb::none(), r.doc);
    cls.def(name, [op](const tb::Tensor& self) { return tb::unary(op, self); }, r.doc);
    if (r.inplace)
      cls.def(keep(std::string(name) + "_"), [op](nb::handle self) {
                tb::Tensor& t = *nb::inst_ptr<tb::Tensor>(self);
                maybe_release_gil(t.numel(), [&] { tb::unary_(op, t); });
                return nb::borrow(self);
              },
              keep(std::string("In-place ") + name + "."));
  }

  // round(decimals=)
  m.def("round", [](nb::handle input, int64_t decimals, nb::handle out) -> nb::object {
          const tb::Tensor& x = tensor_from_py(input, "round", "input");
          if (tb::Tensor* o = optional_out(out, "round")) {
            tb::round_out(x, decimals, *o);
            return nb::borrow(out);
          }
          return wrap(tb::round(x, decimals));
        },
        nb::arg("input"), nb::kw_only(), nb::arg("decimals") = 0, nb::arg("out") = nb::none(),
        "Rounds to the nearest integer (ties to even), or to `decimals` decimal places.");
  cls.def("round", [](const tb::Tensor& self, int64_t decimals) { return tb::round(self, decimals); },
          nb::kw_only(), nb::arg("decimals") = 0, "Rounds (see tb.round).");
  cls.def("round_", [](nb::handle self, int64_t decimals) {
            tb::round_(*nb::inst_ptr<tb::Tensor>(self), decimals);
            return nb::borrow(self);
          },
          nb::kw_only(), nb::arg("decimals") = 0, "In-place round.");

  // clamp / clip
  for (const char* name : {"clamp", "clip"}) {
    m.def(name, [name](nb::handle input, nb::handle min, nb::handle max, nb::handle out) -> nb::object {
            const tb::Tensor& x = tensor_from_py(input, name, "input");
            auto [lo, hi] = clamp_bounds(name, min, max, false);
            if (tb::Tensor* o = optional_out(out, name)) {
              tb::clamp_out(x, lo, hi, *o);
              return nb::borrow(out);
            }
            return wrap(tb::clamp(x, lo, hi));
          },
          nb::arg("input"), nb::arg("min").none() = nb::none(), nb::arg("max").none() = nb::none(), nb::kw_only(),
          nb::arg("out") = nb::none(), "Limits values to [min, max]; min and max may be tensors or numbers.");
    cls.def(name, [name](const tb::Tensor& self, nb::handle min, nb::handle max) {
              auto [lo, hi] = clamp_bounds(name, min, max, true);
              return tb::clamp(self, lo, hi);
            },
            nb::arg("min").none() = nb::none(), nb::arg("max").none() = nb::none(), "Clamp (see tb.clamp).");
    cls.def(keep(std::string(name) + "_"), [name](nb::handle self, nb::handle min, nb::handle max) {
              auto [lo, hi] = clamp_bounds(name, min, max, true);
              tb::clamp_(*nb::inst_ptr<tb::Tensor>(self), lo, hi);
              return nb::borrow(self);
            },
            nb::arg("min").none() = nb::none(), nb::arg("max").none() = nb::none(), "In-place clamp.");
  }
  for (const char* name : {"clamp_min", "clamp_max"}) {
    const bool is_min = std::strcmp(name, "clamp_min") == 0;
    m.def(name, [is_min, name](const tb::Tensor& x, nb::handle v) {
            return clamp_one(x, operand_or_throw(v, name, is_min ? "min" : "max"), is_min);
          },
          nb::arg("input"), nb::arg(is_min ? "min" : "max"), is_min ? "clamp(input, min=min)." : "clamp(input, max=max).");
    cls.def(name, [is_min, name](const tb::Tensor& x, nb::handle v) {
              return clamp_one(x, operand_or_throw(v, name, is_min ? "min" : "max"), is_min);
            },
            nb::arg(is_min ? "min" : "max"), is_min ? "clamp(min=min)." : "clamp(max=max).");
  }

  // where
  m.def("where", [](const tb::Tensor& cond, nb::handle input, nb::handle other, nb::handle out) -> nb::object {
          auto a = operand_or_throw(input, "where", "input");
          auto b = operand_or_throw(other, "where", "other");
          if (tb::Tensor* o = optional_out(out, "where")) {
            tb::where_out(cond, a, b, *o);
            return nb::borrow(out);
          }
          return wrap(tb::where(cond, a, b));
        },
        nb::arg("condition"), nb::arg("input"), nb::arg("other"), nb::kw_only(), nb::arg("out") = nb::none(),
        "Elements of input where condition is true, else of other (tensors or numbers, promoted).");
  cls.def("where", [](const tb::Tensor& self, const tb::Tensor& cond, nb::handle other) {
            return tb::where(cond, self, operand_or_throw(other, "where", "other"));
          },
          nb::arg("condition"), nb::arg("other"), "where(condition, self, other).");

  // closeness
  m.def("isclose", &tb::isclose, nb::arg("input"), nb::arg("other"), nb::arg("rtol") = 1e-5,
        nb::arg("atol") = 1e-8, nb::arg("equal_nan") = false,
        "|input - other| <= atol + rtol * |other| element-wise (equal values, incl. infinities, are close).");
  cls.def("isclose", &tb::isclose, nb::arg("other"), nb::arg("rtol") = 1e-5, nb::arg("atol") = 1e-8,
          nb::arg("equal_nan") = false, "See tb.isclose.");
  m.def("allclose", &tb::allclose, nb::arg("input"), nb::arg("other"), nb::arg("rtol") = 1e-5,
        nb::arg("atol") = 1e-8, nb::arg("equal_nan") = false, "True if isclose holds for every element.");
  cls.def("allclose", &tb::allclose, nb::arg("other"), nb::arg("rtol") = 1e-5, nb::arg("atol") = 1e-8,
          nb::arg("equal_nan") = false, "See tb.allclose.");
  m.def("equal", &tb::equal, nb::arg("input"), nb::arg("other"), "True if same shape and same values.");
  cls.def("equal", &tb::equal, nb::arg("other"), "True if same shape and same values.");

  // complex parts: conj copies (torch: a lazy view); real/imag are views as in torch
  m.def("conj", [](const tb::Tensor& t) { return tb::conj(t); }, nb::arg("input"),
        "Complex conjugate (a copy; a real tensor is returned as it is).");
  cls.def("conj", [](const tb::Tensor& t) { return tb::conj(t); },
          "Complex conjugate (a copy; a real tensor is returned as it is).");
  m.def("conj_physical", [](const tb::Tensor& t) { return tb::conj_physical(t); }, nb::arg("input"),
        "Complex conjugate as a new tensor (a real tensor is returned as it is).");
  cls.def("conj_physical", [](const tb::Tensor& t) { return tb::conj_physical(t); },
          "Complex conjugate as a new tensor (a real tensor is returned as it is).");
  // real() of a real tensor is the tensor itself, the same Python object (as torch)
  auto real_of = [](nb::handle self) -> nb::object {
    const tb::Tensor* t = as_tensor(self);
    if (!t)
      throw tb::TypeError(std::string("real(): argument 'input' (position 1) must be Tensor, not ") +
                          Py_TYPE(self.ptr())->tp_name);
    if (!tb::is_complex(t->dtype())) return nb::borrow(self);
    return wrap(tb::real(*t));
  };
  m.def("real", real_of, nb::arg("input"),
        "Real part of a complex tensor, a view of its memory (a copy while autograd records); a real "
        "tensor is returned as it is.");
  m.def("imag", [](const tb::Tensor& t) { return tb::imag(t); }, nb::arg("input"),
        "Imaginary part of a complex tensor, a view of its memory (a copy while autograd records).");
  // t.real / t.imag: the same views; assigning writes through them (t.imag = 0 clears it)
  auto set_part = [](const tb::Tensor& t, bool imag_part, nb::handle value) {
    if (tb::autograd::needs_grad(t))
      throw tb::NotImplementedError(std::string("setting .") + (imag_part ? "imag" : "real") +
                                    " of a tensor that requires grad is not supported by tensorbridge "
                                    "(write it under no_grad())");
    const tb::Tensor part = imag_part ? tb::imag(t) : tb::real(t);
    if (tb::Tensor* v = as_tensor(value)) tb::copy_(part, *v);
    else tb::fill_(part, scalar_from_py(value));
  };
  cls.def_prop_rw(
      "real", real_of,
      [set_part](const tb::Tensor& t, nb::handle v) { set_part(t, false, v); },
      "The real part: a view of a complex tensor's memory, or the tensor itself when real.");
  cls.def_prop_rw(
      "imag", [](const tb::Tensor& t) { return tb::imag(t); },
      [set_part](const tb::Tensor& t, nb::handle v) { set_part(t, true, v); },
      "The imaginary part of a complex tensor, a view of its memory.");

  // promotion helpers
  m.def("result_type", [](nb::handle a, nb::handle b) {
          tb::ResultType rt;
          for (nb::handle h : {a, b}) {
            if (tb::Tensor* t = as_tensor(h)) rt.add(*t);
            else rt.add(operand_or_throw(h, "result_type", "tensor").scalar);
          }
          return dtype_object(rt.result());
        },
        nb::arg("tensor1"), nb::arg("tensor2"),
        "The dtype an arithmetic op on the two operands returns (tensors or numbers).");
  m.def("promote_types", [](nb::handle a, nb::handle b) {
          return dtype_object(tb::promote_types(dtype_from_py(a, "promote_types", "type1"),
                                                dtype_from_py(b, "promote_types", "type2")));
        },
        nb::arg("type1"), nb::arg("type2"), "The smallest dtype both dtypes can be cast to (torch's table).");
  m.def("can_cast", [](nb::handle from, nb::handle to) {
          return tb::can_cast(dtype_from_py(from, "can_cast", "from_"), dtype_from_py(to, "can_cast", "to"));
        },
        nb::arg("from_"), nb::arg("to"), "Whether torch's casting rules allow from_ -> to in ops.");
  m.def("get_num_threads", &tb::cpu::num_threads, "Number of threads large CPU kernels use.");
  m.def("set_num_threads", &tb::cpu::set_num_threads, nb::arg("num"), "Sets the number of CPU kernel threads.");
}

}  // namespace tbpy
