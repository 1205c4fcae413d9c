// Shared helpers of the binding files: converting Python arguments the way torch's argument parser
// does, and the Python objects for dtypes, devices and tensors.
// Each binding file defines one `void bind_<area>(nb::module_& m, TensorClass& cls)`, called from
// module.cpp; Tensor methods are added on `cls`.
#pragma once
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tensorbridge/error.h"
#include "tensorbridge/tensor.h"

namespace nb = nanobind;

namespace tbpy {

using TensorClass = nb::class_<tb::Tensor>;

// ---- dtype -------------------------------------------------------------------------------------
// The singleton Python object for a dtype (tensorbridge.float32 etc.); `t.dtype is tb.float32`.
nb::object dtype_object(tb::DType dt);
// Accepts a tensorbridge dtype object, or the Python types float/int/bool/complex as torch does
// (float -> float64, int -> int64, bool -> bool, complex -> complex128). TypeError otherwise.
tb::DType dtype_from_py(nb::handle h, const char* fn = "", const char* arg = "dtype");
// None -> nullopt, else dtype_from_py.
std::optional<tb::DType> optional_dtype(nb::handle h, const char* fn = "");
// True for what dtype_from_py accepts (a dtype object or float/int/bool/complex).
bool is_dtype_like(nb::handle h);

// ---- device ------------------------------------------------------------------------------------
// None -> cpu; "cpu", "cuda:0", a tensorbridge.device, or an int (cuda index) like torch.
tb::Device device_from_py(nb::handle h);
nb::object device_object(const tb::Device& d);

// ---- sizes -------------------------------------------------------------------------------------
// torch's size parsing: f(2, 3), f([2, 3]), f((2, 3)), f(Size) and f() for 0-d.
tb::Shape size_from_args(const nb::args& args, const char* fn);
// One sequence of ints (list/tuple/Size/anything with __index__ elements).
tb::Shape size_from_py(nb::handle seq, const char* fn, const char* arg = "size");
// The tensorbridge.Size (a tuple subclass) for a shape.
nb::object size_object(const tb::Shape& shape);

// ---- scalars -----------------------------------------------------------------------------------
// True if h is a Python/NumPy bool, int, float or complex (not a tensor, not an array).
bool is_scalar_like(nb::handle h);
tb::Scalar scalar_from_py(nb::handle h);
nb::object scalar_to_py(const tb::Scalar& s);

// ---- tensors -----------------------------------------------------------------------------------
// The Python object for a new tensor: t is moved into a fresh instance of the class registered
// by set_tensor_class, skipping nb::cast's per-call type and instance lookups.
nb::object wrap(tb::Tensor t);
// Called once, by bind_tensor_class.
void set_tensor_class(nb::handle cls);
bool is_tensor(nb::handle h);
// The C++ tensor inside a tensorbridge.Tensor (TypeError naming fn/arg otherwise).
tb::Tensor& tensor_from_py(nb::handle h, const char* fn = "", const char* arg = "input");

// ---- sequences of tensors ----------------------------------------------------------------------
// How one "sequence of tensors" argument is read (cat's tensors, index_put_'s indices, autograd's
// outputs/inputs/grad_outputs) and torch's TypeError texts for it, which differ by call site.
struct TensorSequenceArg {
  // true: the argument must be a tuple or a list (torch's "tuple of Tensors" parameters); false: any
  // iterable.
  bool tuple_or_list = false;
  // The TypeError text for an argument that is not a sequence/iterable, given its type name; unset:
  // Python's own error for a non-iterable ("'int' object is not iterable").
  std::function<std::string(const std::string& type)> not_sequence;
  // The TypeError text for element i, of the given type name, that is not a tensor.
  std::function<std::string(size_t i, const std::string& type)> bad_element;
  // None elements become undefined tensors (autograd's "no tensor here") instead of an error.
  bool none_as_undefined = false;
};
std::vector<tb::Tensor> tensors_from_sequence(nb::handle seq, const TensorSequenceArg& arg);
// torch's argument parser for a "tuple of Tensors" parameter (cat's tensors, index_put's indices):
// a tuple or list, else TypeError "cat(): argument 'tensors' (position 1) must be tuple of Tensors,
// not int"; an element that is not a tensor: "expected Tensor as element 1 in argument 0, but got
// int" (the argument counted from 0).
TensorSequenceArg tuple_of_tensors_arg(const char* fn, const char* name, int position);

// ---- GIL ---------------------------------------------------------------------------------------
// Runs f() with the GIL released when `work` (elements touched) is large enough that other Python
// threads should not wait; small calls keep the GIL (releasing costs more than they do).
inline constexpr int64_t kReleaseGilWork = int64_t(1) << 16;
template <typename F>
decltype(auto) maybe_release_gil(int64_t work, F&& f) {
  if (work >= kReleaseGilWork) {
    nb::gil_scoped_release release;
    return f();
  }
  return f();
}

// ---- errors ------------------------------------------------------------------------------------
// The Python exception class for a core error kind (TypeError for ErrorKind::Type, ...).
PyObject* python_exception_type(tb::ErrorKind kind);

// ---- type names for error messages -------------------------------------------------------------
std::string py_type_name(nb::handle h);

}  // namespace tbpy
