// The tensorbridge.Tensor class: geometry, dtype/device, autograd flags, conversions to Python.
#include <Python.h>

#include <nanobind/stl/complex.h>

#include "bindings.h"
#include "tensorbridge/error.h"

namespace tbpy {

namespace {

nb::object tolist_rec(const tb::Tensor& t, int64_t dim, int64_t offset) {
  if (dim == t.dim()) {
    return scalar_to_py(tb::scalar_at(t.as_strided({}, {}, offset), 0));
  }
  int64_t n = t.shape()[size_t(dim)];
  nb::list out;
  for (int64_t i = 0; i < n; ++i)
    out.append(tolist_rec(t, dim + 1, offset + i * t.strides()[size_t(dim)]));
  return std::move(out);
}

// Copies of large tensors run without the GIL (other Python threads keep going).
tb::Tensor clone_releasing_gil(const tb::Tensor& t) {
  return maybe_release_gil(t.numel(), [&] { return tb::clone(t); });
}

void check_one_element(const tb::Tensor& t, const char* what) {
  if (t.numel() != 1)
    throw tb::RuntimeError("a Tensor with " + std::to_string(t.numel()) +
                           " elements cannot be converted to Scalar");
}

}  // namespace

TensorClass bind_tensor_class(nb::module_& m) {
  // nb::pooled: dead instances are kept (up to 128) and reused for new tensors, which skips the
  // allocation and nanobind's registration of each short-lived Python object.
  TensorClass cls(m, "Tensor", "A multi-dimensional array with PyTorch's semantics.", nb::pooled(),
                  nb::is_weak_referenceable());
  set_tensor_class(cls);
  cls.def_prop_ro("shape", [](const tb::Tensor& t) { return size_object(t.shape()); },
                  "The size of each dimension, as a tensorbridge.Size.")
      .def(
          "size",
          [](const tb::Tensor& t, nb::handle dim) -> nb::object {
            if (dim.is_none()) return size_object(t.shape());
            return nb::int_(t.size(nb::cast<int64_t>(dim)));
          },
          nb::arg("dim").none() = nb::none(), "The shape, or the size of one dimension.")
      .def("dim", &tb::Tensor::dim, "Number of dimensions.")
      .def("ndimension", &tb::Tensor::dim, "Alias of dim().")
      .def_prop_ro("ndim", &tb::Tensor::dim, "Number of dimensions.")
      .def("numel", &tb::Tensor::numel, "Number of elements.")
      .def("nelement", &tb::Tensor::numel, "Alias of numel().")
      .def(
          "stride",
          [](const tb::Tensor& t, nb::handle dim) -> nb::object {
            if (dim.is_none()) {
              nb::list l;
              for (int64_t s : t.strides()) l.append(s);
              return nb::tuple(l);
            }
            return nb::int_(t.stride(nb::cast<int64_t>(dim)));
          },
          nb::arg("dim").none() = nb::none(), "Strides in elements (signed), or the stride of one dim.")
      .def("storage_offset", &tb::Tensor::offset, "Offset of element 0 in the storage, in elements.")
      .def("data_ptr", [](const tb::Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); },
           "Address of the first element.")
      .def("element_size", [](const tb::Tensor& t) { return t.itemsize(); }, "Bytes per element.")
      .def_prop_ro("itemsize", [](const tb::Tensor& t) { return t.itemsize(); }, "Bytes per element.")
      .def_prop_ro("nbytes", [](const tb::Tensor& t) { return int64_t(t.itemsize()) * t.numel(); },
                   "numel() * itemsize.")
      .def_prop_ro("dtype", [](const tb::Tensor& t) { return dtype_object(t.dtype()); },
                   "The element type.")
      .def_prop_ro("device", [](const tb::Tensor& t) { return device_object(t.device()); },
                   "The device holding the data.")
      .def_prop_ro("is_cuda", [](const tb::Tensor& t) { return !t.device().is_cpu(); },
                   "True if the data lives on a CUDA device.")
      .def_prop_ro("is_cpu", [](const tb::Tensor& t) { return t.device().is_cpu(); },
                   "True if the data lives in host memory.")
      .def("is_contiguous", &tb::Tensor::is_contiguous, "True if the elements are in C order without gaps.")
      .def("is_floating_point", [](const tb::Tensor& t) { return tb::is_floating_point(t.dtype()); },
           "True for floating point dtypes.")
      .def("is_complex", [](const tb::Tensor& t) { return tb::is_complex(t.dtype()); },
           "True for complex dtypes.")
      .def_prop_ro("is_readonly", &tb::Tensor::read_only,
                   "True if the data may not be written (it came from a read-only array). "
                   "tensorbridge extension.")
      .def_prop_ro("_version", &tb::Tensor::user_version, "Number of in-place writes seen by this data.")
      .def("is_inference", &tb::Tensor::is_inference, "Whether the tensor was created in inference mode.")
      // requires_grad, grad, grad_fn, is_leaf ...: bindings/autograd_py.cpp
      .def("detach", [](const tb::Tensor& t) { return wrap(t.detach()); },
           nb::sig("def detach(self) -> Tensor"),
           "A view of the same data outside autograd; shares the version counter.")
      .def_prop_rw(
          "data", [](const tb::Tensor& t) { return t.data_alias(); },
          [](tb::Tensor& t, const tb::Tensor& other) {
            if (t.requires_grad() && !(tb::is_floating_point(other.dtype()) || tb::is_complex(other.dtype())))
              throw tb::RuntimeError("data set to a tensor that requires gradients must be "
                                     "floating point or complex dtype");
            tb::TensorImpl* dst = t.impl();
            const tb::TensorImpl* src = other.impl();
            dst->storage = src->storage;
            dst->offset = src->offset;
            dst->shape = src->shape;
            dst->strides = src->strides;
            dst->dtype = src->dtype;
          },
          "The same data as a new tensor outside autograd, with its own version counter.")
      // ---- device and copies ----
      .def("cpu", [](nb::handle self) { return nb::borrow(self); },
           "Returns self (tensors live on the CPU).")
      .def("clone", [](const tb::Tensor& t) { return clone_releasing_gil(t); }, "A contiguous copy.")
      .def(
          "resize_",
          [](nb::handle self, nb::args args) {
            tb::Tensor& t = nb::cast<tb::Tensor&>(self);
            if (t.requires_grad()) throw tb::RuntimeError("cannot resize variables that require grad");
            tb::resize_(t, size_from_args(args, "resize_"));
            t.bump_version();
            return nb::borrow(self);
          },
          "Gives self the shape (contiguous), reusing its memory when large enough; returns self.")
      .def(
          "copy_",
          [](nb::handle self, const tb::Tensor& src, bool) {
            const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
            maybe_release_gil(t.numel(), [&] { tb::copy_(t, src); });
            return nb::borrow(self);
          },
          nb::arg("src"), nb::arg("non_blocking") = false,
          "Copies src's values (broadcast, converted to this dtype) into self; returns self.")
      .def(
          "contiguous",
          [](nb::handle self) -> nb::object {
            const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
            if (t.is_contiguous()) return nb::borrow(self);
            return wrap(clone_releasing_gil(t));
          },
          "self if contiguous, else a contiguous copy.")
      // ---- to Python ----
      .def("item", [](const tb::Tensor& t) { return scalar_to_py(tb::item(t)); },
           "The value of a one-element tensor as a Python number.")
      .def("tolist", [](const tb::Tensor& t) { return tolist_rec(t, 0, t.offset()); },
           "The data as (nested) Python lists of numbers.")
      .def("__len__",
           [](const tb::Tensor& t) {
             if (t.dim() == 0) throw tb::TypeError("len() of a 0-d tensor");
             return t.shape()[0];
           })
      .def("__float__",
           [](const tb::Tensor& t) {
             check_one_element(t, "float");
             return tb::item(t).to_double();
           })
      .def("__int__",
           [](const tb::Tensor& t) {
             check_one_element(t, "int");
             return scalar_to_py(tb::Scalar(tb::item(t).to_int64()));
           })
      .def("__complex__",
           [](const tb::Tensor& t) {
             check_one_element(t, "complex");
             return tb::item(t).to_complex();
           })
      .def("__index__",
           [](const tb::Tensor& t) {
             if (t.numel() != 1 || !tb::is_integral(t.dtype(), true))
               throw tb::TypeError("only integer tensors of a single element can be converted to an index");
             return scalar_to_py(tb::item(t));
           })
      .def("__bool__", [](const tb::Tensor& t) {
        if (t.numel() != 1)
          throw tb::RuntimeError("Boolean value of Tensor with " +
                                 std::string(t.numel() == 0 ? "no values" : "more than one value") +
                                 " is ambiguous");
        return tb::item(t).to_bool();
      });
  return cls;
}

}  // namespace tbpy
