// copy_: strided element-wise copy with dtype conversion (the kernel behind clone, contiguous,
// to(dtype) and every copying constructor).
#include "tensorbridge/autograd/rules.h"
#include <cstring>

#include "tensorbridge/backend/cpu/strided_loop.h"
#include "tensorbridge/backend/cpu/transpose.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"
#include "tensorbridge/tensor.h"

namespace tb {

namespace {
// Strides of `src` broadcast to `shape` (0 where src has size 1 or lacks the dim).
Strides broadcast_strides(const Tensor& src, const Shape& shape) {
  Strides out(shape.size(), 0);
  size_t lead = shape.size() - src.shape().size();
  for (size_t i = 0; i < src.shape().size(); ++i)
    out[lead + i] = src.shape()[i] == 1 ? 0 : src.strides()[i];
  return out;
}
}  // namespace

void copy_(const Tensor& dst, const Tensor& src) {
  if (autograd::needs_grad(dst, src)) return autograd::copy_(dst, src);
  dst.check_writable("copy_");
  dst.check_no_internal_overlap();
  if (src.shape() != dst.shape()) {
    if (src.dim() > dst.dim() || broadcast_shapes(dst.shape(), src.shape()) != dst.shape())
      throw RuntimeError("output with shape " + shape_str(dst.shape()) +
                         " doesn't match the broadcast shape " +
                         shape_str(broadcast_shapes(dst.shape(), src.shape())));
  }
  dst.bump_version();
  if (dst.numel() == 0) return;
  Strides sst = broadcast_strides(src, dst.shape());
  if (src.dtype() == dst.dtype() && dst.is_contiguous() && src.shape() == dst.shape() &&
      src.is_contiguous()) {
    std::memmove(dst.data_ptr(), src.data_ptr(), size_t(dst.numel()) * dst.itemsize());
    return;
  }
  if (cpu::try_transpose_copy(dst, src)) return;  // x.t().contiguous() and friends
  dispatch_dtype(dst.dtype(), [&]<typename D>() {
    dispatch_dtype(src.dtype(), [&]<typename S>() {
      D* d = dst.data<D>();
      const S* s = src.data<S>();
      cpu::strided_loop<2>(dst.shape(), {&dst.strides(), &sst},
                           [&](const std::array<int64_t, 2>& b, int64_t n,
                               const std::array<int64_t, 2>& st) {
                             D* dp = d + b[0];
                             const S* sp = s + b[1];
                             if (st[0] == 1 && st[1] == 1) {
                               for (int64_t j = 0; j < n; ++j) dp[j] = convert<D>(sp[j]);
                             } else {
                               for (int64_t j = 0; j < n; ++j)
                                 dp[j * st[0]] = convert<D>(sp[j * st[1]]);
                             }
                           });
    });
  });
}

}  // namespace tb
