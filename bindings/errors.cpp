// tb::Error -> the Python exception class of its kind, message unchanged.
#include <Python.h>

#include "bindings.h"
#include "tensorbridge/error.h"

namespace tbpy {

void bind_errors(nb::module_&) {
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const tb::Error& e) {
      PyObject* type = PyExc_RuntimeError;
      switch (e.kind()) {
        case tb::ErrorKind::Runtime: type = PyExc_RuntimeError; break;
        case tb::ErrorKind::Type: type = PyExc_TypeError; break;
        case tb::ErrorKind::Value: type = PyExc_ValueError; break;
        case tb::ErrorKind::Index: type = PyExc_IndexError; break;
        case tb::ErrorKind::NotImplemented: type = PyExc_NotImplementedError; break;
        case tb::ErrorKind::Buffer: type = PyExc_BufferError; break;
      }
      PyErr_SetString(type, e.what());
    }
  });
}

}  // namespace tbpy
