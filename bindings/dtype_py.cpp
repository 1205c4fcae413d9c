// Python objects for dtypes (tensorbridge.float32 ...) and devices (tensorbridge.device).
#include <Python.h>

#include <array>

#include "bindings.h"
#include "tensorbridge/error.h"

namespace tbpy {

namespace {
struct PyDType {
  tb::DType dt;
};
struct PyDevice {
  tb::Device d;
};

// Borrowed: the module's attributes own the dtype objects (no static destructor touches Python).
std::array<nb::handle, tb::kNumDTypes>& dtype_objects() {
  static std::array<nb::handle, tb::kNumDTypes> objs;
  return objs;
}
}  // namespace

nb::object dtype_object(tb::DType dt) { return nb::borrow(dtype_objects()[size_t(dt)]); }

tb::DType dtype_from_py(nb::handle h, const char* fn, const char* arg) {
  PyDType* p = nullptr;
  if (nb::try_cast<PyDType*>(h, p) && p) return p->dt;
  PyObject* o = h.ptr();
  if (o == reinterpret_cast<PyObject*>(&PyFloat_Type)) return tb::DType::Float64;
  if (o == reinterpret_cast<PyObject*>(&PyLong_Type)) return tb::DType::Int64;
  if (o == reinterpret_cast<PyObject*>(&PyBool_Type)) return tb::DType::Bool;
  if (o == reinterpret_cast<PyObject*>(&PyComplex_Type)) return tb::DType::Complex128;
  throw tb::TypeError(std::string(fn) + (*fn ? "(): " : "") + "argument '" + arg +
                      "' must be tensorbridge.dtype, not " + py_type_name(h));
}

bool is_dtype_like(nb::handle h) {
  PyDType* p = nullptr;
  if (nb::try_cast<PyDType*>(h, p) && p) return true;
  PyObject* o = h.ptr();
  return o == reinterpret_cast<PyObject*>(&PyFloat_Type) || o == reinterpret_cast<PyObject*>(&PyLong_Type) ||
         o == reinterpret_cast<PyObject*>(&PyBool_Type) || o == reinterpret_cast<PyObject*>(&PyComplex_Type);
}

std::optional<tb::DType> optional_dtype(nb::handle h, const char* fn) {
  if (!h.is_valid() || h.is_none()) return std::nullopt;
  return dtype_from_py(h, fn);
}

nb::object device_object(const tb::Device& d) { return nb::cast(PyDevice{d}); }

tb::Device device_from_py(nb::handle h) {
  if (!h.is_valid() || h.is_none()) return tb::kCPU;
  PyDevice* p = nullptr;
  if (nb::try_cast<PyDevice*>(h, p) && p) return p->d;
  if (PyUnicode_Check(h.ptr())) return tb::parse_device(nb::cast<std::string>(h));
  if (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) {
    int64_t i = nb::cast<int64_t>(h);
    if (i < 0) throw tb::RuntimeError("Device index must not be negative");
    return tb::make_device("cuda", i);
  }
  throw tb::TypeError("expected a device (str, int or tensorbridge.device), got " + py_type_name(h));
}

void bind_dtypes(nb::module_& m) {
  nb::class_<PyDType> dtype(m, "dtype", "The element type of a tensor (like torch.dtype).");
  dtype
      .def_prop_ro("itemsize", [](const PyDType& d) { return tb::itemsize(d.dt); },
                   "Size of one element in bytes.")
      .def_prop_ro("is_floating_point", [](const PyDType& d) { return tb::is_floating_point(d.dt); },
                   "True for float16, bfloat16, float32 and float64.")
      .def_prop_ro("is_complex", [](const PyDType& d) { return tb::is_complex(d.dt); },
                   "True for complex64 and complex128.")
      .def_prop_ro("is_signed", [](const PyDType& d) { return tb::is_signed(d.dt); },
                   "True when the type can hold negative values.")
      .def("to_real", [](const PyDType& d) { return dtype_object(tb::to_real(d.dt)); },
           "The real counterpart (complex64 -> float32); real types return themselves.")
      .def("to_complex", [](const PyDType& d) { return dtype_object(tb::to_complex(d.dt)); },
           "The complex counterpart (float32 -> complex64).")
      .def("__repr__", [](const PyDType& d) { return "tensorbridge." + std::string(tb::dtype_name(d.dt)); })
      .def("__reduce__", [](const PyDType& d) { return std::string(tb::dtype_name(d.dt)); })
      .def("__copy__", [](nb::handle self) { return nb::borrow(self); })
      .def("__deepcopy__", [](nb::handle self, nb::handle) { return nb::borrow(self); });
  for (int i = 0; i < tb::kNumDTypes; ++i) {
    auto dt = static_cast<tb::DType>(i);
    nb::object o = nb::cast(PyDType{dt});
    dtype_objects()[size_t(i)] = o;
    m.attr(std::string(tb::dtype_name(dt)).c_str()) = o;
  }

  nb::class_<PyDevice> device(m, "device", "Where a tensor's data lives (like torch.device).");
  device
      .def("__init__",
           [](PyDevice* self, nb::handle type, std::optional<int64_t> index) {
             if (PyUnicode_Check(type.ptr())) {
               std::string s = nb::cast<std::string>(type);
               tb::Device d = tb::parse_device(s);
               if (index) {
                 if (s.find(':') != std::string::npos)
                   throw tb::RuntimeError("type (string) must not include an index because index "
                                          "was passed explicitly: " + s);
                 d = tb::make_device(d.type_str(), *index);
               }
               new (self) PyDevice{d};
             } else {
               new (self) PyDevice{device_from_py(type)};
             }
           },
           nb::arg("type"), nb::arg("index").none() = nb::none(),
           "device('cpu'), device('cuda', 0), device('cuda:1') or device(another_device).")
      .def_prop_ro("type", [](const PyDevice& d) { return d.d.type_str(); }, "'cpu' or 'cuda'.")
      .def_prop_ro("index",
                   [](const PyDevice& d) -> nb::object {
                     return d.d.index < 0 ? nb::object(nb::none()) : nb::object(nb::int_(d.d.index));
                   },
                   "The device index, or None.")
      .def("__str__", [](const PyDevice& d) { return d.d.str(); })
      .def("__repr__",
           [](const PyDevice& d) {
             std::string s = "device(type='" + d.d.type_str() + "'";
             if (d.d.index >= 0) s += ", index=" + std::to_string(d.d.index);
             return s + ")";
           })
      .def("__eq__",
           [](const PyDevice& a, nb::handle b) {
             PyDevice* p = nullptr;
             return nb::try_cast<PyDevice*>(b, p) && p && p->d == a.d;
           })
      .def("__hash__", [](const PyDevice& d) { return int(d.d.kind) * 65599 + d.d.index; })
      .def("__reduce__", [](const PyDevice& d) {
        return nb::make_tuple(nb::module_::import_("tensorbridge").attr("device"),
                              nb::make_tuple(d.d.str()));
      });
}

}  // namespace tbpy
