// Shape and view operations (view, reshape, permute, ..., cat, stack, flip, roll, repeat, tile)
// and dtype/device conversions (to, type, float(), long(), ...) as Tensor methods and functions.
#include <Python.h>

#include "bindings.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"

namespace tbpy {

namespace {

// cat/stack's tensors.
std::vector<tb::Tensor> tensor_list(nb::handle seq, const char* fn) {
  return tensors_from_sequence(seq, tuple_of_tensors_arg(fn, "tensors", 1));
}

nb::tuple tuple_of(const std::vector<tb::Tensor>& ts) {
  nb::list l;
  for (const tb::Tensor& t : ts) l.append(wrap(t));
  return nb::tuple(l);
}

// An int or a sequence of ints (dims=, shifts=).
tb::DimVector int_or_ints(nb::handle h, const char* fn, const char* arg) {
  PyObject* o = h.ptr();
  if (PyTuple_Check(o) || PyList_Check(o)) return size_from_py(h, fn, arg);
  return tb::DimVector{nb::cast<int64_t>(h)};
}

// f(*ints) or f(ints) where the only accepted positional form is a list of ints.
tb::DimVector dims_from_args(const nb::args& args, const char* fn) { return size_from_args(args, fn); }

// Runs f() without the GIL when the work is large (f must not touch Python objects).
constexpr int64_t kReleaseGil = 1 << 15;
template <typename F>
tb::Tensor nogil(int64_t work, F&& f) {
  if (work >= kReleaseGil) {
    nb::gil_scoped_release release;
    return f();
  }
  return f();
}
int64_t total_numel(const std::vector<tb::Tensor>& ts) {
  int64_t n = 0;
  for (const tb::Tensor& t : ts) n += t.numel();
  return n;
}

// ---- conversions -------------------------------------------------------------------------------

// self when nothing changes (torch's to() returns the same object), else a converted copy.
nb::object convert_to(nb::handle self, std::optional<tb::DType> dtype, std::optional<tb::Device> device,
                      bool copy) {
  const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
  if (device) tb::check_device_available(*device);
  tb::DType dt = dtype.value_or(t.dtype());
  if (dt == t.dtype() && !copy) return nb::borrow(self);
  return wrap(tb::to_dtype(t, dt, /*copy=*/true));
}

bool is_dtype_obj(nb::handle h) {
  if (h.is_none()) return false;
  try {
    nb::object dt = dtype_object(dtype_from_py(h, "to"));
    return PyObject_TypeCheck(h.ptr(), Py_TYPE(dt.ptr())) != 0;
  } catch (...) {
    PyErr_Clear();
    return false;
  }
}

nb::object to_method(nb::handle self, nb::args args, nb::kwargs kwargs) {
  std::optional<tb::DType> dtype;
  std::optional<tb::Device> device;
  bool copy = false;
  for (size_t i = 0; i < args.size(); ++i) {
    nb::handle a = args[i];
    if (is_tensor(a)) {
      const tb::Tensor& other = nb::cast<const tb::Tensor&>(a);
      dtype = other.dtype();
      device = other.device();
    } else if (is_dtype_obj(a)) {
      dtype = dtype_from_py(a, "to");
    } else if (PyUnicode_Check(a.ptr()) || PyLong_Check(a.ptr()) ||
               std::string(py_type_name(a)).find("device") != std::string::npos) {
      device = device_from_py(a);
    } else if (PyBool_Check(a.ptr())) {
      if (i >= 1) copy = copy || (i == args.size() - 1 && a.ptr() == Py_True);  // (non_blocking, copy)
    } else {
      throw tb::TypeError("to() received an invalid combination of arguments - got (" +
                          py_type_name(a) + ")");
    }
  }
  for (auto [k, v] : kwargs) {
    std::string key = nb::cast<std::string>(k);
    if (key == "dtype") { if (!v.is_none()) dtype = dtype_from_py(v, "to"); }
    else if (key == "device") { if (!v.is_none()) device = device_from_py(v); }
    else if (key == "copy") copy = nb::cast<bool>(v);
    else if (key == "non_blocking" || key == "memory_format") continue;
    else throw tb::TypeError("to() got an unexpected keyword argument '" + key + "'");
  }
  return convert_to(self, dtype, device, copy);
}

// "tensorbridge.FloatTensor" for float32 (torch's legacy type string).
std::string legacy_type_string(tb::DType dt) {
  return "tensorbridge." + std::string(tb::dtype_legacy_name(dt)) + "Tensor";
}

nb::object type_method(nb::handle self, nb::handle dtype, bool non_blocking) {
  const tb::Tensor& t = nb::cast<const tb::Tensor&>(self);
  if (dtype.is_none()) return nb::str(legacy_type_string(t.dtype()).c_str());
  if (PyUnicode_Check(dtype.ptr())) {
    std::string name = nb::cast<std::string>(dtype);
    for (int i = 0; i < tb::kNumDTypes; ++i) {
      tb::DType dt = tb::DType(i);
      std::string legacy = std::string(tb::dtype_legacy_name(dt)) + "Tensor";
      if (name == "tensorbridge." + legacy || name == "torch." + legacy) return convert_to(self, dt, {}, false);
    }
    throw tb::ValueError("invalid type: '" + name + "'");
  }
  return convert_to(self, dtype_from_py(dtype, "type"), {}, false);
}

}  // namespace

void bind_ops_shape(nb::module_& m, TensorClass& cls) {
  // ---- views ----
  cls.def("view",
          [](const tb::Tensor& t, nb::args args, nb::kwargs kwargs) {
            // view(*shape) / view(size=...), or view(dtype) / view(dtype=...): the bytes read as dtype
            if (kwargs.size() == 1 && args.size() == 0 && kwargs.contains("dtype"))
              return tb::view(t, dtype_from_py(kwargs["dtype"], "view"));
            if (kwargs.size() == 1 && args.size() == 0 && kwargs.contains("size"))
              return tb::view(t, size_from_py(kwargs["size"], "view"));
            if (kwargs.size() != 0 || args.size() == 0)
              throw tb::TypeError("view() received an invalid combination of arguments - expected (torch.dtype "
                                  "dtype) or (tuple of ints size)");
            if (args.size() == 1 && is_dtype_like(args[0])) return tb::view(t, dtype_from_py(args[0], "view"));
            return tb::view(t, size_from_args(args, "view"));
          },
          "A view with another shape (one size may be -1; RuntimeError if the strides do not allow it), or "
          "view(dtype): the same memory read as another dtype (the last dim rescaled when the itemsize differs).");
  cls.def("view_as", [](const tb::Tensor& t, const tb::Tensor& o) { return tb::view(t, o.shape()); },
          nb::arg("other"), "view(other.shape).");
  cls.def("reshape",
          [](const tb::Tensor& t, nb::args args) { return tb::reshape(t, size_from_args(args, "reshape")); },
          "A view with another shape when possible, else a copy.");
  cls.def("reshape_as", [](const tb::Tensor& t, const tb::Tensor& o) { return tb::reshape(t, o.shape()); },
          nb::arg("other"), "reshape(other.shape).");
  m.def("reshape", [](const tb::Tensor& t, nb::handle shape) { return tb::reshape(t, size_from_py(shape, "reshape", "shape")); },
        nb::arg("input"), nb::arg("shape"), "A view with another shape when possible, else a copy.");
  cls.def("permute",
          [](const tb::Tensor& t, nb::args args) { return tb::permute(t, dims_from_args(args, "permute")); },
          "A view with the dims reordered.");
  m.def("permute", [](const tb::Tensor& t, nb::handle dims) { return tb::permute(t, size_from_py(dims, "permute", "dims")); },
        nb::arg("input"), nb::arg("dims"), "A view with the dims reordered.");
  auto transpose = [](const tb::Tensor& t, int64_t a, int64_t b) { return tb::transpose(t, a, b); };
  for (const char* name : {"transpose", "swapaxes", "swapdims"}) {
    cls.def(name, transpose, nb::arg("dim0"), nb::arg("dim1"), "A view with two dims swapped.");
    m.def(name, transpose, nb::arg("input"), nb::arg("dim0"), nb::arg("dim1"), "A view with two dims swapped.");
  }
  cls.def("t", [](const tb::Tensor& t) { return tb::t(t); }, "Transpose of a tensor with <= 2 dims.");
  m.def("t", [](const tb::Tensor& t) { return tb::t(t); }, nb::arg("input"), "Transpose of a tensor with <= 2 dims.");
  cls.def_prop_ro("T", [](const tb::Tensor& t) {
    if (t.dim() == 0)
      PyErr_WarnEx(PyExc_UserWarning,
                   "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.", 1);
    else if (t.dim() != 2)
      PyErr_WarnEx(PyExc_UserWarning,
                   "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                   "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                   "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                   "to reverse the dimensions of a tensor.", 1);
    return tb::reverse_dims(t);
  }, "All dims reversed (a view).");
  cls.def_prop_ro("mT", [](const tb::Tensor& t) {
    if (t.dim() == 0)
      PyErr_WarnEx(PyExc_UserWarning,
                   "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.", 1);
    return tb::mT(t);
  }, "The last two dims swapped (a view).");
  auto squeeze = [](const tb::Tensor& t, nb::handle dim) {
    if (dim.is_none()) return tb::squeeze(t);
    PyObject* o = dim.ptr();
    if (PyTuple_Check(o) || PyList_Check(o)) return tb::squeeze(t, size_from_py(dim, "squeeze", "dim"));
    return tb::squeeze(t, nb::cast<int64_t>(dim));  // squeeze(int): SqueezeBackward1 under autograd
  };
  cls.def("squeeze", squeeze, nb::arg("dim") = nb::none(), "A view without the size-1 dims (or the given ones).");
  m.def("squeeze", squeeze, nb::arg("input"), nb::arg("dim") = nb::none(),
        "A view without the size-1 dims (or the given ones).");
  auto unsqueeze = [](const tb::Tensor& t, int64_t d) { return tb::unsqueeze(t, d); };
  cls.def("unsqueeze", unsqueeze, nb::arg("dim"), "A view with a new size-1 dim at dim.");
  m.def("unsqueeze", unsqueeze, nb::arg("input"), nb::arg("dim"), "A view with a new size-1 dim at dim.");
  cls.def("expand", [](const tb::Tensor& t, nb::args args) { return tb::expand(t, size_from_args(args, "expand")); },
          "A broadcast view (-1 keeps a size; size-1 dims repeat with stride 0).");
  cls.def("expand_as", [](const tb::Tensor& t, const tb::Tensor& o) { return tb::expand(t, o.shape()); },
          nb::arg("other"), "expand(other.shape).");
  auto flatten = [](const tb::Tensor& t, int64_t a, int64_t b) { return tb::flatten(t, a, b); };
  cls.def("flatten", flatten, nb::arg("start_dim") = 0, nb::arg("end_dim") = -1,
          "Dims start_dim..end_dim merged into one (a view when possible).");
  m.def("flatten", flatten, nb::arg("input"), nb::arg("start_dim") = 0, nb::arg("end_dim") = -1,
        "Dims start_dim..end_dim merged into one (a view when possible).");
  auto unflatten = [](const tb::Tensor& t, int64_t d, nb::handle sizes) {
    return tb::unflatten(t, d, size_from_py(sizes, "unflatten", "sizes"));
  };
  cls.def("unflatten", unflatten, nb::arg("dim"), nb::arg("sizes"), "Dim dim split into sizes.");
  m.def("unflatten", unflatten, nb::arg("input"), nb::arg("dim"), nb::arg("sizes"), "Dim dim split into sizes.");
  auto narrow = [](const tb::Tensor& t, int64_t d, int64_t start, int64_t len) { return tb::narrow(t, d, start, len); };
  cls.def("narrow", narrow, nb::arg("dim"), nb::arg("start"), nb::arg("length"), "A view of length entries from start.");
  m.def("narrow", narrow, nb::arg("input"), nb::arg("dim"), nb::arg("start"), nb::arg("length"),
        "A view of length entries from start.");
  auto select = [](const tb::Tensor& t, int64_t d, int64_t i) { return tb::select(t, d, i); };
  cls.def("select", select, nb::arg("dim"), nb::arg("index"), "A view at one index of dim (dim removed).");
  m.def("select", select, nb::arg("input"), nb::arg("dim"), nb::arg("index"), "A view at one index of dim.");
  auto unbind = [](const tb::Tensor& t, int64_t d) { return tuple_of(tb::unbind(t, d)); };
  cls.def("unbind", unbind, nb::arg("dim") = 0, "Views of every index of dim, as a tuple.");
  m.def("unbind", unbind, nb::arg("input"), nb::arg("dim") = 0, "Views of every index of dim, as a tuple.");
  auto split = [](const tb::Tensor& t, nb::handle size, int64_t d) {
    PyObject* o = size.ptr();
    if (PyTuple_Check(o) || PyList_Check(o))
      return tuple_of(tb::split_with_sizes(t, size_from_py(size, "split", "split_size_or_sections"), d));
    return tuple_of(tb::split(t, nb::cast<int64_t>(size), d));
  };
  cls.def("split", split, nb::arg("split_size"), nb::arg("dim") = 0,
          "Views of chunks of split_size (or of the listed sizes) along dim.");
  m.def("split", split, nb::arg("tensor"), nb::arg("split_size_or_sections"), nb::arg("dim") = 0,
        "Views of chunks of split_size (or of the listed sizes) along dim.");
  auto chunk = [](const tb::Tensor& t, int64_t c, int64_t d) { return tuple_of(tb::chunk(t, c, d)); };
  cls.def("chunk", chunk, nb::arg("chunks"), nb::arg("dim") = 0, "At most `chunks` views along dim.");
  m.def("chunk", chunk, nb::arg("input"), nb::arg("chunks"), nb::arg("dim") = 0, "At most `chunks` views along dim.");

  // ---- copying shape ops ----
  auto cat = [](nb::handle ts, int64_t d) {
    std::vector<tb::Tensor> list = tensor_list(ts, "cat");
    return nogil(total_numel(list), [&] { return tb::cat(list, d); });
  };
  for (const char* name : {"cat", "concat", "concatenate"})
    m.def(name, cat, nb::arg("tensors"), nb::arg("dim") = 0,
          "Tensors joined along an existing dim (dtypes promoted).");
  m.def("stack", [](nb::handle ts, int64_t d) {
          std::vector<tb::Tensor> list = tensor_list(ts, "stack");
          return nogil(total_numel(list), [&] { return tb::stack(list, d); });
        },
        nb::arg("tensors"), nb::arg("dim") = 0, "Tensors of one shape joined along a new dim.");
  cls.def("flip", [](const tb::Tensor& t, nb::args args) {
            tb::DimVector dims = dims_from_args(args, "flip");
            return nogil(t.numel(), [&] { return tb::flip(t, dims); });
          },
          "A copy with the order of the given dims reversed.");
  m.def("flip", [](const tb::Tensor& t, nb::handle dims) { return tb::flip(t, int_or_ints(dims, "flip", "dims")); },
        nb::arg("input"), nb::arg("dims"), "A copy with the order of the given dims reversed.");
  auto roll = [](const tb::Tensor& t, nb::handle shifts, nb::handle dims) {
    tb::DimVector d = dims.is_none() ? tb::DimVector{} : int_or_ints(dims, "roll", "dims");
    tb::DimVector sh = int_or_ints(shifts, "roll", "shifts");
    return nogil(t.numel(), [&] { return tb::roll(t, sh, d); });
  };
  cls.def("roll", roll, nb::arg("shifts"), nb::arg("dims") = nb::none(),
          "A copy with elements shifted circularly along dims (flattened when dims is None).");
  m.def("roll", roll, nb::arg("input"), nb::arg("shifts"), nb::arg("dims") = nb::none(),
        "A copy with elements shifted circularly along dims (flattened when dims is None).");
  cls.def("repeat", [](const tb::Tensor& t, nb::args args) {
            tb::Shape reps = size_from_args(args, "repeat");
            return nogil(t.numel(), [&] { return tb::repeat(t, reps); });
          },
          "A copy tiled repeats[i] times along each dim.");
  auto tile = [](const tb::Tensor& t, nb::handle dims) { return tb::tile(t, size_from_py(dims, "tile", "dims")); };
  cls.def("tile", [](const tb::Tensor& t, nb::args args) { return tb::tile(t, size_from_args(args, "tile")); },
          "repeat() with missing leading repeats taken as 1.");
  m.def("tile", tile, nb::arg("input"), nb::arg("dims"), "repeat() with missing leading repeats taken as 1.");

  // ---- conversions ----
  cls.def("to", &to_method, "to(dtype), to(device), to(other), to(device, dtype): self when nothing changes.");
  cls.def("type", &type_method, nb::arg("dtype") = nb::none(), nb::arg("non_blocking") = false,
          "type(): 'tensorbridge.FloatTensor' style name; type(dtype): to(dtype).");
  struct Named {
    const char* name;
    tb::DType dt;
    const char* doc;
  };
  static const Named kCasts[] = {
      {"float", tb::DType::Float32, "self.to(float32)"},
      {"double", tb::DType::Float64, "self.to(float64)"},
      {"half", tb::DType::Float16, "self.to(float16)"},
      {"bfloat16", tb::DType::BFloat16, "self.to(bfloat16)"},
      {"int", tb::DType::Int32, "self.to(int32)"},
      {"long", tb::DType::Int64, "self.to(int64)"},
      {"short", tb::DType::Int16, "self.to(int16)"},
      {"char", tb::DType::Int8, "self.to(int8)"},
      {"byte", tb::DType::UInt8, "self.to(uint8)"},
      {"bool", tb::DType::Bool, "self.to(bool)"},
      {"cfloat", tb::DType::Complex64, "self.to(complex64)"},
      {"cdouble", tb::DType::Complex128, "self.to(complex128)"}};
  for (const Named& c : kCasts) {
    tb::DType dt = c.dt;
    cls.def(c.name, [dt](nb::handle self) { return convert_to(self, dt, {}, false); }, c.doc);
  }
}

}  // namespace tbpy
