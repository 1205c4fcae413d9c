// Factories: tensor(data), zeros/ones/empty/full, arange, linspace, eye and the *_like forms.
#include <Python.h>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"

namespace tbpy {

namespace {

// ---- tensor(data): shape and dtype inference over nested sequences (torch's rules) ------------

bool is_sequence_data(PyObject* o) {
  return PyList_Check(o) || PyTuple_Check(o) ||
         (PySequence_Check(o) && !PyUnicode_Check(o) && !PyBytes_Check(o) && !PyByteArray_Check(o) &&
          !PyDict_Check(o));
}

// torch's texts: a top-level str is "invalid data type"; anything else it cannot read has no dtype.
[[noreturn]] void invalid_data(PyObject* o) {
  if (PyUnicode_Check(o) || PyBytes_Check(o))
    throw tb::TypeError(std::string("new(): invalid data type '") + Py_TYPE(o)->tp_name + "'");
  throw tb::RuntimeError(std::string("Could not infer dtype of ") + Py_TYPE(o)->tp_name);
}

// The dtype torch infers for one leaf value.
tb::DType infer_scalar_dtype(nb::handle h) {
  PyObject* o = h.ptr();
  if (PyFloat_CheckExact(o)) return tb::kDefaultFloat;
  if (PyBool_Check(o)) return tb::DType::Bool;
  if (PyLong_Check(o)) {
    int overflow = 0;
    PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) throw tb::ValueError("Overflow when unpacking long long");
    return tb::DType::Int64;
  }
  if (PyComplex_Check(o)) return tb::to_complex(tb::kDefaultFloat);
  if (is_tensor(h)) return nb::cast<const tb::Tensor&>(h).dtype();
  if (is_ndarray(h)) return tensor_from_ndarray(h).dtype();
  nb::object dt = nb::getattr(h, "dtype", nb::none());  // NumPy scalars keep their dtype
  if (!dt.is_none() && is_scalar_like(h))
    if (auto d = dtype_from_numpy_dtype(dt)) return *d;
  if (PyFloat_Check(o)) return tb::kDefaultFloat;
  invalid_data(o);
}

struct Inferred {
  tb::Shape shape;
  tb::DType dtype = tb::kDefaultFloat;
  bool any = false;
};

void infer(nb::handle h, Inferred& info, size_t depth, bool shape_open) {
  PyObject* o = h.ptr();
  if (is_tensor(h)) {
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(h);
    if (shape_open)
      for (int64_t s : t.shape()) info.shape.push_back(s);
    info.dtype = info.any ? tb::promote_types(info.dtype, t.dtype()) : t.dtype();
    info.any = true;
    return;
  }
  if (is_ndarray(h)) {
    tb::Tensor t = tensor_from_ndarray(h);
    if (shape_open)
      for (int64_t s : t.shape()) info.shape.push_back(s);
    info.dtype = info.any ? tb::promote_types(info.dtype, t.dtype()) : t.dtype();
    info.any = true;
    return;
  }
  if (is_scalar_like(h)) {
    tb::DType d = infer_scalar_dtype(h);
    info.dtype = info.any ? tb::promote_types(info.dtype, d) : d;
    info.any = true;
    return;
  }
  if (depth > 0 && PyUnicode_Check(o))
    throw tb::ValueError(std::string("too many dimensions '") + Py_TYPE(o)->tp_name + "'");
  if (!is_sequence_data(o)) invalid_data(o);
  nb::object fast = nb::steal(PySequence_Fast(o, "not a sequence"));
  if (!fast.is_valid()) throw nb::python_error();
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
  if (shape_open) info.shape.push_back(n);
  PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
  for (Py_ssize_t i = 0; i < n; ++i) infer(items[i], info, depth + 1, shape_open && i == 0);
}

template <typename T>
void store(nb::handle h, const Inferred& info, size_t depth, T*& out) {
  PyObject* o = h.ptr();
  if (depth == info.shape.size()) {
    if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
      if (PyFloat_Check(o)) {
        *out++ = T(PyFloat_AS_DOUBLE(o));
        return;
      }
    }
    if (is_tensor(h) || is_ndarray(h)) {
      tb::Tensor t = is_tensor(h) ? nb::cast<const tb::Tensor&>(h) : tensor_from_ndarray(h);
      if (t.numel() != 1 || t.dim() != 0) invalid_data(o);
      *out++ = tb::item(t).template to<T>();
      return;
    }
    if (!is_scalar_like(h)) {
      if (is_sequence_data(o)) {
        if (tb::is_floating_point(tb::dtype_v<T>) || tb::is_complex(tb::dtype_v<T>))
          throw tb::TypeError(std::string("must be real number, not ") + Py_TYPE(o)->tp_name);
        throw tb::TypeError(std::string("'") + Py_TYPE(o)->tp_name +
                            "' object cannot be interpreted as an integer");
      }
      invalid_data(o);
    }
    *out++ = scalar_from_py(h).template to<T>();
    return;
  }
  if (is_tensor(h) || is_ndarray(h)) {  // a tensor/array inside a list fills the remaining dims
    tb::Tensor t = is_tensor(h) ? nb::cast<const tb::Tensor&>(h) : tensor_from_ndarray(h);
    size_t rest = info.shape.size() - depth;
    tb::Shape want(info.shape.begin() + depth, info.shape.end());
    if (size_t(t.dim()) != rest || t.shape() != want)
      throw tb::ValueError("expected sequence of length " + std::to_string(info.shape[depth]) +
                           " at dim " + std::to_string(depth) + " (got " +
                           std::to_string(t.dim() ? t.shape()[0] : 0) + ")");
    tb::Tensor dst(tb::Storage::borrow(out, size_t(t.numel()) * sizeof(T), tb::kCPU, nullptr, nullptr, false),
                   0, want, tb::contiguous_strides(want), tb::dtype_v<T>);
    tb::copy_(dst, t);
    out += t.numel();
    return;
  }
  if (!is_sequence_data(o)) throw tb::TypeError("not a sequence");
  nb::object fast = nb::steal(PySequence_Fast(o, "not a sequence"));
  if (!fast.is_valid()) throw nb::python_error();
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
  if (n != info.shape[depth])
    throw tb::ValueError("expected sequence of length " + std::to_string(info.shape[depth]) +
                         " at dim " + std::to_string(depth) + " (got " + std::to_string(n) + ")");
  PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
  for (Py_ssize_t i = 0; i < n; ++i) store<T>(items[i], info, depth + 1, out);
}

