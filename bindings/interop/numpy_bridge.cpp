// from_numpy and Tensor.numpy(): zero-copy in both directions, with torch's checks and messages.
// bfloat16 is exchanged as ml_dtypes.bfloat16 when that optional package is installed.
#define TB_NUMPY_IMPORT_HERE
#include "interop/numpy_api.h"

#include <bit>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/error.h"
#include "tensorbridge/tensor.h"

namespace tbpy {

void import_numpy_api() {
  if (_import_array() < 0) throw nb::python_error();
}

bool is_ndarray(nb::handle h) { return PyArray_Check(h.ptr()); }
bool is_numpy_scalar(nb::handle h) { return PyArray_IsScalar(h.ptr(), Generic); }

bool python_can_run() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() && !Py_IsFinalizing();
#else
  return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

void release_pyobject(void* obj, void*) {
  if (!python_can_run()) return;
  if (PyGILState_Check()) {  // the usual case: a tensor dropped by Python code
    Py_DECREF(static_cast<PyObject*>(obj));
    return;
  }
  PyGILState_STATE st = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject*>(obj));
  PyGILState_Release(st);
}

namespace {

// ---- ml_dtypes.bfloat16 (optional) --------------------------------------------------------------
// The descriptor is looked up once and then kept for the life of the process. Import paths only
// look when ml_dtypes is already imported (an array of that dtype implies it is); export paths
// import it on demand.
struct Bf16Cache {
  PyArray_Descr* descr = nullptr;  // owned reference, never released
  bool tried_import = false;
};
Bf16Cache& bf16_cache() {
  static Bf16Cache c;
  return c;
}

// NumPy >= 2.5 maps DLPack (kDLBfloat, 16) to a registered dtype, and ml_dtypes does not register
// itself (ml_dtypes#376): do it once, so np.from_dlpack(bfloat16 tensor) works there. Best effort:
// older NumPy lacks the hook, and an existing registration is fine.
void register_bf16_with_numpy_dlpack(PyObject* bf16_type) {
  PyObject* dtypes = PyImport_ImportModule("numpy.dtypes");
  if (dtypes) {
    PyObject* reg = PyObject_GetAttrString(dtypes, "register_dlpack_dtype");
    if (reg) {
      PyObject* r = PyObject_CallFunction(reg, "(ii)O", 4, 16, bf16_type);
      Py_XDECREF(r);
      Py_DECREF(reg);
    }
    Py_DECREF(dtypes);
  }
  PyErr_Clear();
}

PyArray_Descr* bf16_from_module(PyObject* mod) {
  PyObject* type = PyObject_GetAttrString(mod, "bfloat16");
  if (!type) {
    PyErr_Clear();
    return nullptr;
  }
  PyArray_Descr* d = nullptr;
  if (!PyArray_DescrConverter(type, &d)) {
    PyErr_Clear();
    d = nullptr;
  }
  if (d) register_bf16_with_numpy_dlpack(type);
  Py_DECREF(type);
  return d;
}

// The bfloat16 descriptor if ml_dtypes has been imported by someone; never imports.
PyArray_Descr* bf16_descr_if_loaded() {
  Bf16Cache& c = bf16_cache();
  if (c.descr) return c.descr;
  PyObject* modules = PyImport_GetModuleDict();
  PyObject* mod = PyDict_GetItemString(modules, "ml_dtypes");  // borrowed
  if (!mod || mod == Py_None) return nullptr;
  c.descr = bf16_from_module(mod);
  return c.descr;
}

// The bfloat16 descriptor, importing ml_dtypes if needed; TypeError when it is not installed.
PyArray_Descr* bf16_descr_required() {
  if (PyArray_Descr* d = bf16_descr_if_loaded()) return d;
  Bf16Cache& c = bf16_cache();
  if (!c.tried_import) {
    c.tried_import = true;
    PyObject* mod = PyImport_ImportModule("ml_dtypes");
    if (mod) {
      c.descr = bf16_from_module(mod);
      Py_DECREF(mod);
    } else {
      PyErr_Clear();
    }
  }
  if (!c.descr)
    throw tb::TypeError(
        "Got unsupported ScalarType BFloat16: NumPy has no bfloat16 of its own; install the "
        "optional package ml_dtypes (pip install ml_dtypes) to exchange bfloat16 data with NumPy "
        "as ml_dtypes.bfloat16, or convert first with .float()");
  return c.descr;
}

// NumPy type number <-> DType, by kind and size (int32/intc and int64/long/longlong all map).
std::optional<tb::DType> dtype_from_descr(PyArray_Descr* d) {
  const int n = d->type_num;
  switch (n) {
    case NPY_BOOL: return tb::DType::Bool;
    case NPY_HALF: return tb::DType::Float16;
    case NPY_FLOAT: return tb::DType::Float32;
    case NPY_DOUBLE: return tb::DType::Float64;
    case NPY_CFLOAT: return tb::DType::Complex64;
    case NPY_CDOUBLE: return tb::DType::Complex128;
    default: break;
  }
  if (PyTypeNum_ISINTEGER(n)) {
    const bool is_unsigned = PyTypeNum_ISUNSIGNED(n);
    switch (PyDataType_ELSIZE(d)) {
      case 1: return is_unsigned ? tb::DType::UInt8 : tb::DType::Int8;
      case 2: return is_unsigned ? tb::DType::UInt16 : tb::DType::Int16;
      case 4: return is_unsigned ? tb::DType::UInt32 : tb::DType::Int32;
      case 8: return is_unsigned ? tb::DType::UInt64 : tb::DType::Int64;
    }
  }
  if (PyTypeNum_ISUSERDEF(n)) {
    PyArray_Descr* bf = bf16_descr_if_loaded();
    if (bf && bf->type_num == n) return tb::DType::BFloat16;
  }
  return std::nullopt;
}

int npy_type_of(tb::DType dt) {
  switch (dt) {
    case tb::DType::Bool: return NPY_BOOL;
    case tb::DType::UInt8: return NPY_UINT8;
    case tb::DType::Int8: return NPY_INT8;
    case tb::DType::Int16: return NPY_INT16;
    case tb::DType::Int32: return NPY_INT32;
    case tb::DType::Int64: return NPY_INT64;
    case tb::DType::UInt16: return NPY_UINT16;
    case tb::DType::UInt32: return NPY_UINT32;
    case tb::DType::UInt64: return NPY_UINT64;
    case tb::DType::Float16: return NPY_FLOAT16;
    case tb::DType::Float32: return NPY_FLOAT32;
    case tb::DType::Float64: return NPY_FLOAT64;
    case tb::DType::Complex64: return NPY_COMPLEX64;
    case tb::DType::Complex128: return NPY_COMPLEX128;
    case tb::DType::BFloat16: return bf16_descr_required()->type_num;
  }
  throw tb::TypeError("Got unsupported ScalarType " + std::string(tb::dtype_legacy_name(dt)));
}

// A new reference to the descriptor of a DType.
PyArray_Descr* descr_of(tb::DType dt) {
  if (dt == tb::DType::BFloat16) {
    PyArray_Descr* d = bf16_descr_required();
    Py_INCREF(d);
    return d;
  }
  return PyArray_DescrFromType(npy_type_of(dt));
}

}  // namespace

