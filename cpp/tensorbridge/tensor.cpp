#include "tensorbridge/tensor.h"

#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"

namespace tb {

namespace {
// A TensorImpl holding its default member values. Default-initialised: value-initialisation
// (make_shared<TensorImpl>()) would first zero the whole object, inline shape and stride buffers
// included, which costs more than the rest of a small tensor's construction. Every TensorImpl
// field has a default member initializer, so nothing is left indeterminate.
std::shared_ptr<TensorImpl> new_impl() { return std::make_shared_for_overwrite<TensorImpl>(); }

// Smallest and largest element offsets a geometry addresses (shape has no zero dim).
void extent(const Shape& shape, const Strides& strides, int64_t& lo, int64_t& hi) {
  lo = hi = 0;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t span = (shape[i] - 1) * strides[i];
    (span < 0 ? lo : hi) += span;
  }
}
}  // namespace

Tensor::Tensor(std::shared_ptr<Storage> storage, int64_t offset, Shape shape, Strides strides,
               DType dtype, std::shared_ptr<VersionCounter> version) {
  if (shape.size() != strides.size())
    throw RuntimeError("mismatch in length of strides and shape");
  check_sizes_nonnegative(shape);
  if (numel_of(shape) > 0) {
    int64_t lo, hi;
    extent(shape, strides, lo, hi);
    int64_t isz = int64_t(tb::itemsize(dtype));
    if (offset + lo < 0 || (offset + hi + 1) * isz > int64_t(storage->nbytes()))
      throw RuntimeError("setStorage: sizes " + shape_str(shape) + ", strides " +
                         shape_str(strides) + ", storage offset " + std::to_string(offset) +
                         ", and itemsize " + std::to_string(isz) +
                         " requiring a storage size of " + std::to_string((offset + hi + 1) * isz) +
                         " are out of bounds for storage of size " +
                         std::to_string(storage->nbytes()));
  }
  impl_ = new_impl();
  impl_->storage = std::move(storage);
  impl_->offset = offset;
  impl_->shape = std::move(shape);
  impl_->strides = std::move(strides);
  impl_->dtype = dtype;
  impl_->inference = InferenceMode::is_enabled();
  if (version) {
    impl_->version = std::move(version);
  } else {
    VersionCounter* vc = &impl_->storage->initial_version();
    impl_->version = std::shared_ptr<VersionCounter>(impl_->storage, vc);  // aliases the storage
  }
}

int64_t Tensor::size(int64_t d) const { return impl_->shape[wrap_dim(d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return impl_->strides[wrap_dim(d, dim())]; }

void Tensor::set_requires_grad(bool r, const char* error) {
  if (r && !(is_floating_point(dtype()) || is_complex(dtype())))
    throw RuntimeError(error ? error
                             : "Only Tensors of floating point and complex dtype can require gradients");
  if (r && impl_->inference && !InferenceMode::is_enabled())
    throw RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
  impl_->requires_grad = r;
}

Tensor Tensor::as_strided(Shape shape, Strides strides, int64_t offset) const {
  Tensor v(impl_->storage, offset, std::move(shape), std::move(strides), impl_->dtype, impl_->version);
  v.impl_->inference = impl_->inference;  // a view is an inference tensor iff its data is
  return v;
}

Tensor Tensor::detach() const {
  auto impl = new_impl();  // same geometry: no bounds check needed
  impl->storage = impl_->storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  impl->strides = impl_->strides;
  impl->dtype = impl_->dtype;
  impl->version = impl_->version;
  impl->inference = impl_->inference;
  return Tensor(std::move(impl));
}

Tensor Tensor::data_alias() const {
  auto impl = std::make_shared<TensorImpl>(*impl_);
  impl->requires_grad = false;
  impl->autograd.reset();
  impl->view_base.reset();
  impl->pyobj = nullptr;
  impl->version = std::make_shared<VersionCounter>();
  return Tensor(std::move(impl));
}

void Tensor::check_writable(const char* op) const {
  if (impl_->inference && !InferenceMode::is_enabled())
    throw RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
                       "clone to get a normal tensor before doing inplace update.See "
                       "https://github.com/pytorch/rfcs/pull/17 for more details.");
  if (read_only())
    throw RuntimeError(std::string(op) +
                       ": the tensor is read-only (it shares memory with a read-only array); "
                       "use .clone() to get a writable copy");
}

uint32_t Tensor::user_version() const {
  if (impl_->inference) throw RuntimeError("Inference tensors do not track version counter.");
  return version();
}

void Tensor::check_no_internal_overlap() const {
  if (numel() == 0) return;
  for (size_t d = 0; d < impl_->shape.size(); ++d)
    if (impl_->strides[d] == 0 && impl_->shape[d] > 1)
      throw RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                         "to a single memory location. Please clone() the tensor before performing the "
                         "operation.");
}

Tensor empty(const Shape& shape, DType dtype, Device device) {
  check_sizes_nonnegative(shape);
  size_t nbytes = size_t(numel_of(shape)) * tb::itemsize(dtype);
  return Tensor(Storage::allocate(nbytes, device), 0, shape, contiguous_strides(shape), dtype);
}

void resize_(const Tensor& t, const Shape& shape) {
  check_sizes_nonnegative(shape);
  if (t.shape() == shape) return;
  TensorImpl* impl = t.impl();
  const size_t need = size_t(numel_of(shape)) * t.itemsize();
  const size_t have = t.storage()->nbytes() - size_t(t.offset()) * t.itemsize();
  if (need > have) {
    if (!t.storage()->owns_memory())
      throw RuntimeError("Trying to resize storage that is not resizable");
    impl->storage = Storage::allocate(need, t.device());
    impl->offset = 0;
  }
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
}

Tensor clone(const Tensor& t) {
  if (autograd::needs_grad(t)) return autograd::clone(t);
  Tensor out = empty(t.shape(), t.dtype(), t.device());
  copy_(out, t);
  return fresh(out);
}

Tensor to_dtype(const Tensor& t, DType dtype, bool copy) {
  if (dtype == t.dtype() && !copy) return t;
  if (autograd::needs_grad(t)) return autograd::to_dtype(t, dtype);
  Tensor out = empty(t.shape(), dtype, t.device());
  copy_(out, t);
  return fresh(out);
}

Tensor contiguous(const Tensor& t) { return t.is_contiguous() ? t : clone(t); }

Scalar scalar_at(const Tensor& t, int64_t flat_index) {
  int64_t off = 0;
  const Shape& sh = t.shape();
  for (size_t d = sh.size(); d-- > 0;) {
    off += (flat_index % sh[d]) * t.strides()[d];
    flat_index /= sh[d];
  }
  return dispatch_dtype(t.dtype(), [&]<typename T>() -> Scalar {
    T v = t.data<T>()[off];
    if constexpr (std::is_same_v<T, bool>) return Scalar(v);
    else if constexpr (is_complex_v<T>) return Scalar(std::complex<double>(v.real(), v.imag()));
    else if constexpr (std::is_floating_point_v<T>) return Scalar(double(v));
    else if constexpr (is_half_like_v<T>) return Scalar(double(float(v)));
    else if constexpr (std::is_unsigned_v<T>) return Scalar(uint64_t(v));
    else return Scalar(int64_t(v));
  });
}

Scalar item(const Tensor& t) {
  int64_t n = t.numel();
  if (n != 1)
    throw RuntimeError("a Tensor with " + std::to_string(n) +
                       " elements cannot be converted to Scalar");
  return scalar_at(t, 0);
}

}  // namespace tb
