// Pickling and copying tensors: __reduce_ex__ (out-of-band PickleBuffer for protocol >= 5),
// __copy__ and __deepcopy__ with torch's semantics.
//
// Note [Pickled state]: a tensor pickles as
//   tensorbridge._pickle._rebuild_tensor(buffer, dtype_name, offset, shape, strides,
//                                        requires_grad, copy)
// where buffer holds only the bytes the view addresses (from its lowest to its highest element,
// holes included), so strides, including negative and zero ones, come back unchanged. With
// protocol >= 5 the buffer is a PickleBuffer over the tensor's memory (zero-copy out-of-band);
// the rebuilt tensor then wraps whatever buffer the unpickler hands back, read-only when that
// buffer is. Older protocols carry bytes, which the rebuild copies into fresh writable memory.
#include <Python.h>

#include <cstring>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/error.h"

namespace tbpy {

namespace {

// [lo, hi]: the lowest and highest element offsets (relative to element 0) a view addresses.
struct Span {
  int64_t lo = 0, hi = 0;
  bool empty = false;
  size_t nbytes(size_t isz) const { return empty ? 0 : size_t(hi - lo + 1) * isz; }
};
Span span_of(const tb::Tensor& t) {
  Span s;
  s.empty = t.numel() == 0;
  if (!s.empty)
    for (int64_t d = 0; d < t.dim(); ++d) {
      int64_t span = (t.shape()[size_t(d)] - 1) * t.strides()[size_t(d)];
      (span < 0 ? s.lo : s.hi) += span;
    }
  return s;
}

nb::object tuple_of(const tb::DimVector& v) {
  nb::object t = nb::steal(PyTuple_New(Py_ssize_t(v.size())));
  for (size_t i = 0; i < v.size(); ++i) PyTuple_SET_ITEM(t.ptr(), Py_ssize_t(i), PyLong_FromLongLong(v[i]));
  return t;
}

nb::handle rebuild_function() {
  static PyObject* fn = nullptr;  // kept for the life of the process
  if (!fn) fn = nb::object(nb::module_::import_("tensorbridge._pickle").attr("_rebuild_tensor")).release().ptr();
  return fn;
}

nb::object reduce_ex(nb::handle self, int protocol) {
  const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
  if (!t.device().is_cpu())
    throw tb::RuntimeError("pickling is supported for CPU tensors only in this build");
  const Span s = span_of(t);
  const size_t isz = t.itemsize();
  const size_t nbytes = s.nbytes(isz);
  const int64_t first = s.empty ? 0 : t.offset() + s.lo;  // in elements of the storage
  nb::object buffer;
  bool copy_on_load;
  if (protocol >= 5) {
    // A flat uint8 alias of the addressed bytes; its buffer export keeps the storage alive.
    tb::Tensor raw(t.storage(), s.empty ? 0 : first * int64_t(isz), tb::Shape{int64_t(nbytes)},
                   tb::Strides{1}, tb::DType::UInt8);
    nb::object raw_obj = wrap(std::move(raw));
    buffer = nb::steal(PyPickleBuffer_FromObject(raw_obj.ptr()));
    if (!buffer.is_valid()) throw nb::python_error();
    copy_on_load = false;
  } else {
    const char* p = static_cast<const char*>(t.storage()->data()) + first * int64_t(isz);
    buffer = nb::steal(PyBytes_FromStringAndSize(nbytes ? p : nullptr, Py_ssize_t(nbytes)));
    if (!buffer.is_valid()) throw nb::python_error();
    copy_on_load = true;
  }
  nb::object args = nb::make_tuple(buffer, std::string(tb::dtype_name(t.dtype())),
                                   s.empty ? int64_t(0) : -s.lo, tuple_of(t.shape()),
                                   tuple_of(t.strides()), t.requires_grad(), copy_on_load);
  return nb::make_tuple(rebuild_function(), args);
}


tb::Tensor tensor_from_pickle(nb::handle buffer, const std::string& dtype_name, int64_t offset,
                              nb::handle shape_obj, nb::handle strides_obj, bool requires_grad,
                              bool copy) {
  const tb::DType dt = tb::dtype_from_name(dtype_name);
  tb::Shape shape = size_from_py(shape_obj, "_rebuild_tensor", "shape");
  tb::Shape strides_v = size_from_py(strides_obj, "_rebuild_tensor", "strides");
  tb::Strides strides(strides_v.begin(), strides_v.end());
  auto view = std::make_unique<Py_buffer>();
  bool read_only = false;
  if (PyObject_GetBuffer(buffer.ptr(), view.get(), PyBUF_WRITABLE) != 0) {
    PyErr_Clear();
    if (PyObject_GetBuffer(buffer.ptr(), view.get(), PyBUF_SIMPLE) != 0) throw nb::python_error();
    read_only = true;
  }
  std::shared_ptr<tb::Storage> storage;
  if (copy) {
    try {
      storage = tb::Storage::allocate(size_t(view->len));
    } catch (...) {
      PyBuffer_Release(view.get());
      throw;
    }
    if (view->len) std::memcpy(storage->data(), view->buf, size_t(view->len));
    PyBuffer_Release(view.get());
  } else {
    void* data = view->buf;
    size_t len = size_t(view->len);
    Py_buffer* ctx = view.get();
    try {
      storage = tb::Storage::borrow(data, len, tb::kCPU, &release_buffer_view, ctx, read_only);
    } catch (...) {
      PyBuffer_Release(ctx);
      throw;
    }
    view.release();  // owned by the storage now
  }
  // The Tensor constructor checks that the geometry stays inside the buffer.
  tb::Tensor t(std::move(storage), offset, std::move(shape), std::move(strides), dt);
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

nb::object deepcopy(nb::handle self, nb::handle memo) {
  const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
  if (t.impl()->autograd)
    throw tb::RuntimeError(
        "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
        "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
        "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001");
  // Views of one storage deep-copied together share one new storage (torch keys its memo by
  // storage too). The memo keeps the original alive, so the storage address is a stable key.
  const std::shared_ptr<tb::Storage>& src = t.storage();
  nb::object key = nb::make_tuple("tensorbridge.storage", reinterpret_cast<uintptr_t>(src.get()));
  std::shared_ptr<tb::Storage> dst;
  const bool have_memo = PyDict_Check(memo.ptr());
  if (have_memo) {
    PyObject* hit = PyDict_GetItemWithError(memo.ptr(), key.ptr());
    if (!hit && PyErr_Occurred()) throw nb::python_error();
    if (hit) dst = nb::cast<const tb::Tensor&>(nb::handle(hit)).storage();
  }
  if (!dst) {
    dst = tb::Storage::allocate(src->nbytes(), src->device());
    if (src->nbytes()) std::memcpy(dst->data(), src->data(), src->nbytes());
    if (have_memo) {
      tb::Tensor holder(dst, 0, tb::Shape{int64_t(dst->nbytes())}, tb::Strides{1}, tb::DType::UInt8);
      if (PyDict_SetItem(memo.ptr(), key.ptr(), wrap(std::move(holder)).ptr()) != 0)
        throw nb::python_error();
    }
  }
  tb::Tensor r(dst, t.offset(), t.shape(), t.strides(), t.dtype());
  if (t.requires_grad()) r.set_requires_grad(true);
  nb::object result = wrap(std::move(r));
  nb::object grad = nb::getattr(self, "grad", nb::none());
  if (!grad.is_none()) {
    nb::object g = nb::module_::import_("copy").attr("deepcopy")(grad, memo);
    nb::setattr(result, "grad", g);
  }
  return result;
}

}  // namespace

void bind_pickle(nb::module_& m, TensorClass& cls) {
  cls.def("__reduce_ex__", &reduce_ex, nb::arg("protocol"),
          "Pickle support. Only the bytes the view addresses are saved; dtype, shape, strides and\n"
          "requires_grad come back unchanged. Protocol 5 passes the data as an out-of-band\n"
          "PickleBuffer (zero-copy with a buffer_callback).");
  cls.def(
      "__copy__",
      [](const tb::Tensor& t) {
        // torch: a new tensor object over the same storage, with its own version counter.
        tb::Tensor r = t.data_alias();
        if (t.requires_grad()) r.set_requires_grad(true);
        return r;
      },
      "copy.copy(t): a new tensor sharing t's memory (as torch), requires_grad kept.");
  cls.def("__deepcopy__", &deepcopy, nb::arg("memo").none(),
          "copy.deepcopy(t): a copy of the data (views copied together keep sharing), with\n"
          "requires_grad kept; only graph leaves can be deep-copied (as torch).");
  m.def("_tensor_from_pickle", &tensor_from_pickle, nb::arg("buffer"), nb::arg("dtype"),
        nb::arg("offset"), nb::arg("shape"), nb::arg("strides"), nb::arg("requires_grad"),
        nb::arg("copy"),
        "Internal: rebuilds a pickled tensor over (copy=False) or from (copy=True) a buffer.");
}

}  // namespace tbpy