std::optional<tb::DType> dtype_from_numpy_dtype(nb::handle np_dtype) {
  if (!PyArray_DescrCheck(np_dtype.ptr())) return std::nullopt;
  return dtype_from_descr(reinterpret_cast<PyArray_Descr*>(np_dtype.ptr()));
}

nb::object numpy_dtype_of(tb::DType dt) {
  return nb::steal(reinterpret_cast<PyObject*>(descr_of(dt)));
}

bool ndarray_is_aliasable(nb::handle h) {
  PyObject* o = h.ptr();
  if (!PyArray_Check(o)) return false;
  auto* arr = reinterpret_cast<PyArrayObject*>(o);
  PyArray_Descr* descr = PyArray_DESCR(arr);
  if (!dtype_from_descr(descr) || PyArray_ISBYTESWAPPED(arr)) return false;
  const int64_t isz = int64_t(PyDataType_ELSIZE(descr));
  const npy_intp* bstrides = PyArray_STRIDES(arr);
  for (int i = 0; i < PyArray_NDIM(arr); ++i)
    if (bstrides[i] % isz != 0) return false;
  return true;
}

void check_numpy_exportable(const tb::Tensor& t) {
  if (!t.device().is_cpu())
    throw tb::TypeError("can't convert " + t.device().str() +
                        " device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
                        "to host memory first.");
  if (t.requires_grad() && tb::GradMode::is_enabled())
    throw tb::RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                           "tensor.detach().numpy() instead.");
}

