// The PEP 3118 buffer protocol and __array_interface__ on CPU tensors: NumPy's fastest ways in
// (np.asarray tries the buffer first, then __array_interface__, then __array__).
// Both keep numpy()'s refusals (non-CPU, requires grad while grad mode is on).
#include "interop/numpy_api.h"

#include <bit>
#include <cstring>
#include <memory>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/error.h"

namespace tbpy {

namespace {

// PEP 3118 format of a dtype, native byte order and size ('@' implied); nullptr for bfloat16,
// which has no format code ('E' is not accepted by NumPy, and ml_dtypes cannot export one either).
const char* buffer_format(tb::DType dt) {
  switch (dt) {
    case tb::DType::Bool: return "?";
    case tb::DType::UInt8: return "B";
    case tb::DType::Int8: return "b";
    case tb::DType::Int16: return "h";
    case tb::DType::UInt16: return "H";
    case tb::DType::Int32: return "i";
    case tb::DType::UInt32: return "I";
    case tb::DType::Int64: return sizeof(long) == 8 ? "l" : "q";
    case tb::DType::UInt64: return sizeof(long) == 8 ? "L" : "Q";
    case tb::DType::Float16: return "e";
    case tb::DType::Float32: return "f";
    case tb::DType::Float64: return "d";
    case tb::DType::Complex64: return "Zf";
    case tb::DType::Complex128: return "Zd";
    case tb::DType::BFloat16: return nullptr;
  }
  return nullptr;
}

// Array-interface typestr ('<f4', '|b1', ...); nullptr for bfloat16.
const char* typestr(tb::DType dt) {
  constexpr bool little = std::endian::native == std::endian::little;
  switch (dt) {
    case tb::DType::Bool: return "|b1";
    case tb::DType::UInt8: return "|u1";
    case tb::DType::Int8: return "|i1";
    case tb::DType::Int16: return little ? "<i2" : ">i2";
    case tb::DType::UInt16: return little ? "<u2" : ">u2";
    case tb::DType::Int32: return little ? "<i4" : ">i4";
    case tb::DType::UInt32: return little ? "<u4" : ">u4";
    case tb::DType::Int64: return little ? "<i8" : ">i8";
    case tb::DType::UInt64: return little ? "<u8" : ">u8";
    case tb::DType::Float16: return little ? "<f2" : ">f2";
    case tb::DType::Float32: return little ? "<f4" : ">f4";
    case tb::DType::Float64: return little ? "<f8" : ">f8";
    case tb::DType::Complex64: return little ? "<c8" : ">c8";
    case tb::DType::Complex128: return little ? "<c16" : ">c16";
    case tb::DType::BFloat16: return nullptr;
  }
  return nullptr;
}

// Kept in Py_buffer::internal until release: the storage (so that `t.data = other` cannot free
// the memory under a live memoryview) and the shape/strides arrays the buffer points into
// (inline up to kInline dims: one allocation per export).
struct BufferExtra {
  static constexpr int kInline = 8;
  std::shared_ptr<tb::Storage> storage;
  Py_ssize_t inline_dims[2 * kInline];
  std::unique_ptr<Py_ssize_t[]> heap_dims;
  Py_ssize_t* dims(int nd) {
    if (nd <= kInline) return inline_dims;
    heap_dims = std::make_unique<Py_ssize_t[]>(size_t(2 * nd));
    return heap_dims.get();
  }
};

// A small per-thread free list: np.asarray(t) exports and releases one BufferExtra per call, and
// the allocation is a measurable part of that path.
struct ExtraPool {
  static constexpr size_t kMax = 16;
  BufferExtra* items[kMax];
  size_t n = 0;
  ~ExtraPool() {
    while (n) delete items[--n];
  }
};
thread_local ExtraPool extra_pool;

std::unique_ptr<BufferExtra> take_extra() {
  if (extra_pool.n) return std::unique_ptr<BufferExtra>(extra_pool.items[--extra_pool.n]);
  return std::make_unique<BufferExtra>();
}

void give_back_extra(BufferExtra* e) {
  e->storage.reset();
  e->heap_dims.reset();
  if (extra_pool.n < ExtraPool::kMax) extra_pool.items[extra_pool.n++] = e;
  else delete e;
}

// Sets the Python error for the exception being handled (a raw C slot cannot let it escape).
void set_error_from_exception() {
  try {
    throw;
  } catch (const tb::Error& e) {
    PyErr_SetString(python_exception_type(e.kind()), e.what());
  } catch (nb::python_error& e) {
    e.restore();
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

int tensor_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  view->obj = nullptr;
  try {
    // The slot sits on the Tensor type, so self is a (possibly subclassed) Tensor instance.
    if (!nb::inst_ready(nb::handle(self))) throw tb::BufferError("tensor is not initialised");
    const tb::Tensor& t = *nb::inst_ptr<tb::Tensor>(nb::handle(self));
    if (!t.defined()) throw tb::BufferError("tensor is not initialised");
    if (!t.device().is_cpu())
      throw tb::BufferError("can't export a buffer of a " + t.device().str() +
                            " tensor. Use Tensor.cpu() to copy the tensor to host memory first.");
    if (t.requires_grad() && tb::GradMode::is_enabled())
      throw tb::RuntimeError("Can't export the buffer of a Tensor that requires grad. Use "
                             "tensor.detach() instead.");
    const char* fmt = buffer_format(t.dtype());
    if (!fmt)
      throw tb::BufferError("bfloat16 has no buffer-protocol format; use numpy() (with ml_dtypes) "
                            "or DLPack to share bfloat16 data");
    if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE && t.read_only())
      throw tb::BufferError("the tensor is read-only (it shares memory with a read-only array); "
                            "use .clone() to get a writable copy");
    const int nd = int(t.dim());
    const Py_ssize_t isz = Py_ssize_t(t.itemsize());
    std::unique_ptr<BufferExtra> extra = take_extra();
    extra->storage = t.storage();
    Py_ssize_t* shape = extra->dims(nd);
    Py_ssize_t* strides = shape + nd;
    for (int i = 0; i < nd; ++i) {
      shape[i] = Py_ssize_t(t.shape()[size_t(i)]);
      strides[i] = Py_ssize_t(t.strides()[size_t(i)]) * isz;
    }
    view->buf = t.data_ptr();
    view->len = Py_ssize_t(t.numel()) * isz;
    view->readonly = t.read_only() ? 1 : 0;
    view->itemsize = isz;
    view->format = (flags & PyBUF_FORMAT) ? const_cast<char*>(fmt) : nullptr;
    view->ndim = nd;
    view->shape = shape;
    view->strides = strides;
    view->suboffsets = nullptr;
    // Consumers that cannot take strides (or ask for a given order) need that layout.
    const bool c_contig = PyBuffer_IsContiguous(view, 'C');
    if ((flags & PyBUF_STRIDES) != PyBUF_STRIDES && !c_contig)
      throw tb::BufferError("the tensor is not C-contiguous; use .contiguous() first");
    if ((flags & PyBUF_C_CONTIGUOUS) == PyBUF_C_CONTIGUOUS && !c_contig)
      throw tb::BufferError("the tensor is not C-contiguous; use .contiguous() first");
    if ((flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS && !PyBuffer_IsContiguous(view, 'F'))
      throw tb::BufferError("the tensor is not Fortran-contiguous");
    if ((flags & PyBUF_ANY_CONTIGUOUS) == PyBUF_ANY_CONTIGUOUS && !PyBuffer_IsContiguous(view, 'A'))
      throw tb::BufferError("the tensor is not contiguous; use .contiguous() first");
    if ((flags & PyBUF_ND) != PyBUF_ND) {  // PyBUF_SIMPLE: one flat run of bytes
      view->ndim = 1;
      view->shape = nullptr;
      if (!(flags & PyBUF_FORMAT)) view->itemsize = 1;  // format NULL means 'B'
    }
    if ((flags & PyBUF_STRIDES) != PyBUF_STRIDES) view->strides = nullptr;
    view->internal = extra.release();
    view->obj = self;
    Py_INCREF(self);
    return 0;
  } catch (...) {
    set_error_from_exception();
    view->obj = nullptr;
    return -1;
  }
}

void tensor_releasebuffer(PyObject*, Py_buffer* view) {
  give_back_extra(static_cast<BufferExtra*>(view->internal));
  view->internal = nullptr;
}

PyType_Slot kTensorSlots[] = {
    {Py_bf_getbuffer, reinterpret_cast<void*>(&tensor_getbuffer)},
    {Py_bf_releasebuffer, reinterpret_cast<void*>(&tensor_releasebuffer)},
    {0, nullptr},
};

nb::object array_interface(const tb::Tensor& t) {
  // Refusals are AttributeErrors so that hasattr() stays safe; np.asarray then falls through to
  // __array__, which raises numpy()'s RuntimeError/TypeError.
  try {
    check_numpy_exportable(t);
  } catch (const tb::Error& e) {
    throw nb::attribute_error(e.what());
  }
  const char* ts = typestr(t.dtype());
  if (!ts)  // NumPy would read '<V2' as raw void: hide the attribute so __array__ is used instead
    throw nb::attribute_error("bfloat16 tensors have no __array_interface__; use numpy()");
  const int64_t isz = int64_t(t.itemsize());
  const size_t nd = size_t(t.dim());
  nb::object shape = nb::steal(PyTuple_New(Py_ssize_t(nd)));
  for (size_t i = 0; i < nd; ++i)
    PyTuple_SET_ITEM(shape.ptr(), Py_ssize_t(i), PyLong_FromLongLong(t.shape()[i]));
  nb::object strides = nb::none();
  if (!t.is_contiguous()) {
    strides = nb::steal(PyTuple_New(Py_ssize_t(nd)));
    for (size_t i = 0; i < nd; ++i)
      PyTuple_SET_ITEM(strides.ptr(), Py_ssize_t(i), PyLong_FromLongLong(t.strides()[i] * isz));
  }
  nb::dict d;
  d["shape"] = shape;
  d["typestr"] = ts;
  d["descr"] = nb::list(nb::make_tuple(nb::make_tuple("", ts)));
  d["data"] = nb::make_tuple(nb::int_(reinterpret_cast<uintptr_t>(t.data_ptr())),
                             nb::bool_(t.read_only()));
  d["strides"] = strides;
  d["version"] = 3;
  return std::move(d);
}

}  // namespace

const PyType_Slot* tensor_type_slots() { return kTensorSlots; }

void install_buffer_slots(TensorClass& cls) {
  // nanobind creates heap types, whose tp_as_buffer points into the type object itself.
  auto* ht = reinterpret_cast<PyHeapTypeObject*>(cls.ptr());
  if (ht->ht_type.tp_as_buffer && ht->ht_type.tp_as_buffer->bf_getbuffer == &tensor_getbuffer)
    return;  // already created with nb::type_slots(tensor_type_slots())
  ht->as_buffer.bf_getbuffer = &tensor_getbuffer;
  ht->as_buffer.bf_releasebuffer = &tensor_releasebuffer;
  ht->ht_type.tp_as_buffer = &ht->as_buffer;
  PyType_Modified(&ht->ht_type);
}

void bind_buffer(nb::module_& m, TensorClass& cls) {
  install_buffer_slots(cls);
  cls.def_prop_ro("__array_interface__", &array_interface,
                  "NumPy's array interface (version 3) over the tensor's memory: shape, typestr, "
                  "data=(pointer, read_only), byte strides. Absent (AttributeError with numpy()'s "
                  "message) where numpy() would refuse, and for bfloat16 (use numpy()).");
  (void)m;
}

}  // namespace tbpy
