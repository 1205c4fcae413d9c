// Reductions for Python: module functions tb.sum ... and Tensor methods, torch's signatures
// (dim None/int/tuple, keepdim, dtype=, correction/unbiased) and (values, indices) named tuples.
#include <Python.h>

#include <optional>
#include <string>

#include "bindings.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops/elementwise.h"
#include "tensorbridge/ops/linalg.h"
#include "tensorbridge/ops/reduce.h"

namespace tbpy {

namespace {


bool is_int_like(nb::handle h) {
  PyObject* o = h.ptr();
  return (PyLong_Check(o) && !PyBool_Check(o)) || (!PyFloat_Check(o) && !PyBool_Check(o) && !PyTuple_Check(o) &&
                                                   !PyList_Check(o) && PyIndex_Check(o));
}

int64_t int_from_py(nb::handle h, const char* fn, const char* arg) {
  if (!is_int_like(h))
    throw tb::TypeError(std::string(fn) + "(): argument '" + arg + "' must be int, not " + py_type_name(h));
  nb::object i = nb::steal(PyNumber_Index(h.ptr()));
  if (!i.is_valid()) throw nb::python_error();
  return nb::cast<int64_t>(i);
}

// None -> every dim; int -> one; sequence -> several.
tb::OptDims dims_from_py(nb::handle h, const char* fn) {
  if (!h.is_valid() || h.is_none()) return std::nullopt;
  if (is_int_like(h)) return tb::DimVector{int_from_py(h, fn, "dim")};
  return size_from_py(h, fn, "dim");
}

nb::object named_pair(const char* name, tb::Tensor a, tb::Tensor b) {
  // One namedtuple type per name, created once and kept for the process.
  static std::vector<std::pair<std::string, PyObject*>> types;
  PyObject* type = nullptr;
  for (auto& [n, t] : types)
    if (n == name) type = t;
  if (!type) {
    nb::object nt = nb::module_::import_("collections").attr("namedtuple");
    nb::object cls = nt(name, nb::make_tuple("values", "indices"));
    cls.attr("__module__") = "tensorbridge.return_types";
    type = cls.release().ptr();
    types.emplace_back(name, type);
  }
  return nb::borrow(type)(wrap(std::move(a)), wrap(std::move(b)));
}

// The correction of var/std from torch's (unbiased, correction) pair.
double correction_of(nb::handle unbiased, nb::handle correction) {
  if (correction.is_valid() && !correction.is_none()) return nb::cast<double>(correction);
  if (unbiased.is_valid() && !unbiased.is_none()) return nb::cast<bool>(unbiased) ? 1.0 : 0.0;
  return 1.0;
}

nb::object var_std(bool is_std, const tb::Tensor& x, nb::handle dim, nb::handle unbiased, bool keepdim,
                   nb::handle correction) {
  const char* fn = is_std ? "std" : "var";
  // var(x, True): a bool in the dim position is `unbiased` (torch's legacy overload)
  if (dim.is_valid() && PyBool_Check(dim.ptr())) {
    unbiased = dim;
    dim = nb::none();
  }
  tb::OptDims dims = dims_from_py(dim, fn);
  double c = correction_of(unbiased, correction);
  return wrap(maybe_release_gil(x.numel(), [&] {
    return is_std ? tb::std(x, dims, c, keepdim) : tb::var(x, dims, c, keepdim);
  }));
}

nb::object max_min(bool is_max, const tb::Tensor& x, nb::handle dim, bool keepdim) {
  const char* name = is_max ? "max" : "min";
  if (!dim.is_valid() || dim.is_none()) return wrap(is_max ? tb::max(x) : tb::min(x));
  if (nb::isinstance<tb::Tensor>(dim))  // max(input, other): element-wise
    return wrap(tb::binary(is_max ? tb::BinaryOp::maximum : tb::BinaryOp::minimum, x,
                           nb::cast<const tb::Tensor&>(dim)));
  int64_t d = int_from_py(dim, name, "dim");
  auto [v, i] = maybe_release_gil(x.numel(), [&] { return is_max ? tb::max_dim(x, d, keepdim) : tb::min_dim(x, d, keepdim); });
  return named_pair(name, std::move(v), std::move(i));
}

std::optional<int64_t> optional_int(nb::handle h, const char* fn) {
  if (!h.is_valid() || h.is_none()) return std::nullopt;
  return int_from_py(h, fn, "dim");
}

// p of norm: a number, 'fro' (the 2-norm of the elements) or 'nuc' (nullopt: nuclear norm).
std::optional<double> norm_p(nb::handle p) {
  if (!p.is_valid() || p.is_none()) return 2.0;
  if (PyUnicode_Check(p.ptr())) {
    std::string s = nb::cast<std::string>(p);
    if (s == "fro") return 2.0;
    if (s == "nuc") return std::nullopt;
    throw tb::RuntimeError("linalg.matrix_norm: Order " + s + " not supported.");
  }
  return nb::cast<double>(p);
}

}  // namespace

void bind_ops_reduce(nb::module_& m, TensorClass& cls) {
  // sum / mean / prod / nansum-like: (input, dim=None, keepdim=False, *, dtype=None)
  struct Row {
    const char* name;
    tb::Tensor (*fn)(const tb::Tensor&, const tb::OptDims&, bool, std::optional<tb::DType>);
    const char* doc;
  };
  static const Row rows[] = {
      {"sum", &tb::sum, "Sum over dim (all dims by default); integer and bool inputs give int64."},
      {"mean", &tb::mean, "Mean over dim (all dims by default); floating or complex inputs (or dtype=)."},
      {"prod", &tb::prod, "Product over dim (all dims by default); integer and bool inputs give int64."},
  };
  for (const Row& r : rows) {
    auto f = r.fn;
    const char* name = r.name;
    auto body = [f, name](const tb::Tensor& x, nb::handle dim, bool keepdim, nb::handle dtype) {
      tb::OptDims dims = dims_from_py(dim, name);
      std::optional<tb::DType> dt = optional_dtype(dtype, name);
      return wrap(maybe_release_gil(x.numel(), [&] { return f(x, dims, keepdim, dt); }));
    };
    m.def(name, body, nb::arg("input"), nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false,
          nb::kw_only(), nb::arg("dtype").none() = nb::none(), r.doc);
    cls.def(name, body, nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false, nb::kw_only(),
            nb::arg("dtype").none() = nb::none(), r.doc);
  }

  // amax / amin / all / any: (input, dim=None, keepdim=False)
  struct Row2 {
    const char* name;
    tb::Tensor (*fn)(const tb::Tensor&, const tb::OptDims&, bool);
    const char* doc;
  };
  static const Row2 rows2[] = {
      {"amax", &tb::amax, "Maximum over dim (all dims by default); NaN propagates."},
      {"amin", &tb::amin, "Minimum over dim (all dims by default); NaN propagates."},
      {"all", &tb::all, "True if every element over dim is nonzero (uint8 input gives uint8)."},
      {"any", &tb::any, "True if some element over dim is nonzero (uint8 input gives uint8)."},
  };
  for (const Row2& r : rows2) {
    auto f = r.fn;
    const char* name = r.name;
    auto body = [f, name](const tb::Tensor& x, nb::handle dim, bool keepdim) {
      tb::OptDims dims = dims_from_py(dim, name);
      return wrap(maybe_release_gil(x.numel(), [&] { return f(x, dims, keepdim); }));
    };
    m.def(name, body, nb::arg("input"), nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false, r.doc);
    cls.def(name, body, nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false, r.doc);
  }

  // max / min: full, along dim (values, indices), or element-wise with another tensor
  for (bool is_max : {true, false}) {
    const char* name = is_max ? "max" : "min";
    auto body = [is_max](const tb::Tensor& x, nb::handle dim, bool keepdim) { return max_min(is_max, x, dim, keepdim); };
    const char* doc = is_max ? "max(input): largest element; max(input, dim, keepdim=False): (values, indices); "
                               "max(input, other): element-wise maximum."
                             : "min(input): smallest element; min(input, dim, keepdim=False): (values, indices); "
                               "min(input, other): element-wise minimum.";
    m.def(name, body, nb::arg("input"), nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false, doc);
    cls.def(name, body, nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false, doc);
  }
  for (bool is_max : {true, false}) {
    const char* name = is_max ? "argmax" : "argmin";
    auto body = [is_max, name](const tb::Tensor& x, nb::handle dim, bool keepdim) {
      std::optional<int64_t> d = optional_int(dim, name);
      return wrap(is_max ? tb::argmax(x, d, keepdim) : tb::argmin(x, d, keepdim));
    };
    const char* doc = is_max ? "Index of the largest element (first occurrence; flattened when dim is None)."
                             : "Index of the smallest element (first occurrence; flattened when dim is None).";
    m.def(name, body, nb::arg("input"), nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false, doc);
    cls.def(name, body, nb::arg("dim").none() = nb::none(), nb::arg("keepdim") = false, doc);
  }

  // var / std
  for (bool is_std : {false, true}) {
    const char* name = is_std ? "std" : "var";
    auto body = [is_std](const tb::Tensor& x, nb::handle dim, nb::handle unbiased, bool keepdim, nb::handle correction) {
      return var_std(is_std, x, dim, unbiased, keepdim, correction);
    };
    const char* doc = is_std ? "Standard deviation over dim; divides by N - correction (correction=1 default)."
                             : "Variance over dim; divides by N - correction (correction=1 default).";
    m.def(name, body, nb::arg("input"), nb::arg("dim").none() = nb::none(), nb::arg("unbiased").none() = nb::none(),
          nb::arg("keepdim") = false, nb::kw_only(), nb::arg("correction").none() = nb::none(), doc);
    cls.def(name, body, nb::arg("dim").none() = nb::none(), nb::arg("unbiased").none() = nb::none(),
            nb::arg("keepdim") = false, nb::kw_only(), nb::arg("correction").none() = nb::none(), doc);
  }

  // norm
  auto norm_body = [](const tb::Tensor& x, nb::handle p, nb::handle dim, bool keepdim, nb::handle dtype) {
    const std::optional<double> pv = norm_p(p);
    if (!pv) return wrap(tb::nuclear_norm(x, dims_from_py(dim, "norm"), keepdim, optional_dtype(dtype, "norm")));
    return wrap(tb::norm(x, *pv, dims_from_py(dim, "norm"), keepdim, optional_dtype(dtype, "norm")));
  };
  m.def("norm", norm_body, nb::arg("input"), nb::arg("p").none() = "fro", nb::arg("dim").none() = nb::none(),
        nb::arg("keepdim") = false, nb::arg("dtype").none() = nb::none(),
        "Vector p-norm over dim (all elements by default); p may be a number, inf or 'fro'; p='nuc' is the "
        "nuclear norm (sum of singular values) of the matrices over two dims (a 2-D input by default).");
  cls.def("norm", norm_body, nb::arg("p").none() = "fro", nb::arg("dim").none() = nb::none(),
          nb::arg("keepdim") = false, nb::arg("dtype").none() = nb::none(), "Vector p-norm (see tb.norm).");

  // cumsum / cumprod
  for (bool is_sum : {true, false}) {
    const char* name = is_sum ? "cumsum" : "cumprod";
    auto body = [is_sum, name](const tb::Tensor& x, nb::handle dim, nb::handle dtype) {
      int64_t d = int_from_py(dim, name, "dim");
      auto dt = optional_dtype(dtype, name);
      return wrap(maybe_release_gil(x.numel(), [&] { return is_sum ? tb::cumsum(x, d, dt) : tb::cumprod(x, d, dt); }));
    };
    const char* doc = is_sum ? "Running sum along dim (integer and bool inputs give int64)."
                             : "Running product along dim (integer and bool inputs give int64).";
    m.def(name, body, nb::arg("input"), nb::arg("dim"), nb::kw_only(), nb::arg("dtype").none() = nb::none(), doc);
    cls.def(name, body, nb::arg("dim"), nb::kw_only(), nb::arg("dtype").none() = nb::none(), doc);
  }

  // logsumexp / softmax / log_softmax
  auto lse = [](const tb::Tensor& x, nb::handle dim, bool keepdim) {
    tb::OptDims d = dims_from_py(dim, "logsumexp");
    return wrap(tb::logsumexp(x, d ? *d : tb::DimVector{}, keepdim));
  };
  m.def("logsumexp", lse, nb::arg("input"), nb::arg("dim"), nb::arg("keepdim") = false,
        "log(sum(exp(input))) over dim, computed stably.");
  cls.def("logsumexp", lse, nb::arg("dim"), nb::arg("keepdim") = false, "See tb.logsumexp.");
  for (bool is_log : {false, true}) {
    const char* name = is_log ? "log_softmax" : "softmax";
    auto body = [is_log, name](const tb::Tensor& x, nb::handle dim, nb::handle dtype) {
      int64_t d = int_from_py(dim, name, "dim");
      auto dt = optional_dtype(dtype, name);
      return wrap(is_log ? tb::log_softmax(x, d, dt) : tb::softmax(x, d, dt));
    };
    const char* doc = is_log ? "log(softmax(input, dim)), computed stably." : "exp(x) / sum(exp(x)) along dim.";
    m.def(name, body, nb::arg("input"), nb::arg("dim"), nb::arg("dtype").none() = nb::none(), doc);
    cls.def(name, body, nb::arg("dim"), nb::arg("dtype").none() = nb::none(), doc);
  }
}

}  // namespace tbpy
