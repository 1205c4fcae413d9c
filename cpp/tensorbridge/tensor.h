// Tensor: a view over a Storage — offset, shape, signed strides (in elements), dtype — plus the
// version counter shared by views of the same data and the autograd flags.
// Tensor is a cheap handle (shared ownership of a TensorImpl); copying it aliases, not copies.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "tensorbridge/device.h"
#include "tensorbridge/dtype.h"
#include "tensorbridge/scalar.h"
#include "tensorbridge/shape.h"
#include "tensorbridge/storage.h"

namespace tb {

struct AutogradMeta;  // defined by autograd/ (grad, grad_fn, hooks); null for most tensors

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements; element [i0..ik] is at offset + sum(i_d * strides[d])
  Shape shape;
  Strides strides;  // signed, in elements; 0 for broadcast dims
  DType dtype = DType::Float32;
  bool requires_grad = false;
  std::shared_ptr<VersionCounter> version;
  std::shared_ptr<AutogradMeta> autograd;  // set by autograd/ only
  // For views made by the view ops (ops/view.cpp): the tensor whose data they view (never itself a
  // view). Autograd uses it to route in-place writes through a view to the base (CopySlices).
  std::shared_ptr<TensorImpl> view_base;
  // A view made with grad mode on (or recorded by autograd): it requires grad whenever its base
  // does, also when the base gets a history only later (torch's differentiable views).
  bool differentiable_view = false;
  // Created in inference mode (torch's inference tensors): no version counter for users, no
  // in-place writes or requires_grad=True outside inference mode, never saved for backward. Views
  // and detach() inherit it from the data they alias.
  bool inference = false;
  void* pyobj = nullptr;  // the Python wrapper currently representing this impl (bindings only)
};

class Tensor {
 public:
  Tensor() = default;
  // A view over `storage`; checks that every addressed byte lies inside the storage.
  // `version` is shared with other views of the same data; null means the storage's initial
  // counter (a fresh storage gives a fresh counter without another allocation).
  Tensor(std::shared_ptr<Storage> storage, int64_t offset, Shape shape, Strides strides, DType dtype,
         std::shared_ptr<VersionCounter> version = nullptr);
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  const Shape& shape() const { return impl_->shape; }
  const Strides& strides() const { return impl_->strides; }
  int64_t dim() const { return int64_t(impl_->shape.size()); }
  int64_t numel() const { return numel_of(impl_->shape); }
  int64_t size(int64_t d) const;    // wraps negative d
  int64_t stride(int64_t d) const;  // wraps negative d
  DType dtype() const { return impl_->dtype; }
  size_t itemsize() const { return tb::itemsize(impl_->dtype); }
  Device device() const { return impl_->storage->device(); }
  int64_t offset() const { return impl_->offset; }
  const std::shared_ptr<Storage>& storage() const { return impl_->storage; }
  bool is_contiguous() const { return tb::is_contiguous(impl_->shape, impl_->strides); }
  bool read_only() const { return impl_->storage->read_only(); }

  // Address of element [0, ..., 0].
  void* data_ptr() const {
    return static_cast<char*>(impl_->storage->data()) + impl_->offset * int64_t(itemsize());
  }
  template <typename T>
  T* data() const { return static_cast<T*>(data_ptr()); }

  uint32_t version() const { return impl_->version->value.load(std::memory_order_relaxed); }
  void bump_version() const { impl_->version->value.fetch_add(1, std::memory_order_relaxed); }
  const std::shared_ptr<VersionCounter>& version_counter() const { return impl_->version; }

  bool requires_grad() const {
    return impl_->requires_grad || (impl_->differentiable_view && impl_->view_base->requires_grad);
  }
  // torch: only floating point and complex tensors can require gradients. torch words the error
  // differently per entry point; the default is the factories' (`requires_grad=True`) text.
  void set_requires_grad(bool r, const char* error = nullptr);

  // A new view of the same data with other geometry; shares the version counter. A raw view for
  // internal use: it is not marked as a view of this tensor (see make_view in ops/view.h).
  Tensor as_strided(Shape shape, Strides strides, int64_t offset) const;
  // The tensor this one is a view of (null unless made by a view op).
  Tensor view_base() const { return Tensor(impl_->view_base); }
  bool is_view() const { return impl_->view_base != nullptr; }
  // detach(): same data and geometry, shares the version counter, requires_grad = false.
  Tensor detach() const;
  // .data: same data and geometry, a fresh version counter, requires_grad = false.
  Tensor data_alias() const;

  // Throws RuntimeError naming the remedy if the data may not be written: read-only storage, or an
  // inference tensor outside inference mode (torch's text). Every in-place write calls it first.
  void check_writable(const char* op) const;
  bool is_inference() const { return impl_->inference; }
  // torch's `_version`: the version, or RuntimeError for an inference tensor.
  uint32_t user_version() const;
  // Throws torch's RuntimeError if several elements share one memory location (a broadcast,
  // stride-0 dim): element-wise in-place writes into such a tensor would be ill-defined.
  void check_no_internal_overlap() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// An out-of-place result that was filled with in-place kernels (copy_, fill_, samplers): its
// version restarts at 0, since torch counts only the in-place writes a user could see.
inline Tensor fresh(Tensor t) {
  t.version_counter()->value.store(0, std::memory_order_relaxed);
  return t;
}
// Fresh contiguous tensor with uninitialised data.
Tensor empty(const Shape& shape, DType dtype = kDefaultFloat, Device device = kCPU);
// torch's resize_ (as used for out= arguments): t takes `shape` with contiguous strides, in place
// when its storage is large enough past the offset, else over new memory (old values are not
// kept). Borrowed memory cannot grow: RuntimeError as torch's non-resizable storage.
void resize_(const Tensor& t, const Shape& shape);
// Element-wise copy with dtype conversion; shapes must be broadcastable to dst's. Bumps dst's version.
void copy_(const Tensor& dst, const Tensor& src);
// New contiguous tensor with the same values (and dtype unless given).
Tensor clone(const Tensor& t);
Tensor to_dtype(const Tensor& t, DType dtype, bool copy = false);
// t itself when already contiguous, else a contiguous copy.
Tensor contiguous(const Tensor& t);
// The only element of a one-element tensor; RuntimeError like torch otherwise.
Scalar item(const Tensor& t);
// Value of the element at the given flat (row-major) index, as a Scalar.
Scalar scalar_at(const Tensor& t, int64_t flat_index);

}  // namespace tb