tb::Tensor tensor_from_data(nb::handle data, std::optional<tb::DType> dtype) {
  if (is_tensor(data)) {
    PyErr_WarnEx(PyExc_UserWarning,
                 "To copy construct from a tensor, it is recommended to use "
                 "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
                 "rather than tensorbridge.tensor(sourceTensor).",
                 1);
    const tb::Tensor t = nb::cast<const tb::Tensor&>(data).detach();  // a new leaf, as torch
    return tb::to_dtype(t, dtype.value_or(t.dtype()), /*copy=*/true);
  }
  if (is_ndarray(data)) return tensor_copy_from_ndarray(data, dtype);  // byte-swaps if needed
  if (!PyList_Check(data.ptr()) && !PyTuple_Check(data.ptr()) && !is_scalar_like(data))
    if (auto t = tensor_from_protocols(data))  // DLPack, __array__, __array_interface__ objects
      return tb::to_dtype(*t, dtype.value_or(t->dtype()), /*copy=*/true);
  Inferred info;
  infer(data, info, 0, true);
  tb::DType dt = dtype.value_or(info.any ? info.dtype : tb::kDefaultFloat);
  tb::Tensor out = tb::empty(info.shape, dt);
  tb::dispatch_dtype(dt, [&]<typename T>() {
    T* p = out.data<T>();
    if (out.numel() > 0 || info.shape.empty()) store<T>(data, info, 0, p);
  });
  return out;
}

tb::Tensor finish(tb::Tensor t, bool requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

}  // namespace