tb::Tensor tensor_from_ndarray(nb::handle h) {
  PyObject* o = h.ptr();
  if (!PyArray_Check(o))
    throw tb::TypeError(std::string("expected np.ndarray (got ") + Py_TYPE(o)->tp_name + ")");
  auto* arr = reinterpret_cast<PyArrayObject*>(o);
  PyArray_Descr* descr = PyArray_DESCR(arr);
  std::optional<tb::DType> dt = dtype_from_descr(descr);
  if (!dt)
    throw tb::TypeError(std::string("can't convert np.ndarray of type ") + descr->typeobj->tp_name +
                        ". The only supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.");
  const int64_t isz = int64_t(PyDataType_ELSIZE(descr));
  const int nd = PyArray_NDIM(arr);
  const npy_intp* dims = PyArray_DIMS(arr);
  const npy_intp* bstrides = PyArray_STRIDES(arr);
  tb::Shape shape(static_cast<size_t>(nd));
  tb::Strides strides(static_cast<size_t>(nd));
  bool empty = false;
  // item sizes are powers of two: a mask and a shift instead of two divisions per dim
  const int shift = std::countr_zero(uint64_t(isz));
  for (int i = 0; i < nd; ++i) {
    if ((bstrides[i] & (isz - 1)) != 0)
      throw tb::ValueError("given numpy array strides not a multiple of the element byte size. "
                           "Copy the numpy array to reallocate the memory.");
    shape[size_t(i)] = dims[i];
    strides[size_t(i)] = bstrides[i] >> shift;
    empty = empty || dims[i] == 0;
  }
  if (PyArray_ISBYTESWAPPED(arr))
    throw tb::ValueError("given numpy array has byte order different from the native byte order. "
                         "Conversion between byte orders is currently not supported.");
  // The storage spans [lo, hi] elements around the array's first element (negative strides
  // reach below it).
  int64_t lo = 0, hi = 0;
  if (!empty)
    for (int i = 0; i < nd; ++i) {
      int64_t span = (shape[size_t(i)] - 1) * strides[size_t(i)];
      (span < 0 ? lo : hi) += span;
    }
  char* base = static_cast<char*>(PyArray_DATA(arr)) + lo * isz;
  size_t nbytes = empty ? 0 : size_t((hi - lo + 1) * isz);
  Py_INCREF(o);
  std::shared_ptr<tb::Storage> storage;
  try {
    storage = tb::Storage::borrow(base, nbytes, tb::kCPU, &release_pyobject, o,
                                  !PyArray_ISWRITEABLE(arr));
  } catch (...) {
    Py_DECREF(o);
    throw;
  }
  return tb::Tensor(std::move(storage), -lo, std::move(shape), std::move(strides), *dt);
}

