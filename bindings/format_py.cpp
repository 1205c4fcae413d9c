// Printing bindings: Tensor.__repr__/__str__/__format__ and torch's set_printoptions /
// get_printoptions. The text itself comes from tb::repr (cpp/tensorbridge/format/), the same code
// as C++'s operator<<.
#include <Python.h>

#include <climits>
#include <cmath>
#include <limits>

#include "bindings.h"
#include "tensorbridge/autograd/record.h"
#include "tensorbridge/error.h"
#include "tensorbridge/format/format.h"

namespace tbpy {

namespace {

// repr of a tensorbridge.Tensor or of a Python subclass (whose name replaces "tensor", as torch).
nb::str tensor_repr(nb::handle self) {
  const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
  std::string prefix = "tensor";
  if (!self.type().is(nb::type<tb::Tensor>()))
    prefix = nb::cast<std::string>(self.type().attr("__name__"));
  const auto fn = tb::autograd::current_grad_fn(t);
  std::string s = tb::repr(t, fn ? fn->class_name() : std::string(), prefix);
  return nb::str(s.data(), s.size());
}

// An int option: anything with __index__ (bool and float are rejected like torch's int arguments).
int64_t int_option(nb::handle h, const char* name) {
  if (PyFloat_Check(h.ptr()) || !PyIndex_Check(h.ptr()))
    throw tb::TypeError(std::string("set_printoptions(): argument '") + name +
                        "' must be int, not " + py_type_name(h));
  nb::object i = nb::steal(PyNumber_Index(h.ptr()));
  if (!i.is_valid()) throw nb::python_error();
  long long v = PyLong_AsLongLong(i.ptr());
  if (v == -1 && PyErr_Occurred()) throw nb::python_error();
  return v;
}

// threshold may also be a float (torch's "full" profile uses inf): n > x  <=>  n > floor(x).
int64_t threshold_option(nb::handle h) {
  if (!PyFloat_Check(h.ptr())) return int_option(h, "threshold");
  const double x = PyFloat_AsDouble(h.ptr());
  if (std::isnan(x) || x >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (x < -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return int64_t(std::floor(x));
}

void set_printoptions(nb::handle precision, nb::handle threshold, nb::handle edgeitems,
                      nb::handle linewidth, nb::handle profile, nb::handle sci_mode) {
  tb::PrintOptions o = tb::print_options();  // applied only when every argument converted
  if (!profile.is_none()) {
    if (!PyUnicode_Check(profile.ptr()))
      throw tb::TypeError("set_printoptions(): argument 'profile' must be str, not " +
                          py_type_name(profile));
    tb::apply_print_profile(o, nb::cast<std::string>(profile));
  }
  if (!precision.is_none()) {
    int64_t p = int_option(precision, "precision");
    if (p > INT_MAX || p < INT_MIN)
      throw tb::ValueError("set_printoptions(): precision out of range: " + std::to_string(p));
    o.precision = int(p);
  }
  if (!threshold.is_none()) o.threshold = threshold_option(threshold);
  if (!edgeitems.is_none()) o.edgeitems = int_option(edgeitems, "edgeitems");
  if (!linewidth.is_none()) o.linewidth = int_option(linewidth, "linewidth");
  // torch assigns sci_mode on every call: omitting it resets it to automatic.
  if (sci_mode.is_none()) {
    o.sci_mode.reset();
  } else {
    int truth = PyObject_IsTrue(sci_mode.ptr());
    if (truth < 0) throw nb::python_error();
    o.sci_mode = truth != 0;
  }
  tb::print_options() = o;
}

nb::dict get_printoptions() {
  const tb::PrintOptions& o = tb::print_options();
  nb::dict d;
  d["precision"] = o.precision;
  if (o.threshold == std::numeric_limits<int64_t>::max())
    d["threshold"] = nb::float_(std::numeric_limits<double>::infinity());
  else
    d["threshold"] = o.threshold;
  d["edgeitems"] = o.edgeitems;
  d["linewidth"] = o.linewidth;
  d["sci_mode"] = o.sci_mode ? nb::object(nb::bool_(*o.sci_mode)) : nb::none();
  return d;
}

}  // namespace

void bind_format(nb::module_& m, TensorClass& cls) {
  cls.def("__repr__", &tensor_repr, "torch's tensor text (see tensorbridge.set_printoptions).");
  cls.def("__str__", &tensor_repr, "Same as repr(), as in torch.");
  cls.def(
      "__format__",
      [](nb::handle self, nb::handle spec) -> nb::object {
        const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
        // torch: a plain 0-d tensor formats its Python number; anything else is object.__format__
        // (str(self) for an empty spec, TypeError otherwise).
        if (t.dim() == 0 && self.type().is(nb::type<tb::Tensor>()))
          return scalar_to_py(tb::item(t)).attr("__format__")(spec);
        nb::object object_type = nb::borrow(reinterpret_cast<PyObject*>(&PyBaseObject_Type));
        return object_type.attr("__format__")(self, spec);
      },
      nb::arg("format_spec"),
      "format(t, spec): a 0-d tensor formats t.item(); others need an empty spec.");

  m.def("set_printoptions", &set_printoptions, nb::arg("precision") = nb::none(),
        nb::arg("threshold") = nb::none(), nb::arg("edgeitems") = nb::none(),
        nb::arg("linewidth") = nb::none(), nb::arg("profile") = nb::none(),
        nb::arg("sci_mode") = nb::none(),
        "Set the options for printing tensors, as torch.set_printoptions.\n\n"
        "profile ('default', 'short', 'full') is applied first, then each given option; "
        "sci_mode is always assigned, so omitting it restores automatic notation.");
  // Private seam until autograd exists (and for tests): the repr with a given grad_fn node name.
  m.def(
      "_format_tensor",
      [](const tb::Tensor& t, const std::string& grad_fn) {
        std::string s = tb::repr(t, grad_fn);
        return nb::str(s.data(), s.size());
      },
      nb::arg("tensor"), nb::arg("grad_fn") = "",
      "repr(tensor) as if it had an autograd node named grad_fn (internal; used by tests).");
  m.def("get_printoptions", &get_printoptions,
        "The current print options as a dict that set_printoptions(**d) accepts.");
}

}  // namespace tbpy
