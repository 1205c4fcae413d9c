// Argument conversion shared by the binding files (see common.h).
#include "common.h"

#include <Python.h>

#include <array>

#include "tensorbridge/error.h"

namespace tbpy {

std::string py_type_name(nb::handle h) {
  return Py_TYPE(h.ptr())->tp_name;
}

// ---- scalars -----------------------------------------------------------------------------------
namespace {
// Held for the life of the process (released never: no static destructor may touch Python).
struct NumpyScalarTypes {
  nb::handle bool_, integer, floating, complexfloating, generic;
  bool loaded = false;
};
NumpyScalarTypes& np_types() {
  static NumpyScalarTypes t;
  if (!t.loaded) {
    nb::module_ np = nb::module_::import_("numpy");
    t.bool_ = nb::object(np.attr("bool_")).release();
    t.integer = nb::object(np.attr("integer")).release();
    t.floating = nb::object(np.attr("floating")).release();
    t.complexfloating = nb::object(np.attr("complexfloating")).release();
    t.generic = nb::object(np.attr("generic")).release();
    t.loaded = true;
  }
  return t;
}
bool isinst(nb::handle h, nb::handle type) {
  return PyObject_IsInstance(h.ptr(), type.ptr()) == 1;
}
}  // namespace

bool is_scalar_like(nb::handle h) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o) || PyLong_Check(o) || PyFloat_Check(o) || PyComplex_Check(o)) return true;
  return isinst(h, np_types().generic) && !PyUnicode_Check(o) && !PyBytes_Check(o) &&
         (isinst(h, np_types().bool_) || isinst(h, np_types().integer) ||
          isinst(h, np_types().floating) || isinst(h, np_types().complexfloating));
}

tb::Scalar scalar_from_py(nb::handle h) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) return tb::Scalar(o == Py_True);
  if (PyFloat_Check(o)) return tb::Scalar(PyFloat_AS_DOUBLE(o));
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (!overflow) return tb::Scalar(int64_t(v));
    if (overflow > 0) {
      unsigned long long u = PyLong_AsUnsignedLongLong(o);
      if (!PyErr_Occurred()) return tb::Scalar(uint64_t(u));
      PyErr_Clear();
    }
    throw tb::RuntimeError("Overflow when unpacking long");
  }
  if (PyComplex_Check(o)) {
    Py_complex c = PyComplex_AsCComplex(o);
    return tb::Scalar(std::complex<double>(c.real, c.imag));
  }
  if (is_tensor(h)) {
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(h);
    return tb::item(t);
  }
  const NumpyScalarTypes& np = np_types();
  if (isinst(h, np.bool_)) return tb::Scalar(PyObject_IsTrue(o) == 1);
  if (isinst(h, np.integer)) {
    nb::object i = nb::steal(PyNumber_Index(o));
    if (!i.is_valid()) throw nb::python_error();
    return scalar_from_py(i);
  }
  if (isinst(h, np.floating)) {
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) throw nb::python_error();
    return tb::Scalar(d);
  }
  if (isinst(h, np.complexfloating)) {
    Py_complex c = PyComplex_AsCComplex(o);
    if (c.real == -1.0 && PyErr_Occurred()) throw nb::python_error();
    return tb::Scalar(std::complex<double>(c.real, c.imag));
  }
  throw tb::TypeError("expected a number (bool, int, float or complex), got " + py_type_name(h));
}

nb::object scalar_to_py(const tb::Scalar& s) {
  switch (s.kind()) {
    case tb::Scalar::Kind::Bool: return nb::bool_(s.to_bool());
    case tb::Scalar::Kind::Int: return nb::steal(PyLong_FromLongLong(s.to_int64()));
    case tb::Scalar::Kind::UInt: return nb::steal(PyLong_FromUnsignedLongLong(s.to_uint64()));
    case tb::Scalar::Kind::Float: return nb::steal(PyFloat_FromDouble(s.to_double()));
    case tb::Scalar::Kind::Complex: {
      auto c = s.to_complex();
      return nb::steal(PyComplex_FromDoubles(c.real(), c.imag()));
    }
  }
  return nb::none();
}

// ---- tensors -----------------------------------------------------------------------------------
namespace {
PyObject* g_tensor_class = nullptr;  // tensorbridge.Tensor (alive as long as the module)
}  // namespace

void set_tensor_class(nb::handle cls) { g_tensor_class = cls.ptr(); }

nb::object wrap(tb::Tensor t) {
  if (!g_tensor_class) return nb::cast(std::move(t));
  nb::object o = nb::inst_alloc(g_tensor_class);
  new (nb::inst_ptr<tb::Tensor>(o)) tb::Tensor(std::move(t));
  nb::inst_mark_ready(o);  // ready, and the destructor runs when the object dies
  return o;
}

bool is_tensor(nb::handle h) { return nb::isinstance<tb::Tensor>(h); }

tb::Tensor& tensor_from_py(nb::handle h, const char* fn, const char* arg) {
  tb::Tensor* t = nullptr;
  if (!nb::try_cast<tb::Tensor*>(h, t) || t == nullptr)
    throw tb::TypeError(std::string(fn) + "(): argument '" + arg +
                        "' must be Tensor, not " + py_type_name(h));
  return *t;
}

