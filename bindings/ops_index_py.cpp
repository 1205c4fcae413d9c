// Indexing from Python: t[...] and t[...] = v with torch's index parsing (ints, slices, None,
// Ellipsis, bools, integer/bool tensors, lists, ndarrays), plus index_select, gather, scatter,
// masked_fill, nonzero and take. A negative slice step returns a negative-stride view (numpy's
// behaviour; torch refuses it with ValueError).
#include <Python.h>

#include <optional>
#include <string>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"

namespace tbpy {

namespace {

// Kernels above this many elements run without the GIL.
constexpr int64_t kReleaseGil = 1 << 15;

std::string s(int64_t v) { return std::to_string(v); }

tb::Tensor tensor_from_sequence(nb::handle obj, std::optional<tb::DType> dtype = std::nullopt) {
  if (is_ndarray(obj)) {
    tb::Tensor t = tensor_from_ndarray(obj);
    return dtype ? tb::to_dtype(t, *dtype) : t;
  }
  nb::object fn = nb::module_::import_("tensorbridge._core").attr("tensor");
  nb::object r = dtype ? fn(obj, nb::arg("dtype") = dtype_object(*dtype)) : fn(obj);
  return nb::cast<tb::Tensor>(r);
}

bool is_python_sequence(PyObject* o) {
  return PyList_Check(o) || PyTuple_Check(o) ||
         (PySequence_Check(o) && !PyUnicode_Check(o) && !PyBytes_Check(o));
}

// torch's treatSequenceAsTuple: a non-tuple sequence holding tensors, sequences, slices,
// Ellipsis or None is read as a tuple of indices (legacy numpy behaviour torch keeps).
bool treat_sequence_as_tuple(nb::handle index) {
  PyObject* o = index.ptr();
  if (PyTuple_Check(o)) return true;
  if (is_tensor(index) || is_ndarray(index) || !PySequence_Check(o) || PyUnicode_Check(o)) return false;
  Py_ssize_t n = PySequence_Size(o);
  if (n < 0) {
    PyErr_Clear();
    return false;
  }
  if (n >= 32) return false;
  for (Py_ssize_t i = 0; i < n; ++i) {
    nb::object item = nb::steal(PySequence_GetItem(o, i));
    if (!item.is_valid()) {
      PyErr_Clear();
      return false;
    }
    PyObject* p = item.ptr();
    if (is_tensor(item) || is_ndarray(item) || PySequence_Check(p) || PySlice_Check(p) ||
        p == Py_Ellipsis || p == Py_None)
      return true;
  }
  return false;
}

bool is_int_index(PyObject* o) {
  return (PyLong_Check(o) && !PyBool_Check(o)) ||
         (!PyFloat_Check(o) && !PyBool_Check(o) && !PySequence_Check(o) && PyIndex_Check(o) &&
          !is_tensor(o));
}

// Only Python's True/False: torch refuses np.bool_ scalars as indices (IndexError).
bool is_bool_scalar(nb::handle h) { return PyBool_Check(h.ptr()); }

bool is_mask_dtype(tb::DType dt) { return dt == tb::DType::Bool || dt == tb::DType::UInt8; }

// A list / tuple / ndarray used as an index, as torch's indexing_tensor_from_data makes it: a bool
// or uint8 mask keeps its dtype, anything else becomes int64 (floats truncate; an empty list is an
// empty int64 index).
tb::Tensor index_from_sequence(nb::handle obj) {
  tb::Tensor t = tensor_from_sequence(obj);
  return is_mask_dtype(t.dtype()) || t.dtype() == tb::DType::Int64 ? t : tb::to_dtype(t, tb::DType::Int64);
}

// The parsed form of an index: a view of self made by the basic indices (by the view ops, so that
// autograd records them and in-place writes through them reach self's base), or self itself when
// they make none, and the per-dim list of advanced index tensors for tb::index / tb::index_put_
// (empty when there are none).
struct Parsed {
  tb::Tensor view;
  std::vector<tb::Tensor> indices;
  bool advanced = false;
};

tb::Tensor bool_index_tensor(bool v) {
  tb::Tensor t = tb::empty({v ? 1 : 0}, tb::DType::Int64);
  if (v) t.data<int64_t>()[0] = 0;
  return t;
}

// skip_full_slices: a slice that starts at 0 (as written), has step 1 and stops at or past the end
// makes no view -- torch's slicing optimisation, used except for a lone slice in t[slice] -- so
// that t[:, i] selects from t itself and t[:] = v, t[...] = v write into t itself.
Parsed parse_index(const tb::Tensor& self, nb::handle index, bool skip_full_slices) {
  std::vector<nb::object> items;
  if (treat_sequence_as_tuple(index)) {
    nb::object fast = nb::steal(PySequence_Fast(index.ptr(), "index"));
    if (!fast.is_valid()) throw nb::python_error();
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
    for (Py_ssize_t i = 0; i < n; ++i) items.push_back(nb::borrow(PySequence_Fast_GET_ITEM(fast.ptr(), i)));
  } else {
    items.push_back(nb::borrow(index));
  }
  // Count the dims the index specifies as torch's count_specified_dimensions does: a bool/uint8
  // tensor counts its dims (a 0-d one none), any other tensor one; None, Ellipsis, True and False
  // count none; anything else one -- a list or ndarray included, whatever it holds (a 2-d bool
  // ndarray counts 1 here, though it then indexes 2 dims: torch's rule, which decides how much an
  // Ellipsis covers).
  int64_t specified = 0;
  for (const nb::object& item : items) {
    PyObject* o = item.ptr();
    if (o == Py_None || o == Py_Ellipsis || PyBool_Check(o)) continue;
    if (is_tensor(item)) {
      const tb::Tensor& t = nb::cast<const tb::Tensor&>(item);
      specified += is_mask_dtype(t.dtype()) ? t.dim() : 1;
    } else {
      ++specified;
    }
  }
  if (self.dim() == 0 && specified > 0 && items.size() == 1 && is_int_index(items[0].ptr()))
    throw tb::IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
  if (specified > self.dim())
    throw tb::IndexError("too many indices for tensor of dimension " + s(self.dim()));

  Parsed p;
  tb::Tensor r = self;
  int64_t dim = 0;
  // An int index's error names its position in the index tuple, as torch's; past the last dim
  // (after a non-tensor mask that covered the remaining dims) torch reads the size as 0.
  auto select_checked = [&](int64_t i, size_t pos) {
    const int64_t size = dim < r.dim() ? r.shape()[size_t(dim)] : 0;
    if (i < -size || i >= size)
      throw tb::IndexError("index " + s(i) + " is out of bounds for dimension " + s(int64_t(pos)) +
                           " with size " + s(size));
    r = tb::select(r, dim, i);
  };
  for (size_t i = 0; i < items.size(); ++i) {
    PyObject* o = items[i].ptr();
    if (o == Py_None) {
      r = tb::unsqueeze(r, dim);
      p.indices.push_back(tb::Tensor());
      ++dim;
    } else if (o == Py_Ellipsis) {
      // torch expands every Ellipsis by the same count (a second one usually covers nothing).
      int64_t n = self.dim() - specified;
      for (int64_t k = 0; k < n; ++k) p.indices.push_back(tb::Tensor());
      dim += n;
    } else if (is_bool_scalar(items[i])) {
      r = tb::unsqueeze(r, dim);
      p.indices.push_back(bool_index_tensor(o == Py_True));
      p.advanced = true;
      ++dim;
    } else if (PySlice_Check(o)) {
      if (dim >= r.dim()) {  // past the last dim (after a non-tensor mask): torch ignores it
        p.indices.push_back(tb::Tensor());
        ++dim;
        continue;
      }
      Py_ssize_t start, stop, step;
      if (PySlice_Unpack(o, &start, &stop, &step) < 0) throw nb::python_error();
      const Py_ssize_t size = Py_ssize_t(r.shape()[size_t(dim)]);
      const bool full = start == 0 && step == 1 && stop >= size;
      Py_ssize_t len = PySlice_AdjustIndices(size, &start, &stop, step);
      if (!(skip_full_slices && full)) r = tb::slice(r, dim, start, len, step);
      p.indices.push_back(tb::Tensor());
      ++dim;
    } else if (is_int_index(o)) {
      nb::object iv = nb::steal(PyNumber_Index(o));
      if (!iv.is_valid()) throw nb::python_error();
      select_checked(nb::cast<int64_t>(iv), i);
    } else {
      tb::Tensor t;
      if (PyUnicode_Check(o)) throw tb::TypeError("new(): invalid data type 'str'");
      if (is_tensor(items[i])) {
        t = nb::cast<tb::Tensor>(items[i]);
      } else if (is_ndarray(items[i]) || is_python_sequence(o)) {
        t = index_from_sequence(items[i]);
      } else {
        throw tb::IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
            "indices (got " + py_type_name(items[i]) + ")");
      }
      const bool mask = is_mask_dtype(t.dtype());
      if (t.dim() == 0 && tb::is_integral(t.dtype(), true)) {
        if (mask) {  // a 0-d mask: a new dim indexed by [0] or []
          r = tb::unsqueeze(r, dim);
          p.indices.push_back(bool_index_tensor(tb::item(t).to_bool()));
          p.advanced = true;
          ++dim;
        } else {
          select_checked(tb::item(t).to_int64(), i);
        }
        continue;
      }
      if (!mask && dim >= r.dim())
        throw tb::IndexError("Dimension out of range (expected to be in range of [" + s(-r.dim()) + ", " +
                             s(r.dim() - 1) + "], but got " + s(dim) + ")");
      // (a mask running past the last dim fails in tb::index with torch's message)
      p.indices.push_back(t);
      p.advanced = true;
      dim += (mask && t.dim() > 0) ? t.dim() : 1;
    }
  }
  // drop the trailing whole-dim entries past the last dim (a mask covers its dims)
  int64_t covered = 0;
  for (const tb::Tensor& t : p.indices) covered += t.defined() && is_mask_dtype(t.dtype()) ? t.dim() : 1;
  while (covered > r.dim() && !p.indices.empty() && !p.indices.back().defined()) {
    p.indices.pop_back();
    --covered;
  }
  p.view = r;
  return p;
}

tb::Tensor run_index(const tb::Tensor& t, const std::vector<tb::Tensor>& idx) {
  if (t.numel() >= kReleaseGil) {
    nb::gil_scoped_release nogil;
    return tb::index(t, idx);
  }
  return tb::index(t, idx);
}

nb::object getitem(nb::handle self_obj, nb::handle index) {
  const tb::Tensor& self = nb::cast<const tb::Tensor&>(self_obj);
  Parsed p = parse_index(self, index, treat_sequence_as_tuple(index));
  // t[...] (no view op applied) is torch's alias: a new view of the same data
  if (!p.advanced) return wrap(p.view.impl() == self.impl() ? tb::alias(self) : p.view);
  return wrap(run_index(p.view, p.indices));
}

// The value of t[...] = value as a tensor: scalars take self's dtype (torch's valueToTensor).
tb::Tensor value_tensor(const tb::Tensor& self, nb::handle value) {
  if (is_tensor(value)) return nb::cast<tb::Tensor>(value);
  if (is_scalar_like(value)) {
    const tb::Scalar v = scalar_from_py(value);
    tb::check_fill_value(v, self.dtype(), 1);  // torch checks the number against self's dtype
    return tb::full({}, v, self.dtype());
  }
  return tensor_from_sequence(value, self.dtype());
}

void setitem(nb::handle self_obj, nb::handle index, nb::handle value) {
  const tb::Tensor& self = nb::cast<const tb::Tensor&>(self_obj);
  self.check_writable("setitem");
  tb::Tensor v = value_tensor(self, value);
  Parsed p = parse_index(self, index, true);
  bool overlapping = false;  // a stride-0 (expanded) dim: several elements share one address
  for (int64_t d = 0; d < p.view.dim() && p.view.numel() > 0; ++d)
    overlapping |= p.view.strides()[size_t(d)] == 0 && p.view.shape()[size_t(d)] > 1;
  if (overlapping && !p.advanced)
    throw tb::RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.");
  if (overlapping)
    PyErr_WarnEx(PyExc_UserWarning,
                 "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor "
                 "before performing this operation. This also applies to advanced indexing e.g. "
                 "tensor[indices] = tensor", 1);
  if (!p.advanced) {
    // torch drops leading size-1 dims of the value that the destination lacks.
    while (v.dim() > p.view.dim() && v.shape()[0] == 1) v = tb::select(v, 0, 0);
    if (p.view.numel() >= kReleaseGil) {
      nb::gil_scoped_release nogil;
      tb::copy_(p.view, v);
    } else {
      tb::copy_(p.view, v);
    }
    return;
  }
  // only advanced indices: write into self itself (in place on self: IndexPutBackward0)
  tb::index_put_(p.view, p.indices, v);
}

// The index tuple of index_put_: tensors (torch accepts no None there); `position` is 1 for the
// methods, 2 for tb.index_put(input, indices, ...).
std::vector<tb::Tensor> index_tuple(nb::handle indices, const char* fn, int position) {
  return tensors_from_sequence(indices, tuple_of_tensors_arg(fn, "indices", position));
}

tb::Tensor index_tensor_arg(nb::handle h, const char* fn) { return tensor_from_py(h, fn, "index"); }

nb::object masked_fill_value(nb::handle value, tb::Scalar& out) {
  if (is_tensor(value)) {
    const tb::Tensor& v = nb::cast<const tb::Tensor&>(value);
    if (v.dim() != 0)
      throw tb::RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                             "with " + s(v.dim()) + " dimension(s).");
    out = tb::item(v);
  } else {
    out = scalar_from_py(value);
  }
  return nb::none();
}

}  // namespace

