// DLPack: Tensor.__dlpack__ / __dlpack_device__ (producer) and tb.from_dlpack (consumer).
// The ABI structs below are written from the DLPack specification (v1.x, see
// /work/shared/spec/protocols.md §1.2): layouts and enum values are facts of the ABI.
#include "interop/numpy_api.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/error.h"

namespace tbpy {

namespace dl {

// The DLPack version this producer claims: 1.3 (strides always filled, as 1.2 requires; the
// managed-tensor layout is the same for every 1.x).
constexpr uint32_t kMajor = 1;
constexpr uint32_t kMinor = 3;

constexpr uint64_t kFlagReadOnly = 1ull << 0;
constexpr uint64_t kFlagIsCopied = 1ull << 1;

// Device types reachable from the host (what a CPU library may read directly).
constexpr int32_t kCPU = 1, kCUDA = 2, kCUDAHost = 3, kROCMHost = 11, kCUDAManaged = 13;
// Type codes.
constexpr uint8_t kInt = 0, kUInt = 1, kFloat = 2, kBfloat = 4, kComplex = 5, kBool = 6;

struct Device {
  int32_t device_type;
  int32_t device_id;
};
struct DataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};
struct Tensor {
  void* data;
  Device device;
  int32_t ndim;
  DataType dtype;
  int64_t* shape;
  int64_t* strides;  // in elements; NULL means compact row-major (producers before 1.2)
  uint64_t byte_offset;
};
struct ManagedTensor {  // legacy, capsule name "dltensor"
  Tensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(ManagedTensor*);
};
struct Version {
  uint32_t major;
  uint32_t minor;
};
struct ManagedTensorVersioned {  // capsule name "dltensor_versioned"
  Version version;
  void* manager_ctx;
  void (*deleter)(ManagedTensorVersioned*);
  uint64_t flags;
  Tensor dl_tensor;
};

static_assert(sizeof(Device) == 8 && sizeof(DataType) == 4);
static_assert(sizeof(Tensor) == 48 && offsetof(Tensor, shape) == 24 && offsetof(Tensor, byte_offset) == 40);
static_assert(sizeof(ManagedTensor) == 64 && offsetof(ManagedTensor, deleter) == 56);
static_assert(offsetof(ManagedTensorVersioned, manager_ctx) == 8 &&
              offsetof(ManagedTensorVersioned, deleter) == 16 &&
              offsetof(ManagedTensorVersioned, flags) == 24 &&
              offsetof(ManagedTensorVersioned, dl_tensor) == 32);

constexpr const char* kLegacyName = "dltensor";
constexpr const char* kVersionedName = "dltensor_versioned";
constexpr const char* kUsedLegacyName = "used_dltensor";
constexpr const char* kUsedVersionedName = "used_dltensor_versioned";

}  // namespace dl