// ---- sequences of tensors ----------------------------------------------------------------------
std::vector<tb::Tensor> tensors_from_sequence(nb::handle seq, const TensorSequenceArg& arg) {
  PyObject* o = seq.ptr();
  if (arg.tuple_or_list && !PyTuple_Check(o) && !PyList_Check(o))
    throw tb::TypeError(arg.not_sequence(is_tensor(seq) ? std::string("Tensor") : py_type_name(seq)));
  PyObject* f = arg.not_sequence ? PySequence_Fast(o, arg.not_sequence(py_type_name(seq)).c_str())
                                 : PySequence_List(o);  // (its own error for a non-iterable)
  if (!f) throw nb::python_error();
  nb::object fast = nb::steal(f);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(f);
  std::vector<tb::Tensor> out;
  out.reserve(size_t(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    nb::handle item = PySequence_Fast_GET_ITEM(f, i);
    if (arg.none_as_undefined && item.is_none()) {
      out.emplace_back();
    } else if (is_tensor(item)) {
      out.push_back(nb::cast<tb::Tensor>(item));
    } else {
      throw tb::TypeError(arg.bad_element(size_t(i), py_type_name(item)));
    }
  }
  return out;
}

TensorSequenceArg tuple_of_tensors_arg(const char* fn, const char* name, int position) {
  TensorSequenceArg arg;
  arg.tuple_or_list = true;
  arg.not_sequence = [=](const std::string& type) {
    return std::string(fn) + "(): argument '" + name + "' (position " + std::to_string(position) +
           ") must be tuple of Tensors, not " + type;
  };
  arg.bad_element = [=](size_t i, const std::string& type) {
    return "expected Tensor as element " + std::to_string(i) + " in argument " + std::to_string(position - 1) +
           ", but got " + type;
  };
  return arg;
}

// ---- sizes -------------------------------------------------------------------------------------
namespace {
int64_t index_value(nb::handle item, const char* fn, const char* arg, size_t pos) {
  PyObject* o = item.ptr();
  if (PyLong_Check(o) && !PyBool_Check(o)) {
    long long v = PyLong_AsLongLong(o);
    if (v == -1 && PyErr_Occurred()) throw nb::python_error();
    return v;
  }
  if (!PyFloat_Check(o) && !PyBool_Check(o) && PyIndex_Check(o)) {
    nb::object i = nb::steal(PyNumber_Index(o));
    if (!i.is_valid()) throw nb::python_error();
    return index_value(i, fn, arg, pos);
  }
  if (is_tensor(item)) {  // a one-element integer tensor counts as an int, as in torch
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(item);
    if (t.numel() == 1 && tb::is_integral(t.dtype(), false)) return tb::item(t).to_int64();
  }
  throw tb::TypeError(std::string(fn) + "(): argument '" + arg +
                      "' must be tuple of ints, but found element of type " +
                      Py_TYPE(o)->tp_name + " at pos " + std::to_string(pos));
}
}  // namespace

tb::Shape size_from_py(nb::handle seq, const char* fn, const char* arg) {
  PyObject* o = seq.ptr();
  if (!PyTuple_Check(o) && !PyList_Check(o)) {
    if (is_tensor(seq) || PyUnicode_Check(o) || !PySequence_Check(o))
      throw tb::TypeError(std::string(fn) + "(): argument '" + arg +
                          "' must be tuple of ints, not " + py_type_name(seq));
  }
  nb::object fast = nb::steal(PySequence_Fast(o, "expected a sequence"));
  if (!fast.is_valid()) throw nb::python_error();
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
  PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
  tb::Shape shape(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) shape[size_t(i)] = index_value(items[i], fn, arg, size_t(i));
  return shape;
}

tb::Shape size_from_args(const nb::args& args, const char* fn) {
  size_t n = args.size();
  if (n == 0)
    throw tb::TypeError(std::string(fn) + "() missing 1 required positional arguments: \"size\"");
  if (n == 1) {
    nb::handle a = args[0];
    PyObject* o = a.ptr();
    if (PyTuple_Check(o) || PyList_Check(o)) return size_from_py(a, fn);
  }
  tb::Shape shape(n);
  for (size_t i = 0; i < n; ++i) shape[i] = index_value(args[i], fn, "size", i);
  return shape;
}

nb::object size_object(const tb::Shape& shape) {
  static PyTypeObject* size_type = nullptr;
  if (!size_type) {
    nb::object cls = nb::module_::import_("tensorbridge._size").attr("Size");
    size_type = reinterpret_cast<PyTypeObject*>(cls.release().ptr());  // kept for the process
  }
  PyObject* t = size_type->tp_alloc(size_type, Py_ssize_t(shape.size()));
  if (!t) throw nb::python_error();
  for (size_t i = 0; i < shape.size(); ++i) PyTuple_SET_ITEM(t, Py_ssize_t(i), PyLong_FromLongLong(shape[i]));
  return nb::steal(t);
}

}  // namespace tbpy