void bind_ops_index(nb::module_& m, TensorClass& cls) {
  cls.def("__getitem__", &getitem, nb::arg("index").none(),
          "t[index]: basic indexing returns a view; integer/bool tensor indices copy.")
      .def("__setitem__", &setitem, nb::arg("index").none(), nb::arg("value").none(),
           "t[index] = value (value broadcast and cast to t's dtype).");

  auto index_select = [](const tb::Tensor& t, int64_t dim, nb::handle index) {
    return tb::index_select(t, dim, index_tensor_arg(index, "index_select"));
  };
  auto gather = [](const tb::Tensor& t, int64_t dim, nb::handle index) {
    return tb::gather(t, dim, index_tensor_arg(index, "gather"));
  };
  auto scatter_inplace = [](nb::handle self, int64_t dim, nb::handle index, nb::handle src, nb::handle value,
                            std::optional<std::string> reduce) {
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
    tb::Tensor ix = index_tensor_arg(index, "scatter_");
    nb::handle v = src.is_none() ? value : src;
    if (v.is_none()) throw tb::TypeError("scatter_() missing required argument 'src' or 'value'");
    if (reduce) {  // scatter(..., reduce='add' | 'multiply')
      const tb::ScatterReduce r = tb::scatter_reduce_kind(*reduce, /*legacy=*/true);
      if (is_tensor(v)) tb::scatter_(t, dim, ix, nb::cast<const tb::Tensor&>(v), r);
      else tb::scatter_reduce_(t, dim, ix, scalar_from_py(v), r);
    } else if (is_tensor(v)) {
      tb::scatter_(t, dim, ix, nb::cast<const tb::Tensor&>(v));
    } else {
      tb::scatter_(t, dim, ix, scalar_from_py(v));
    }
    return nb::borrow(self);
  };
  auto scatter_reduce_inplace = [](nb::handle self, int64_t dim, nb::handle index, const tb::Tensor& src,
                                   const std::string& reduce, bool include_self) {
    const tb::ScatterReduce r = tb::scatter_reduce_kind(reduce, /*legacy=*/false);
    tb::scatter_reduce_(nb::cast<const tb::Tensor&>(self), dim, index_tensor_arg(index, "scatter_reduce_"), src, r,
                        include_self);
    return nb::borrow(self);
  };
  auto scatter_reduce = [scatter_reduce_inplace](const tb::Tensor& t, int64_t dim, nb::handle index,
                                                 const tb::Tensor& src, const std::string& reduce, bool include_self) {
    nb::object o = wrap(tb::clone(t));
    scatter_reduce_inplace(o, dim, index, src, reduce, include_self);
    return o;
  };
  auto scatter = [scatter_inplace](const tb::Tensor& t, int64_t dim, nb::handle index, nb::handle src,
                                   nb::handle value, std::optional<std::string> reduce) -> nb::object {
    if (reduce) {  // scatter(..., reduce=): a copy, then the in-place reduction
      nb::object o = wrap(tb::clone(t));
      scatter_inplace(o, dim, index, src, value, reduce);
      return o;
    }
    tb::Tensor ix = index_tensor_arg(index, "scatter");
    nb::handle v = src.is_none() ? value : src;
    if (v.is_none()) throw tb::TypeError("scatter() missing required argument 'src' or 'value'");
    if (is_tensor(v)) return wrap(tb::scatter(t, dim, ix, nb::cast<const tb::Tensor&>(v)));
    return wrap(tb::scatter(t, dim, ix, scalar_from_py(v)));
  };
  auto scatter_add_ = [](nb::handle self, int64_t dim, nb::handle index, const tb::Tensor& src) {
    tb::scatter_add_(nb::cast<const tb::Tensor&>(self), dim, index_tensor_arg(index, "scatter_add_"), src);
    return nb::borrow(self);
  };
  auto scatter_add = [](const tb::Tensor& t, int64_t dim, nb::handle index, const tb::Tensor& src) {
    return tb::scatter_add(t, dim, index_tensor_arg(index, "scatter_add"), src);
  };
  auto index_put_ = [](nb::handle self, nb::handle indices, const tb::Tensor& values, bool accumulate) {
    tb::index_put_(nb::cast<const tb::Tensor&>(self), index_tuple(indices, "index_put_", 1), values, accumulate);
    return nb::borrow(self);
  };
  auto index_put = [](const tb::Tensor& t, nb::handle indices, const tb::Tensor& values, bool accumulate) {
    return tb::index_put(t, index_tuple(indices, "index_put", 1), values, accumulate);
  };
  auto index_put_function = [](const tb::Tensor& t, nb::handle indices, const tb::Tensor& values,
                               bool accumulate) {
    return tb::index_put(t, index_tuple(indices, "index_put", 2), values, accumulate);
  };
  // a tensor value uses the tensor overload (differentiable in the value, torch's MaskedFillBackward1)
  auto masked_fill = [](const tb::Tensor& t, nb::handle mask, nb::handle value) {
    tb::Tensor m = tensor_from_py(mask, "masked_fill", "mask");
    if (is_tensor(value)) return tb::masked_fill(t, m, nb::cast<const tb::Tensor&>(value));
    tb::Scalar v;
    masked_fill_value(value, v);
    return tb::masked_fill(t, m, v);
  };
  auto masked_fill_ = [](nb::handle self, nb::handle mask, nb::handle value) {
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
    tb::Tensor m = tensor_from_py(mask, "masked_fill_", "mask");
    if (is_tensor(value)) {
      tb::masked_fill_(t, m, nb::cast<const tb::Tensor&>(value));
    } else {
      tb::Scalar v;
      masked_fill_value(value, v);
      tb::masked_fill_(t, m, v);
    }
    return nb::borrow(self);
  };
  auto nonzero = [](const tb::Tensor& t, bool as_tuple) -> nb::object {
    tb::Tensor nz = tb::nonzero(t);
    if (!as_tuple) return wrap(nz);
    nb::list out;
    if (t.dim() == 0) {  // torch: a 0-d input is treated as 1-d
      out.append(wrap(tb::select(tb::nonzero(t.as_strided({1}, {1}, t.offset())), 1, 0)));
      return nb::tuple(out);
    }
    for (int64_t d = 0; d < t.dim(); ++d) out.append(wrap(tb::select(nz, 1, d)));
    return nb::tuple(out);
  };
  auto take = [](const tb::Tensor& t, nb::handle index) {
    return tb::take(t, index_tensor_arg(index, "take"));
  };

  cls.def("index_select", index_select, nb::arg("dim"), nb::arg("index"),
          "Entries of t along dim at the positions of a 1-D integer index.");
  m.def("index_select", index_select, nb::arg("input"), nb::arg("dim"), nb::arg("index"),
        "Entries of input along dim at the positions of a 1-D integer index.");
  cls.def("gather", gather, nb::arg("dim"), nb::arg("index"), "out[i][j] = t[index[i][j]][j] (dim=0).");
  m.def("gather", gather, nb::arg("input"), nb::arg("dim"), nb::arg("index"),
        "out[i][j] = input[index[i][j]][j] (dim=0).");
  cls.def("scatter_", scatter_inplace, nb::arg("dim"), nb::arg("index"), nb::arg("src") = nb::none(),
          nb::kw_only(), nb::arg("value") = nb::none(), nb::arg("reduce") = nb::none(),
          "In place: t[index[i][j]][j] = src[i][j] (dim=0); src may be a number; reduce='add' or "
          "'multiply' combines instead of replacing.");
  cls.def("scatter", scatter, nb::arg("dim"), nb::arg("index"), nb::arg("src") = nb::none(),
          nb::kw_only(), nb::arg("value") = nb::none(), nb::arg("reduce") = nb::none(), "Out-of-place scatter_.");
  m.def("scatter", scatter, nb::arg("input"), nb::arg("dim"), nb::arg("index"),
        nb::arg("src") = nb::none(), nb::kw_only(), nb::arg("value") = nb::none(),
        nb::arg("reduce") = nb::none(), "Out-of-place scatter_.");
  cls.def("scatter_add_", scatter_add_, nb::arg("dim"), nb::arg("index"), nb::arg("src"),
          "In place: t[index[i][j]][j] += src[i][j] (dim=0); repeated indices add up.");
  cls.def("scatter_add", scatter_add, nb::arg("dim"), nb::arg("index"), nb::arg("src"), "Out-of-place scatter_add_.");
  m.def("scatter_add", scatter_add, nb::arg("input"), nb::arg("dim"), nb::arg("index"), nb::arg("src"),
        "Out-of-place scatter_add_.");
  cls.def("index_put_", index_put_, nb::arg("indices"), nb::arg("values"), nb::arg("accumulate") = false,
          "In place: t[indices] = values (a tuple of index tensors); with accumulate, += (repeated indices add up).");
  cls.def("index_put", index_put, nb::arg("indices"), nb::arg("values"), nb::arg("accumulate") = false,
          "Out-of-place index_put_.");
  m.def("index_put", index_put_function, nb::arg("input"), nb::arg("indices"), nb::arg("values"),
        nb::arg("accumulate") = false, "Out-of-place index_put_.");
  const char* reduce_doc = "In place: t[index[i][j]][j] = reduce(t[...], src[i][j]) (dim=0), reduce 'sum', 'prod', "
                           "'mean', 'amax' or 'amin'; include_self=False ignores t's values at the indexed places.";
  cls.def("scatter_reduce_", scatter_reduce_inplace, nb::arg("dim"), nb::arg("index"), nb::arg("src"),
          nb::arg("reduce"), nb::kw_only(), nb::arg("include_self") = true, reduce_doc);
  cls.def("scatter_reduce", scatter_reduce, nb::arg("dim"), nb::arg("index"), nb::arg("src"), nb::arg("reduce"),
          nb::kw_only(), nb::arg("include_self") = true, "Out-of-place scatter_reduce_.");
  m.def("scatter_reduce", scatter_reduce, nb::arg("input"), nb::arg("dim"), nb::arg("index"), nb::arg("src"),
        nb::arg("reduce"), nb::kw_only(), nb::arg("include_self") = true, "Out-of-place scatter_reduce_.");
  cls.def("masked_fill", masked_fill, nb::arg("mask"), nb::arg("value"),
          "A copy of t with value where the bool mask (broadcast) is True.");
  m.def("masked_fill", masked_fill, nb::arg("input"), nb::arg("mask"), nb::arg("value"),
        "A copy of input with value where the bool mask (broadcast) is True.");
  cls.def("masked_fill_", masked_fill_, nb::arg("mask"), nb::arg("value"),
          "In place: value where the bool mask (broadcast to t) is True.");
  cls.def("nonzero", nonzero, nb::kw_only(), nb::arg("as_tuple") = false,
          "Coordinates of the nonzero elements ([n, ndim] int64, or a tuple of 1-D tensors).");
  m.def("nonzero", nonzero, nb::arg("input"), nb::kw_only(), nb::arg("as_tuple") = false,
        "Coordinates of the nonzero elements ([n, ndim] int64, or a tuple of 1-D tensors).");
  cls.def("take", take, nb::arg("index"), "Elements of t read as 1-D, at the positions of index.");
  m.def("take", take, nb::arg("input"), nb::arg("index"),
        "Elements of input read as 1-D, at the positions of index.");
}

}  // namespace tbpy
