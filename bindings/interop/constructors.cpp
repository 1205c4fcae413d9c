// tb.as_tensor and tb.asarray (torch semantics, never mutating the input) and the protocol
// helper behind tb.tensor(obj) for objects speaking DLPack / __array__ / __array_interface__.
#include "interop/numpy_api.h"

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/error.h"

namespace tbpy {

void release_buffer_view(void* ctx, void*) {
  auto* view = static_cast<Py_buffer*>(ctx);
  if (python_can_run()) {
    PyGILState_STATE st = PyGILState_Ensure();
    PyBuffer_Release(view);
    PyGILState_Release(st);
  }
  delete view;
}


namespace {

// The lead's tb.tensor (sequence and scalar inference); looked up when first needed because the
// creation bindings are registered after interop.
nb::object call_tensor(nb::handle data, std::optional<tb::DType> dtype) {
  static PyObject* fn = nullptr;  // kept for the life of the process
  if (!fn) fn = nb::object(nb::module_::import_("tensorbridge._core").attr("tensor")).release().ptr();
  nb::handle f(fn);
  if (dtype) return f(data, nb::arg("dtype") = dtype_object(*dtype));
  return f(data);
}

bool has_attr(nb::handle h, const char* name) { return PyObject_HasAttrString(h.ptr(), name) == 1; }

bool speaks_array_protocol(nb::handle h) {
  return has_attr(h, "__array_interface__") || has_attr(h, "__array_struct__") ||
         has_attr(h, "__array__");
}

// np.asarray(obj[, copy=...]) for objects with __array__ / __array_interface__ / __array_struct__.
nb::object numpy_asarray(nb::handle obj, std::optional<bool> copy) {
  static PyObject* fn = nullptr;
  if (!fn) fn = nb::object(nb::module_::import_("numpy").attr("asarray")).release().ptr();
  nb::handle f(fn);
  if (copy) return f(obj, nb::arg("copy") = *copy);
  return f(obj);
}

std::string legacy(tb::DType dt) { return std::string(tb::dtype_legacy_name(dt)); }

[[noreturn]] void cannot_alias_dtype(tb::DType from, tb::DType to) {
  throw tb::ValueError("can't alias tensor with dtype '" + legacy(from) + "' into dtype '" +
                       legacy(to) + "'.");
}

// torch.frombuffer semantics (what torch.asarray does with buffer objects): the raw bytes
// reinterpreted as a 1-D tensor of dtype; read-only buffers give read-only tensors.
tb::Tensor tensor_from_buffer(nb::handle obj, tb::DType dt) {
  auto view = std::make_unique<Py_buffer>();
  bool read_only = false;
  if (PyObject_GetBuffer(obj.ptr(), view.get(), PyBUF_WRITABLE) != 0) {
    PyErr_Clear();
    if (PyObject_GetBuffer(obj.ptr(), view.get(), PyBUF_SIMPLE) != 0) throw nb::python_error();
    read_only = true;
  }
  const Py_ssize_t len = view->len;
  const Py_ssize_t isz = Py_ssize_t(tb::itemsize(dt));
  if (len == 0 || len % isz != 0) {
    PyBuffer_Release(view.get());
    if (len == 0) throw tb::ValueError("both buffer length (0) and count (-1) must not be 0");
    throw tb::ValueError("buffer length (" + std::to_string(len) + " bytes) after offset (0 bytes) "
                         "must be a multiple of element size (" + std::to_string(isz) + ")");
  }
  void* data = view->buf;
  Py_buffer* ctx = view.get();
  std::shared_ptr<tb::Storage> storage;
  try {
    storage = tb::Storage::borrow(data, size_t(len), tb::kCPU, &release_buffer_view, ctx, read_only);
  } catch (...) {
    PyBuffer_Release(ctx);
    throw;
  }
  view.release();
  const int64_t n = int64_t(len / isz);
  return tb::Tensor(std::move(storage), 0, tb::Shape{n}, tb::Strides{1}, dt);
}

nb::object as_tensor(nb::handle data, nb::handle dtype_h, nb::handle device) {
  tb::check_device_available(device_from_py(device));
  std::optional<tb::DType> dtype = optional_dtype(dtype_h, "as_tensor");
  if (is_tensor(data)) {
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(data);
    if (!dtype || *dtype == t.dtype()) return nb::borrow(data);  // torch: the same object
    return wrap(tb::to_dtype(t, *dtype));
  }
  if (is_ndarray(data)) {
    if (ndarray_is_aliasable(data)) {
      tb::Tensor view = tensor_from_ndarray(data);
      return wrap(tb::to_dtype(view, dtype.value_or(view.dtype())));
    }
    if (dtype) return wrap(tensor_copy_from_ndarray(data, dtype));  // it copies anyway
    return wrap(tensor_from_ndarray(data));                         // raises torch's error
  }
  if (is_numpy_scalar(data)) return call_tensor(data, dtype);
  if (PyCapsule_CheckExact(data.ptr()) || has_dlpack(data)) {
    tb::Tensor t = tensor_from_dlpack(data, nb::none(), std::nullopt);
    return wrap(tb::to_dtype(t, dtype.value_or(t.dtype())));
  }
  if (!PyList_Check(data.ptr()) && !PyTuple_Check(data.ptr()) && speaks_array_protocol(data))
    return as_tensor(numpy_asarray(data, std::nullopt), dtype_h, device);
  return call_tensor(data, dtype);
}

// The requires_grad rule of asarray (torch main, without mutating the input): None follows the
// input, an explicit value is applied to the result.
nb::object finish_asarray(tb::Tensor t, std::optional<bool> requires_grad) {
  if (requires_grad.value_or(false)) t.set_requires_grad(true);
  return wrap(std::move(t));
}

nb::object asarray(nb::handle obj, nb::handle dtype_h, nb::handle device, std::optional<bool> copy,
                   std::optional<bool> requires_grad) {
  tb::check_device_available(device_from_py(device));
  std::optional<tb::DType> dtype = optional_dtype(dtype_h, "asarray");
  // 1. tensors
  if (is_tensor(obj)) {
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(obj);
    const bool convert = dtype && *dtype != t.dtype();
    if (convert && copy == false) cannot_alias_dtype(t.dtype(), *dtype);
    const bool rg = requires_grad.value_or(t.requires_grad());
    if (convert || copy == true) {
      tb::Tensor r = tb::to_dtype(t, dtype.value_or(t.dtype()), /*copy=*/true);
      if (rg) r.set_requires_grad(true);
      return wrap(std::move(r));
    }
    if (rg == t.requires_grad()) return nb::borrow(obj);  // torch: the same object
    tb::Tensor r = t.detach();  // never flip the caller's flag: a new alias carries it
    if (rg) r.set_requires_grad(true);
    return wrap(std::move(r));
  }
  // 2. ndarrays and NumPy scalars
  if (is_ndarray(obj)) {
    if (ndarray_is_aliasable(obj) && copy != true) {
      tb::Tensor view = tensor_from_ndarray(obj);
      if (dtype && *dtype != view.dtype()) {
        if (copy == false) cannot_alias_dtype(view.dtype(), *dtype);
        return finish_asarray(tb::to_dtype(view, *dtype, true), requires_grad);
      }
      return finish_asarray(std::move(view), requires_grad);
    }
    if (copy == false) return finish_asarray(tensor_from_ndarray(obj), requires_grad);  // raises
    return finish_asarray(tensor_copy_from_ndarray(obj, dtype), requires_grad);
  }
  if (is_numpy_scalar(obj)) {
    if (copy == false)
      throw tb::RuntimeError("can't alias NumPy scalars. Either remove copy=False or transform it "
                             "in a ndarray. ");
    return finish_asarray(nb::cast<tb::Tensor>(call_tensor(obj, dtype)), requires_grad);
  }
  // 3. DLPack (capsules and producers)
  if (PyCapsule_CheckExact(obj.ptr()) || has_dlpack(obj)) {
    tb::Tensor t = tensor_from_dlpack(obj, nb::none(), copy);
    if (dtype && *dtype != t.dtype()) {
      if (copy == false) cannot_alias_dtype(t.dtype(), *dtype);
      t = tb::to_dtype(t, *dtype, true);
    }
    return finish_asarray(std::move(t), requires_grad);
  }
  // 4. buffer objects: raw bytes reinterpreted as dtype (torch.frombuffer)
  if (PyObject_CheckBuffer(obj.ptr()) && !PyUnicode_Check(obj.ptr())) {
    tb::Tensor t = tensor_from_buffer(obj, dtype.value_or(tb::kDefaultFloat));
    if (copy == true) t = tb::clone(t);
    return finish_asarray(std::move(t), requires_grad);
  }
  // 5. other array-likes (__array_interface__ / __array_struct__ / __array__): through NumPy
  if (!PyList_Check(obj.ptr()) && !PyTuple_Check(obj.ptr()) && speaks_array_protocol(obj)) {
    nb::object arr = numpy_asarray(obj, copy);
    return asarray(arr, dtype_h, device, copy == true ? std::nullopt : copy, requires_grad);
  }
  // 6. Python scalars and sequences
  if (copy == false) throw tb::ValueError("can't alias arbitrary sequence into a tensor.");
  return finish_asarray(nb::cast<tb::Tensor>(call_tensor(obj, dtype)), requires_grad);
}

}  // namespace

std::optional<tb::Tensor> tensor_from_protocols(nb::handle data) {
  PyObject* o = data.ptr();
  if (PyList_Check(o) || PyTuple_Check(o) || PyFloat_Check(o) || PyLong_Check(o) ||
      PyComplex_Check(o) || PyUnicode_Check(o) || PyBytes_Check(o) || is_tensor(data) ||
      is_ndarray(data) || is_numpy_scalar(data))
    return std::nullopt;
  if (PyCapsule_CheckExact(o) || has_dlpack(data))
    return tensor_from_dlpack(data, nb::none(), std::nullopt);
  if (speaks_array_protocol(data)) {
    nb::object arr = numpy_asarray(data, std::nullopt);
    if (ndarray_is_aliasable(arr)) return tensor_from_ndarray(arr);
    return tensor_copy_from_ndarray(arr, std::nullopt);
  }
  return std::nullopt;
}

void bind_constructors(nb::module_& m, TensorClass& cls) {
  m.def("as_tensor", &as_tensor, nb::arg("data").none(), nb::arg("dtype").none() = nb::none(),
        nb::arg("device").none() = nb::none(),
        "Converts data to a tensor, sharing memory when possible (torch.as_tensor).\n\n"
        "A tensor with matching dtype is returned as is; an ndarray is aliased (a read-only array\n"
        "gives a read-only tensor, negative strides become views) unless a dtype change forces a\n"
        "copy, which also byte-swaps non-native arrays. DLPack producers are imported; objects\n"
        "with __array__/__array_interface__ go through NumPy; anything else is copied as by\n"
        "tensor().");
  m.def("asarray", &asarray, nb::arg("obj").none(), nb::kw_only(), nb::arg("dtype").none() = nb::none(),
        nb::arg("device").none() = nb::none(), nb::arg("copy").none() = nb::none(),
        nb::arg("requires_grad").none() = nb::none(),
        "Converts obj to a tensor (torch.asarray): tensors, ndarrays and NumPy scalars, DLPack\n"
        "producers and capsules, buffer objects (raw bytes reinterpreted as dtype), array-likes,\n"
        "Python scalars and sequences, in that order.\n\n"
        "copy=None aliases when dtype and device match, copy=True always copies, copy=False\n"
        "aliases or raises. requires_grad=None follows obj; the input is never modified (a\n"
        "different requires_grad gives a new alias).");
  m.def(
      "_tensor_from_protocols",
      [](nb::handle data) -> nb::object {
        std::optional<tb::Tensor> t = tensor_from_protocols(data);
        if (!t) return nb::none();
        return wrap(std::move(*t));
      },
      nb::arg("data").none(),
      "Internal (tests): the view tb.tensor() copies for objects speaking an array protocol, or "
      "None.");
  (void)cls;
}

}  // namespace tbpy