void bind_creation(nb::module_& m, TensorClass& cls) {
  m.def(
      "tensor",
      [](nb::handle data, nb::handle dtype, nb::handle device, bool requires_grad, bool pin_memory) {
        tb::check_device_available(device_from_py(device));
        return finish(tensor_from_data(data, optional_dtype(dtype, "tensor")), requires_grad);
      },
      nb::arg("data").none(), nb::kw_only(), nb::arg("dtype").none() = nb::none(), nb::arg("device").none() = nb::none(),
      nb::arg("requires_grad") = false, nb::arg("pin_memory") = false,
      "Creates a tensor by copying data (nested lists/tuples of numbers, an ndarray, a scalar).\n\n"
      "dtype is inferred as torch does: float -> float32, int -> int64, bool -> bool,\n"
      "complex -> complex64; arrays and NumPy scalars keep their dtype.");

  // zeros/ones/empty(*size, dtype=None, device=None, requires_grad=False)
  auto def_sized = [&](const char* name, auto make, const char* doc) {
    m.def(
        name,
        [name, make](nb::args args, nb::handle out, nb::handle dtype, nb::handle layout,
                     nb::handle device, bool requires_grad, bool pin_memory, nb::kwargs kwargs) {
          for (auto [key, value] : kwargs)  // only size= (zeros(size=(2, 3)), as torch allows)
            if (nb::str(key).equal(nb::str("size")) == false || args.size() != 0)
              throw tb::TypeError(std::string(name) + "() got an unexpected keyword argument '" +
                                  nb::cast<std::string>(nb::str(key)) + "'");
          tb::Shape shape = nb::len(kwargs) ? size_from_py(kwargs["size"], name)
                                            : size_from_args(args, name);
          tb::check_sizes_nonnegative(shape);
          tb::DType dt = optional_dtype(dtype, name).value_or(tb::kDefaultFloat);
          return finish(make(shape, dt, device_from_py(device)), requires_grad);
        },
        nb::arg("size"), nb::kw_only(), nb::arg("out").none() = nb::none(), nb::arg("dtype").none() = nb::none(),
        nb::arg("layout").none() = nb::none(), nb::arg("device").none() = nb::none(),
        nb::arg("requires_grad") = false, nb::arg("pin_memory") = false, nb::arg("kwargs"), doc);
  };
  def_sized("zeros", [](const tb::Shape& s, tb::DType d, tb::Device dev) { return tb::zeros(s, d, dev); },
            "A tensor of zeros: zeros(2, 3) or zeros([2, 3]).");
  def_sized("ones", [](const tb::Shape& s, tb::DType d, tb::Device dev) { return tb::ones(s, d, dev); },
            "A tensor of ones: ones(2, 3) or ones([2, 3]).");
  def_sized("empty", [](const tb::Shape& s, tb::DType d, tb::Device dev) { return tb::empty(s, d, dev); },
            "An uninitialised tensor: empty(2, 3) or empty([2, 3]).");

  m.def(
      "full",
      [](nb::handle size, nb::handle fill_value, nb::handle dtype, nb::handle device, bool requires_grad) {
        const tb::Scalar v = scalar_from_py(fill_value);
        tb::Tensor t = tb::full(size_from_py(size, "full"), v, optional_dtype(dtype, "full"), device_from_py(device));
        tb::check_fill_value(v, t.dtype(), t.numel());  // (after the size checks, as torch)
        return finish(std::move(t), requires_grad);
      },
      nb::arg("size"), nb::arg("fill_value"), nb::kw_only(), nb::arg("dtype").none() = nb::none(),
      nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false,
      "A tensor of the given size filled with fill_value (dtype inferred from it like torch).");

  m.def(
      "arange",
      [](nb::handle a, nb::handle b, nb::handle step, nb::handle dtype, nb::handle device,
         bool requires_grad) {
        tb::Scalar start(int64_t(0)), end;
        if (b.is_none()) end = scalar_from_py(a);
        else {
          start = scalar_from_py(a);
          end = scalar_from_py(b);
        }
        return finish(tb::arange(start, end, scalar_from_py(step), optional_dtype(dtype, "arange"),
                                 device_from_py(device)),
                      requires_grad);
      },
      nb::arg("start"), nb::arg("end").none() = nb::none(), nb::arg("step") = 1, nb::kw_only(),
      nb::arg("dtype").none() = nb::none(), nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false,
      "Values from start (default 0) up to, not including, end by step: arange(5), arange(1, 4, 0.5).");

  m.def(
      "linspace",
      [](nb::handle start, nb::handle end, int64_t steps, nb::handle dtype, nb::handle device,
         bool requires_grad) {
        return finish(tb::linspace(scalar_from_py(start), scalar_from_py(end), steps,
                                   optional_dtype(dtype, "linspace"), device_from_py(device)),
                      requires_grad);
      },
      nb::arg("start"), nb::arg("end"), nb::arg("steps"), nb::kw_only(), nb::arg("dtype").none() = nb::none(),
      nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false,
      "steps values evenly spaced from start to end inclusive.");

  m.def(
      "eye",
      [](int64_t n, nb::handle mm, nb::handle dtype, nb::handle device, bool requires_grad) {
        int64_t cols = mm.is_none() ? -1 : nb::cast<int64_t>(mm);
        if (!mm.is_none() && cols < 0)
          throw tb::RuntimeError("m must be greater or equal to 0, got " + std::to_string(cols));
        return finish(tb::eye(n, cols, optional_dtype(dtype, "eye").value_or(tb::kDefaultFloat),
                              device_from_py(device)),
                      requires_grad);
      },
      nb::arg("n"), nb::arg("m").none() = nb::none(), nb::kw_only(), nb::arg("dtype").none() = nb::none(),
      nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false,
      "A 2-D tensor with ones on the diagonal and zeros elsewhere.");

  // *_like(input, dtype=None, device=None, requires_grad=False): input's shape, dtype and device.
  auto def_like = [&](const char* name, auto make, const char* doc) {
    m.def(
        name,
        [make](const tb::Tensor& t, nb::handle dtype, nb::handle device, bool requires_grad,
               nb::handle memory_format) {
          tb::DType dt = optional_dtype(dtype).value_or(t.dtype());
          tb::Device dev = device.is_none() ? t.device() : device_from_py(device);
          return finish(make(t.shape(), dt, dev), requires_grad);
        },
        nb::arg("input"), nb::kw_only(), nb::arg("dtype").none() = nb::none(), nb::arg("device").none() = nb::none(),
        nb::arg("requires_grad") = false, nb::arg("memory_format").none() = nb::none(), doc);
  };
  def_like("zeros_like", [](const tb::Shape& s, tb::DType d, tb::Device dev) { return tb::zeros(s, d, dev); },
           "zeros with the shape, dtype and device of input.");
  def_like("ones_like", [](const tb::Shape& s, tb::DType d, tb::Device dev) { return tb::ones(s, d, dev); },
           "ones with the shape, dtype and device of input.");
  def_like("empty_like", [](const tb::Shape& s, tb::DType d, tb::Device dev) { return tb::empty(s, d, dev); },
           "An uninitialised tensor with the shape, dtype and device of input.");
  m.def(
      "full_like",
      [](const tb::Tensor& t, nb::handle fill_value, nb::handle dtype, nb::handle device,
         bool requires_grad) {
        tb::DType dt = optional_dtype(dtype).value_or(t.dtype());
        tb::Device dev = device.is_none() ? t.device() : device_from_py(device);
        const tb::Scalar v = scalar_from_py(fill_value);
        tb::check_fill_value(v, dt, t.numel());
        return finish(tb::full(t.shape(), v, dt, dev), requires_grad);
      },
      nb::arg("input"), nb::arg("fill_value"), nb::kw_only(), nb::arg("dtype").none() = nb::none(),
      nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false,
      "fill_value with the shape, dtype and device of input.");
  (void)cls;
}

}  // namespace tbpy