namespace {

// ---- dtype mapping -------------------------------------------------------------------------
dl::DataType dl_dtype_of(tb::DType dt) {
  const uint8_t bits = uint8_t(tb::itemsize(dt) * 8);
  switch (dt) {
    case tb::DType::Bool: return {dl::kBool, 8, 1};
    case tb::DType::UInt8:
    case tb::DType::UInt16:
    case tb::DType::UInt32:
    case tb::DType::UInt64: return {dl::kUInt, bits, 1};
    case tb::DType::Int8:
    case tb::DType::Int16:
    case tb::DType::Int32:
    case tb::DType::Int64: return {dl::kInt, bits, 1};
    case tb::DType::Float16:
    case tb::DType::Float32:
    case tb::DType::Float64: return {dl::kFloat, bits, 1};
    case tb::DType::BFloat16: return {dl::kBfloat, 16, 1};
    case tb::DType::Complex64:
    case tb::DType::Complex128: return {dl::kComplex, bits, 1};
  }
  throw tb::BufferError("dtype not supported by DLPack");
}

std::optional<tb::DType> dtype_from_dl(dl::DataType t) {
  if (t.lanes != 1) return std::nullopt;
  switch (t.code) {
    case dl::kBool:
      if (t.bits == 8) return tb::DType::Bool;
      break;
    case dl::kInt:
      switch (t.bits) {
        case 8: return tb::DType::Int8;
        case 16: return tb::DType::Int16;
        case 32: return tb::DType::Int32;
        case 64: return tb::DType::Int64;
      }
      break;
    case dl::kUInt:
      switch (t.bits) {
        case 8: return tb::DType::UInt8;
        case 16: return tb::DType::UInt16;
        case 32: return tb::DType::UInt32;
        case 64: return tb::DType::UInt64;
      }
      break;
    case dl::kFloat:
      switch (t.bits) {
        case 16: return tb::DType::Float16;
        case 32: return tb::DType::Float32;
        case 64: return tb::DType::Float64;
      }
      break;
    case dl::kBfloat:
      if (t.bits == 16) return tb::DType::BFloat16;
      break;
    case dl::kComplex:
      if (t.bits == 64) return tb::DType::Complex64;
      if (t.bits == 128) return tb::DType::Complex128;
      break;
  }
  return std::nullopt;
}

// ---- export --------------------------------------------------------------------------------
// One allocation per export: the managed struct first (so its address is the block's), the
// tensor that keeps the storage alive, and the shape/strides arrays the struct points into.
template <typename M>
struct Exported {
  M managed;
  tb::Tensor keep;
  std::unique_ptr<int64_t[]> dims;
};

template <typename M>
void exported_deleter(M* m) {
  // Pure C++: dropping `keep` may release a Python object, and release_pyobject takes the GIL.
  delete reinterpret_cast<Exported<M>*>(m);
}

template <typename M>
void fill_export(Exported<M>& e, const tb::Tensor& t) {
  const size_t nd = size_t(t.dim());
  dl::Tensor& d = e.managed.dl_tensor;
  d.data = t.data_ptr();
  d.device = {dl::kCPU, 0};
  d.ndim = int32_t(nd);
  d.dtype = dl_dtype_of(t.dtype());
  d.byte_offset = 0;
  if (nd == 0) {
    d.shape = d.strides = nullptr;
    return;
  }
  e.dims = std::make_unique<int64_t[]>(2 * nd);
  for (size_t i = 0; i < nd; ++i) {
    e.dims[i] = t.shape()[i];
    e.dims[nd + i] = t.strides()[i];
  }
  d.shape = e.dims.get();
  d.strides = e.dims.get() + nd;
}

// Capsule destructor: the deleter runs only if no consumer took ownership (name unchanged).
void capsule_destructor(PyObject* cap) {
  PyObject *type, *value, *tb_;
  PyErr_Fetch(&type, &value, &tb_);
  if (PyCapsule_IsValid(cap, dl::kVersionedName)) {
    auto* m = static_cast<dl::ManagedTensorVersioned*>(PyCapsule_GetPointer(cap, dl::kVersionedName));
    if (m && m->deleter) m->deleter(m);
  } else if (PyCapsule_IsValid(cap, dl::kLegacyName)) {
    auto* m = static_cast<dl::ManagedTensor*>(PyCapsule_GetPointer(cap, dl::kLegacyName));
    if (m && m->deleter) m->deleter(m);
  }
  PyErr_Clear();
  PyErr_Restore(type, value, tb_);
}

[[noreturn]] void raise_py(PyObject* type, const char* msg) {
  PyErr_SetString(type, msg);
  throw nb::python_error();
}

nb::object dlpack_export(const tb::Tensor& src, nb::handle stream, nb::handle max_version,
                         nb::handle dl_device, nb::handle copy) {
  if (!stream.is_none()) {
    if (!PyLong_Check(stream.ptr())) raise_py(PyExc_TypeError, "stream must be ``int`` or ``none``");
    if (PyLong_AsLong(stream.ptr()) != -1) raise_py(PyExc_AssertionError, "stream should be None on cpu.");
  }
  if (src.requires_grad())
    throw tb::BufferError("Can't export tensors that require gradient, use tensor.detach()");
  bool versioned = false;
  if (!max_version.is_none()) {
    if (!PyTuple_Check(max_version.ptr()) || PyTuple_GET_SIZE(max_version.ptr()) != 2)
      throw tb::TypeError("__dlpack__: max_version must be a (major, minor) tuple or None");
    long major = PyLong_AsLong(PyTuple_GET_ITEM(max_version.ptr(), 0));
    if (major == -1 && PyErr_Occurred()) throw nb::python_error();
    versioned = major >= 1;
  }
  if (!dl_device.is_none()) {
    nb::tuple dev = nb::cast<nb::tuple>(dl_device);
    if (dev.size() != 2) throw tb::TypeError("__dlpack__: dl_device must be a (device_type, device_id) tuple");
    long type = nb::cast<long>(dev[0]), id = nb::cast<long>(dev[1]);
    if (type != dl::kCPU || id != 0)
      throw tb::BufferError("__dlpack__: can't export to device (" + std::to_string(type) + ", " +
                            std::to_string(id) + "): tensorbridge tensors live on the CPU, (1, 0)");
  }
  int copy_mode = -1;  // -1 if needed, 0 never, 1 always
  if (!copy.is_none()) {
    copy_mode = PyObject_IsTrue(copy.ptr());
    if (copy_mode < 0) throw nb::python_error();
  }
  if (!src.device().is_cpu())
    throw tb::BufferError("__dlpack__: only CPU tensors can be exported in this build");
  if (!versioned && src.read_only() && copy_mode != 1)
    throw tb::BufferError(
        "Cannot export a read-only tensor through a legacy (unversioned) DLPack capsule, which "
        "cannot signal read-only data; pass max_version=(1, 0) or higher, or copy=True");
  const bool copied = copy_mode == 1;
  tb::Tensor t = copied ? tb::clone(src) : src.detach();
  if (versioned) {
    auto e = std::make_unique<Exported<dl::ManagedTensorVersioned>>();
    fill_export(*e, t);
    e->keep = std::move(t);
    auto& m = e->managed;
    m.version = {dl::kMajor, dl::kMinor};
    m.manager_ctx = e.get();
    m.deleter = &exported_deleter<dl::ManagedTensorVersioned>;
    m.flags = (e->keep.read_only() ? dl::kFlagReadOnly : 0) | (copied ? dl::kFlagIsCopied : 0);
    PyObject* cap = PyCapsule_New(&m, dl::kVersionedName, &capsule_destructor);
    if (!cap) throw nb::python_error();
    e.release();
    return nb::steal(cap);
  }
  auto e = std::make_unique<Exported<dl::ManagedTensor>>();
  fill_export(*e, t);
  e->keep = std::move(t);
  e->managed.manager_ctx = e.get();
  e->managed.deleter = &exported_deleter<dl::ManagedTensor>;
  PyObject* cap = PyCapsule_New(&e->managed, dl::kLegacyName, &capsule_destructor);
  if (!cap) throw nb::python_error();
  e.release();
  return nb::steal(cap);
}

// ---- import --------------------------------------------------------------------------------
// The storage deleter of an imported capsule: calls the producer's deleter exactly once, holding
// the GIL (old NumPy deleters did not take it themselves). After finalisation the memory is left
// to the process's exit, as release_pyobject does.
struct Imported {
  void* managed;
  bool versioned;
};

void imported_deleter(void* ctx, void*) {
  auto* c = static_cast<Imported*>(ctx);
  if (c->managed && python_can_run()) {
    PyGILState_STATE st = PyGILState_Ensure();
    if (c->versioned) {
      auto* m = static_cast<dl::ManagedTensorVersioned*>(c->managed);
      if (m->deleter) m->deleter(m);
    } else {
      auto* m = static_cast<dl::ManagedTensor*>(c->managed);
      if (m->deleter) m->deleter(m);
    }
    PyGILState_Release(st);
  }
  delete c;
}

bool host_reachable(int32_t device_type) {
  return device_type == dl::kCPU || device_type == dl::kCUDAHost ||
         device_type == dl::kROCMHost || device_type == dl::kCUDAManaged;
}

[[noreturn]] void invalid_capsule() {
  throw tb::RuntimeError(
      "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only "
      "once, so you might have already constructed a tensor from it once.");
}

// Takes ownership of a "dltensor"/"dltensor_versioned" capsule's tensor (renaming the capsule
// to used_*) and returns a tensor view of it. On error the capsule is left untouched, so its
// destructor still calls the producer's deleter. `copied` reports the IS_COPIED flag.
tb::Tensor import_capsule(nb::handle cap, bool& copied) {
  PyObject* c = cap.ptr();
  const char* name = PyCapsule_GetName(c);
  if (!name) throw nb::python_error();
  bool versioned;
  if (std::strcmp(name, dl::kVersionedName) == 0) versioned = true;
  else if (std::strcmp(name, dl::kLegacyName) == 0) versioned = false;
  else if (std::strcmp(name, dl::kUsedVersionedName) == 0 || std::strcmp(name, dl::kUsedLegacyName) == 0)
    invalid_capsule();
  else
    throw tb::TypeError(std::string("from_dlpack: expected a DLPack capsule named 'dltensor' or "
                                    "'dltensor_versioned', got a capsule named '") + name + "'");
  void* managed = PyCapsule_GetPointer(c, name);
  if (!managed) throw nb::python_error();
  const dl::Tensor* d;
  uint64_t flags = 0;
  if (versioned) {
    auto* m = static_cast<dl::ManagedTensorVersioned*>(managed);
    if (m->version.major != dl::kMajor)
      throw tb::BufferError("unsupported DLPack capsule major version: " +
                            std::to_string(m->version.major) + ". Maximum supported version: 1");
    flags = m->flags;
    d = &m->dl_tensor;
  } else {
    d = &static_cast<dl::ManagedTensor*>(managed)->dl_tensor;
  }
  copied = (flags & dl::kFlagIsCopied) != 0;
  if (!host_reachable(d->device.device_type))
    throw tb::BufferError("from_dlpack: unsupported device in DLTensor: (" +
                          std::to_string(d->device.device_type) + ", " +
                          std::to_string(d->device.device_id) +
                          "); tensorbridge reads host memory only (CPU, CUDAHost, ROCMHost, "
                          "CUDAManaged). Ask the producer for a host copy, e.g. "
                          "from_dlpack(x, device='cpu')");
  std::optional<tb::DType> dt = dtype_from_dl(d->dtype);
  if (!dt)
    throw tb::BufferError("from_dlpack: unsupported dtype in DLTensor (code " +
                          std::to_string(d->dtype.code) + ", bits " + std::to_string(d->dtype.bits) +
                          ", lanes " + std::to_string(d->dtype.lanes) + ")");
  if (d->ndim < 0 || (d->ndim > 0 && !d->shape))
    throw tb::BufferError("from_dlpack: invalid DLTensor (ndim " + std::to_string(d->ndim) + ")");
  const size_t nd = size_t(d->ndim);
  const int64_t isz = int64_t(tb::itemsize(*dt));
  tb::Shape shape(nd);
  tb::Strides strides(nd);
  bool empty = false;
  for (size_t i = 0; i < nd; ++i) {
    if (d->shape[i] < 0) throw tb::BufferError("from_dlpack: negative size in DLTensor shape");
    shape[i] = d->shape[i];
    empty = empty || shape[i] == 0;
  }
  if (d->strides) {
    for (size_t i = 0; i < nd; ++i) strides[i] = d->strides[i];
  } else {
    strides = tb::contiguous_strides(shape);
  }
  // Element span [lo, hi] around element 0 (negative strides reach below it).
  int64_t lo = 0, hi = 0;
  if (!empty)
    for (size_t i = 0; i < nd; ++i) {
      int64_t span;
      if (__builtin_mul_overflow(shape[i] - 1, strides[i], &span) ||
          __builtin_add_overflow(span < 0 ? lo : hi, span, span < 0 ? &lo : &hi))
        throw tb::BufferError("from_dlpack: DLTensor shape and strides overflow");
    }
  int64_t nbytes = 0;
  if (!empty && (__builtin_sub_overflow(hi, lo, &nbytes) || __builtin_add_overflow(nbytes, 1, &nbytes) ||
                 __builtin_mul_overflow(nbytes, isz, &nbytes)))
    throw tb::BufferError("from_dlpack: DLTensor shape and strides overflow");
  char* first = static_cast<char*>(d->data) + d->byte_offset;
  char* base = empty ? first : first + lo * isz;
  auto* ctx = new Imported{managed, versioned};
  std::shared_ptr<tb::Storage> storage;
  try {
    storage = tb::Storage::borrow(base, size_t(nbytes), tb::kCPU, &imported_deleter, ctx,
                                  (flags & dl::kFlagReadOnly) != 0);
  } catch (...) {
    delete ctx;
    throw;
  }
  // Ownership moved to the storage: mark the capsule consumed so its destructor does nothing.
  if (PyCapsule_SetName(c, versioned ? dl::kUsedVersionedName : dl::kUsedLegacyName) != 0) {
    PyErr_Clear();  // cannot happen for a valid capsule; never call the deleter twice
    ctx->managed = nullptr;
    throw tb::RuntimeError("from_dlpack: could not mark the capsule as consumed");
  }
  return tb::Tensor(std::move(storage), empty ? 0 : -lo, std::move(shape), std::move(strides), *dt);
}

// Cached Python constants for the producer handshake.
struct DlpackNames {
  PyObject* dlpack = nullptr;         // "__dlpack__"
  PyObject* dlpack_device = nullptr;  // "__dlpack_device__"
  PyObject* max_version = nullptr;    // (1, 3)
  PyObject* cpu = nullptr;            // (1, 0)
  PyObject* kw_mv = nullptr;          // ("max_version",)
  PyObject* kw_mv_dev = nullptr;      // ("max_version", "dl_device")
  PyObject* kw_mv_copy = nullptr;     // ("max_version", "copy")
  PyObject* kw_all = nullptr;         // ("max_version", "dl_device", "copy")
};
DlpackNames& names() {
  static DlpackNames n = [] {
    DlpackNames r;
    r.dlpack = PyUnicode_InternFromString("__dlpack__");
    r.dlpack_device = PyUnicode_InternFromString("__dlpack_device__");
    r.max_version = Py_BuildValue("(II)", dl::kMajor, dl::kMinor);
    r.cpu = Py_BuildValue("(ii)", dl::kCPU, 0);
    r.kw_mv = Py_BuildValue("(s)", "max_version");
    r.kw_mv_dev = Py_BuildValue("(ss)", "max_version", "dl_device");
    r.kw_mv_copy = Py_BuildValue("(ss)", "max_version", "copy");
    r.kw_all = Py_BuildValue("(sss)", "max_version", "dl_device", "copy");
    return r;
  }();
  return n;
}

// Parses from_dlpack's device argument: nullopt for None, else it must be the CPU.
bool wants_cpu(nb::handle device) {
  if (device.is_none()) return false;
  tb::Device d = device_from_py(device);
  if (!d.is_cpu()) tb::check_device_available(d);
  if (!d.is_cpu()) throw tb::BufferError("from_dlpack: only device='cpu' is supported in this build");
  return true;
}

}  // namespace

