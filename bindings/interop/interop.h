// The bridge between NumPy (and other array protocols) and tensors. bindings/interop/ is the only
// place that touches NumPy, DLPack or buffer objects.
#pragma once
#include <optional>

#include "common.h"

namespace tbpy {

// Loads NumPy's C API (once, at module import).
void import_numpy_api();
bool is_ndarray(nb::handle h);
// Zero-copy tensor over an ndarray's memory (torch.from_numpy's checks, except that negative
// strides are accepted as views). Keeps the array alive as long as the storage lives.
tb::Tensor tensor_from_ndarray(nb::handle arr);
// The DType for a NumPy dtype object (np.dtype), or nullopt if there is none.
std::optional<tb::DType> dtype_from_numpy_dtype(nb::handle np_dtype);
// An ndarray over a CPU tensor's memory (no checks; callers check first).
nb::object ndarray_from_tensor(const tb::Tensor& t);
// Releases a reference to a Python object from any thread (a Storage deleter).
void release_pyobject(void* obj, void* data);

void bind_numpy_bridge(nb::module_& m, TensorClass& cls);

}  // namespace tbpy