tb::Tensor tensor_copy_from_ndarray(nb::handle h, std::optional<tb::DType> dtype) {
  PyObject* o = h.ptr();
  if (!PyArray_Check(o))
    throw tb::TypeError(std::string("expected np.ndarray (got ") + Py_TYPE(o)->tp_name + ")");
  if (ndarray_is_aliasable(h)) {
    tb::Tensor view = tensor_from_ndarray(h);
    return tb::to_dtype(view, dtype.value_or(view.dtype()), /*copy=*/true);
  }
  auto* arr = reinterpret_cast<PyArrayObject*>(o);
  // Byte-swapped or oddly strided: let NumPy make a native, aligned, C-ordered copy.
  PyArray_Descr* native = PyArray_DescrNewByteorder(PyArray_DESCR(arr), NPY_NATIVE);
  if (!native) throw nb::python_error();
  if (!dtype_from_descr(native)) {
    Py_DECREF(native);
    return tensor_from_ndarray(h);  // raises the unsupported-dtype TypeError
  }
  PyObject* copy = PyArray_FromArray(arr, native,  // steals native
                                     NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED | NPY_ARRAY_ENSURECOPY |
                                         NPY_ARRAY_WRITEABLE);
  if (!copy) throw nb::python_error();
  nb::object keep = nb::steal(copy);
  tb::Tensor view = tensor_from_ndarray(keep);  // owns the fresh copy through the array
  return tb::to_dtype(view, dtype.value_or(view.dtype()), /*copy=*/false);
}

nb::object ndarray_from_tensor(const tb::Tensor& t) {
  const int nd = int(t.dim());
  const int64_t isz = int64_t(t.itemsize());
  npy_intp dims[NPY_MAXDIMS];
  npy_intp strides[NPY_MAXDIMS];
  if (nd > NPY_MAXDIMS)
    throw tb::ValueError("numpy() supports at most " + std::to_string(NPY_MAXDIMS) + " dimensions");
  const bool empty = t.numel() == 0;
  for (int i = 0; i < nd; ++i) {
    dims[i] = t.shape()[size_t(i)];
    strides[i] = empty ? 0 : t.strides()[size_t(i)] * isz;
  }
  PyArray_Descr* descr = descr_of(t.dtype());
  int flags = t.read_only() ? 0 : NPY_ARRAY_WRITEABLE;
  PyObject* arr = PyArray_NewFromDescr(&PyArray_Type, descr, nd, dims, strides, t.data_ptr(),
                                       flags, nullptr);  // steals descr
  if (!arr) throw nb::python_error();
  // The array's base: a fresh detached alias keeping the storage alive (as torch does).
  nb::object base = wrap(t.detach());
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(arr), base.release().ptr()) < 0) {
    Py_DECREF(arr);
    throw nb::python_error();
  }
  return nb::steal(arr);
}

void bind_numpy_bridge(nb::module_& m, TensorClass& cls) {
  // Positional only, as torch.from_numpy; without named arguments nanobind also takes its
  // fastest call path (this is called per array in tight loops).
  m.def("from_numpy", [](nb::handle a) { return wrap(tensor_from_ndarray(a)); },
        nb::sig("def from_numpy(ndarray: object, /) -> Tensor"),
        "Creates a tensor that shares memory with a NumPy array (no copy).\n\n"
        "Like torch.from_numpy, but arrays with negative strides become views instead of being\n"
        "rejected, and a read-only array gives a read-only tensor.");
  cls.def(
      "numpy",
      [](const tb::Tensor& t, bool force) {
        if (!force) check_numpy_exportable(t);
        return ndarray_from_tensor(t);
      },
      nb::kw_only(), nb::arg("force") = false,
      "Returns the tensor's data as a NumPy array sharing its memory (no copy).\n\n"
      "A read-only tensor gives a read-only array; bfloat16 gives an ml_dtypes.bfloat16 array\n"
      "(needs the optional package ml_dtypes). force=True skips the requires-grad check.");
}

}  // namespace tbpy