bool has_dlpack(nb::handle obj) {
  return PyObject_HasAttr(obj.ptr(), names().dlpack) == 1;
}

tb::Tensor tensor_from_dlpack(nb::handle obj, nb::handle device, std::optional<bool> copy) {
  const bool to_cpu = wants_cpu(device);
  bool copied = false;
  tb::Tensor t;
  if (PyCapsule_CheckExact(obj.ptr())) {
    t = import_capsule(obj, copied);
  } else if (PyArray_CheckExact(obj.ptr()) && ndarray_is_aliasable(obj)) {
    // Fast path, same result as NumPy's own export: a view that keeps the array alive, read-only
    // when the array is. Anything NumPy would refuse takes the protocol path for its errors.
    t = tensor_from_ndarray(obj);
  } else {
    const DlpackNames& n = names();
    nb::object meth = nb::steal(PyObject_GetAttr(obj.ptr(), n.dlpack));
    if (!meth.is_valid()) {
      PyErr_Clear();
      throw tb::TypeError("from_dlpack: expected an object with __dlpack__ (a tensor, an array) "
                          "or a DLPack capsule, got " + py_type_name(obj));
    }
    bool need_host_copy = false;
    nb::object devinfo = nb::steal(PyObject_CallMethodNoArgs(obj.ptr(), n.dlpack_device));
    if (devinfo.is_valid()) {
      if (PyTuple_Check(devinfo.ptr()) && PyTuple_GET_SIZE(devinfo.ptr()) == 2) {
        long type = PyLong_AsLong(PyTuple_GET_ITEM(devinfo.ptr(), 0));
        if (type == -1 && PyErr_Occurred()) throw nb::python_error();
        if (!host_reachable(int32_t(type))) {
          if (!to_cpu)
            throw tb::BufferError(
                "from_dlpack: the producer's data is on DLPack device " + std::to_string(type) +
                ", which this build of tensorbridge cannot hold; pass device='cpu' to get a host copy");
          need_host_copy = true;
        }
      }
    } else {
      PyErr_Clear();  // producers without __dlpack_device__: just ask for the capsule
    }
    if (need_host_copy && copy == false)
      throw tb::ValueError("from_dlpack: cannot move the producer's data to the CPU without "
                           "copying. Set copy=None or copy=True.");
    PyObject* args[4];
    size_t nargs = 0;
    args[nargs++] = n.max_version;
    PyObject* kwnames = n.kw_mv;
    const bool pass_dev = to_cpu;
    const bool pass_copy = copy.has_value();
    if (pass_dev) args[nargs++] = n.cpu;
    if (pass_copy) args[nargs++] = *copy ? Py_True : Py_False;
    if (pass_dev && pass_copy) kwnames = n.kw_all;
    else if (pass_dev) kwnames = n.kw_mv_dev;
    else if (pass_copy) kwnames = n.kw_mv_copy;
    PyObject* cap = PyObject_Vectorcall(meth.ptr(), args, 0, kwnames);
    if (!cap && PyErr_ExceptionMatches(PyExc_TypeError) && !need_host_copy) {
      // A producer that predates the keywords: a plain legacy request (copy handled below).
      PyErr_Clear();
      cap = PyObject_CallNoArgs(meth.ptr());
    }
    if (!cap) throw nb::python_error();
    nb::object capsule = nb::steal(cap);
    if (!PyCapsule_CheckExact(cap))
      throw tb::TypeError("from_dlpack: __dlpack__ returned " + py_type_name(capsule) +
                          ", expected a PyCapsule");
    t = import_capsule(capsule, copied);
  }
  // copy=True promises memory nobody else sees: trust only an explicit IS_COPIED flag.
  if (copy == true && !copied) t = tb::clone(t);
  return t;
}

