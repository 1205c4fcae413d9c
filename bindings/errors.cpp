// tb::Error -> the Python exception class of its kind, message unchanged.
#include <Python.h>

#include "bindings.h"
#include "tensorbridge/error.h"

namespace tbpy {

PyObject* python_exception_type(tb::ErrorKind kind) {
  switch (kind) {
    case tb::ErrorKind::Runtime: return PyExc_RuntimeError;
    case tb::ErrorKind::Type: return PyExc_TypeError;
    case tb::ErrorKind::Value: return PyExc_ValueError;
    case tb::ErrorKind::Index: return PyExc_IndexError;
    case tb::ErrorKind::NotImplemented: return PyExc_NotImplementedError;
    case tb::ErrorKind::Buffer: return PyExc_BufferError;
  }
  return PyExc_RuntimeError;
}

void bind_errors(nb::module_&) {
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const tb::Error& e) {
      PyErr_SetString(python_exception_type(e.kind()), e.what());
    }
  });
}

}  // namespace tbpy
