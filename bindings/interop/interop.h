// The bridge between NumPy (and other array protocols) and tensors. bindings/interop/ is the only
// place that touches NumPy, DLPack or buffer objects.
//
// Files: numpy_bridge.cpp (from_numpy, numpy(), dtype mapping incl. ml_dtypes.bfloat16),
// dlpack.cpp (__dlpack__, __dlpack_device__, from_dlpack), buffer.cpp (PEP 3118 buffer slots,
// __array_interface__), array_protocols.cpp (__array__, __array_wrap__), pickle.cpp
// (__reduce_ex__, copy/deepcopy), constructors.cpp (as_tensor, asarray, helpers for tensor()).
#pragma once
#include <optional>

#include "common.h"

namespace tbpy {

// ---- numpy_bridge.cpp ----------------------------------------------------------------------
// Loads NumPy's C API (once, at module import).
void import_numpy_api();
bool is_ndarray(nb::handle h);
// True for NumPy scalars (np.float32(1), np.bool_(True), ...), which are not ndarrays.
bool is_numpy_scalar(nb::handle h);
// Zero-copy tensor over an ndarray's memory (torch.from_numpy's checks, except that negative
// strides are accepted as views). Keeps the array alive as long as the storage lives.
// A non-writeable array gives a read-only tensor.
tb::Tensor tensor_from_ndarray(nb::handle arr);
// True when tensor_from_ndarray(arr) would succeed (supported dtype, native byte order, strides
// a multiple of the item size). Never throws.
bool ndarray_is_aliasable(nb::handle arr);
// The DType for a NumPy dtype object (np.dtype), or nullopt if there is none
// (ml_dtypes.bfloat16 maps to BFloat16 when ml_dtypes is imported).
std::optional<tb::DType> dtype_from_numpy_dtype(nb::handle np_dtype);
// The np.dtype for a DType; bfloat16 needs ml_dtypes (TypeError naming it otherwise).
nb::object numpy_dtype_of(tb::DType dt);
// An ndarray over a CPU tensor's memory (no checks; callers check first). The array is
// read-only when the tensor is.
nb::object ndarray_from_tensor(const tb::Tensor& t);
// torch's numpy() refusals: non-CPU device (TypeError), requires grad while grad mode is on
// (RuntimeError), with numpy()'s messages.
void check_numpy_exportable(const tb::Tensor& t);
// A new, native-order, writable tensor holding a copy of an ndarray's values, converted to dtype
// when given. Unlike tensor_from_ndarray it accepts byte-swapped arrays and strides that are not
// a multiple of the item size (NumPy makes a native copy first). This is what tb.tensor(ndarray)
// should call.
tb::Tensor tensor_copy_from_ndarray(nb::handle arr, std::optional<tb::DType> dtype);
// Storage deleter for memory borrowed through the buffer protocol (ctx: a heap Py_buffer):
// releases the buffer under the GIL from any thread, then frees ctx.
void release_buffer_view(void* ctx, void* data);
// Releases a reference to a Python object from any thread (a Storage deleter).
void release_pyobject(void* obj, void* data);
// True while Python can run code: initialised and not finalising. Storage deleters that need the
// GIL check it first; after finalisation the memory is left to the process's exit.
bool python_can_run();

// ---- constructors.cpp ----------------------------------------------------------------------
// For tb.tensor(data): a tensor VIEW of `data` when it speaks an array protocol other than being
// a Tensor or an ndarray: __dlpack__, __array_interface__, __array_struct__ or __array__ (buffer
// objects such as bytes/memoryview are left to the sequence path, as torch does). nullopt when it
// speaks none. The caller copies (tb.tensor always copies). May be read-only.
std::optional<tb::Tensor> tensor_from_protocols(nb::handle data);

// ---- dlpack.cpp ----------------------------------------------------------------------------
// from_dlpack(obj, device=None, copy=None) as a C++ call (obj: a producer or a raw capsule).
tb::Tensor tensor_from_dlpack(nb::handle obj, nb::handle device, std::optional<bool> copy);
bool has_dlpack(nb::handle obj);

// ---- buffer.cpp ----------------------------------------------------------------------------
// The type slots giving Tensor the buffer protocol ({Py_bf_getbuffer, ...}, {0, nullptr}).
const PyType_Slot* tensor_type_slots();
// Installs those slots on an already created class object (used when the class was created
// without nb::type_slots).
void install_buffer_slots(TensorClass& cls);

// ---- registration (one per file) -----------------------------------------------------------
void bind_numpy_bridge(nb::module_& m, TensorClass& cls);
void bind_dlpack(nb::module_& m, TensorClass& cls);
void bind_buffer(nb::module_& m, TensorClass& cls);
void bind_array_protocols(nb::module_& m, TensorClass& cls);
void bind_pickle(nb::module_& m, TensorClass& cls);
void bind_constructors(nb::module_& m, TensorClass& cls);

}  // namespace tbpy