void bind_dlpack(nb::module_& m, TensorClass& cls) {
  // (DLDeviceType.kDLCPU, 0), as torch returns it: an IntEnum member and the device index.
  nb::object intenum = nb::module_::import_("enum").attr("IntEnum");
  nb::dict members;
  const std::pair<const char*, int> kinds[] = {
      {"kDLCPU", 1},       {"kDLCUDA", 2},      {"kDLCUDAHost", 3},  {"kDLOpenCL", 4},
      {"kDLVulkan", 7},    {"kDLMetal", 8},     {"kDLVPI", 9},       {"kDLROCM", 10},
      {"kDLROCMHost", 11}, {"kDLExtDev", 12},   {"kDLCUDAManaged", 13}, {"kDLOneAPI", 14},
      {"kDLWebGPU", 15},   {"kDLHexagon", 16},  {"kDLMAIA", 17},     {"kDLTrn", 18}};
  for (const auto& [name, value] : kinds) members[name] = value;
  nb::object enum_cls = intenum("DLDeviceType", members, nb::arg("module") = "tensorbridge");
  enum_cls.attr("__doc__") = "DLPack device types (DLDeviceType in dlpack.h); "
                             "Tensor.__dlpack_device__() returns (DLDeviceType.kDLCPU, 0).";
  m.attr("DLDeviceType") = enum_cls;
  nb::object cpu_device = nb::make_tuple(enum_cls.attr("kDLCPU"), 0);

  cls.def("__dlpack__", &dlpack_export, nb::kw_only(), nb::arg("stream").none() = nb::none(),
          nb::arg("max_version").none() = nb::none(), nb::arg("dl_device").none() = nb::none(),
          nb::arg("copy").none() = nb::none(),
          "Exports the tensor as a DLPack capsule (shares memory unless copy=True).\n\n"
          "max_version with major >= 1 gives a 'dltensor_versioned' capsule (DLPack 1.3) with the\n"
          "READ_ONLY and IS_COPIED flags set truthfully; otherwise a legacy 'dltensor' capsule\n"
          "(refused for read-only tensors unless copy=True). Strides are always filled.\n"
          "stream must be None (or -1) for CPU tensors; dl_device may only be (1, 0).");
  cls.def(
      "__dlpack_device__",
      [cpu_device](const tb::Tensor& t) -> nb::object {
        if (!t.device().is_cpu()) throw tb::BufferError("__dlpack_device__: only CPU tensors in this build");
        return cpu_device;
      },
      "The DLPack device of the data: (DLDeviceType.kDLCPU, 0).");
  m.def(
      "from_dlpack",
      [](nb::handle ext, nb::handle device, std::optional<bool> copy) {
        return tensor_from_dlpack(ext, device, copy);
      },
      nb::arg("ext_tensor"), nb::kw_only(), nb::arg("device").none() = nb::none(),
      nb::arg("copy").none() = nb::none(),
      "Creates a tensor from any DLPack producer (an object with __dlpack__, e.g. a NumPy array\n"
      "or a torch tensor) or from a raw 'dltensor'/'dltensor_versioned' capsule.\n\n"
      "Shares memory unless copy=True (or the producer had to copy). A READ_ONLY capsule gives a\n"
      "read-only tensor; negative strides become views. A capsule can be consumed only once.\n"
      "device='cpu' asks the producer for host memory; copy=False forbids any copy.");
}

}  // namespace tbpy
