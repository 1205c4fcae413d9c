// Copying shape operations (see shape.h). They are built from views plus copy_, which does the
// strided walk and dtype conversion.
#include "tensorbridge/ops/shape.h"

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops/view.h"

namespace tb {

namespace {
std::string s(int64_t v) { return std::to_string(v); }

// torch keeps accepting 1-D empty tensors in cat whatever the other shapes (legacy behaviour).
bool skipped_in_cat(const Tensor& t) { return t.dim() == 1 && t.shape()[0] == 0; }

SmallVector<bool, 6> dim_mask(const DimVector& dims, int64_t n) {
  SmallVector<bool, 6> seen(size_t(std::max<int64_t>(n, 1)), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, n);
    if (seen[size_t(w)]) throw RuntimeError("dim " + s(w) + " appears multiple times in the list of dims");
    seen[size_t(w)] = true;
  }
  return seen;
}
}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (autograd::needs_grad_list(tensors)) return autograd::cat(tensors, dim);
  if (tensors.empty()) throw ValueError("torch.cat(): expected a non-empty list of Tensors");
  DType dt = tensors[0].dtype();
  const Tensor* ref = nullptr;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 0)
      throw RuntimeError("zero-dimensional tensor (at position " + s(int64_t(i)) +
                         ") cannot be concatenated");
    dt = promote_types(dt, t.dtype());
    if (!ref && !skipped_in_cat(t)) ref = &t;
  }
  if (!ref) {  // only legacy empty tensors
    int64_t d = wrap_dim(dim, 1);
    (void)d;
    return empty({0}, dt, tensors[0].device());
  }
  int64_t n = ref->dim();
  int64_t d = wrap_dim(dim, n);
  Shape out_shape = ref->shape();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped_in_cat(t)) continue;
    if (t.dim() != n)
      throw RuntimeError("Tensors must have same number of dimensions: got " + s(n) + " and " +
                         s(t.dim()));
    for (int64_t k = 0; k < n; ++k)
      if (k != d && t.shape()[size_t(k)] != out_shape[size_t(k)])
        throw RuntimeError("Sizes of tensors must match except in dimension " + s(d) +
                           ". Expected size " + s(out_shape[size_t(k)]) + " but got size " +
                           s(t.shape()[size_t(k)]) + " for tensor number " + s(int64_t(i)) +
                           " in the list.");
    total += t.shape()[size_t(d)];
  }
  out_shape[size_t(d)] = total;
  Tensor out = empty(out_shape, dt, ref->device());
  int64_t pos = 0;
  for (const Tensor& t : tensors) {
    if (skipped_in_cat(t)) continue;
    int64_t len = t.shape()[size_t(d)];
    if (len > 0) copy_(slice(out, d, pos, len, 1), t);
    pos += len;
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  if (autograd::needs_grad_list(tensors)) return autograd::stack(tensors, dim);
  if (tensors.empty()) throw RuntimeError("stack expects a non-empty TensorList");
  for (size_t i = 1; i < tensors.size(); ++i)
    if (tensors[i].shape() != tensors[0].shape())
      throw RuntimeError("stack expects each tensor to be equal size, but got " +
                         shape_str(tensors[0].shape()) + " at entry 0 and " +
                         shape_str(tensors[i].shape()) + " at entry " + s(int64_t(i)));
  int64_t d = wrap_dim(dim, tensors[0].dim() + 1);
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (const Tensor& t : tensors) parts.push_back(unsqueeze(t, d));
  return cat(parts, d);
}

Tensor flip(const Tensor& t, const DimVector& dims) {
  if (autograd::needs_grad(t)) return autograd::flip(t, dims);
  SmallVector<bool, 6> m = dim_mask(dims, t.dim());
  Strides st = t.strides();
  int64_t off = t.offset();
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!m[size_t(d)] || t.shape()[size_t(d)] == 0) continue;
    off += (t.shape()[size_t(d)] - 1) * st[size_t(d)];
    st[size_t(d)] = -st[size_t(d)];
  }
  return clone(t.as_strided(t.shape(), st, off));
}

Tensor roll(const Tensor& t, const DimVector& shifts, const DimVector& dims) {
  if (autograd::needs_grad(t)) return autograd::roll(t, shifts, dims);
  if (dims.empty()) {
    if (shifts.size() != 1) throw RuntimeError("`shifts` required");
    Tensor flat = reshape(t, {t.numel()});
    Tensor r = roll(flat, shifts, DimVector{0});
    return r.as_strided(t.shape(), contiguous_strides(t.shape()), 0);
  }
  if (shifts.size() != dims.size())
    throw RuntimeError("shifts and dimensions must align. shifts: " + s(int64_t(shifts.size())) +
                       ", dims:" + s(int64_t(dims.size())));
  if (t.dim() == 0) throw IndexError("Dimension specified as 0 but tensor has no dimensions");
  Tensor cur = t;
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], t.dim());
    int64_t size = cur.shape()[size_t(d)];
    Tensor out = empty(cur.shape(), cur.dtype(), cur.device());
    if (size > 0 && out.numel() > 0) {
      int64_t sh = ((shifts[i] % size) + size) % size;
      // out[sh:] = cur[:size-sh]; out[:sh] = cur[size-sh:]
      if (size - sh > 0) copy_(slice(out, d, sh, size - sh, 1), slice(cur, d, 0, size - sh, 1));
      if (sh > 0) copy_(slice(out, d, 0, sh, 1), slice(cur, d, size - sh, sh, 1));
    }
    cur = out;
  }
  if (dims.empty() || cur.impl() == t.impl()) return clone(t);
  return cur;
}

// Note [repeat as a broadcast copy]: view x (padded to len(repeats) dims) as [r0, s0, r1, s1, ...]
// with stride 0 on each r_i, copy that into a contiguous tensor, and read it as [r0*s0, r1*s1, ...].
Tensor repeat(const Tensor& t, const Shape& repeats) {
  if (autograd::needs_grad(t)) return autograd::repeat(t, repeats);
  int64_t m = int64_t(repeats.size()), n = t.dim();
  if (m < n)
    throw RuntimeError(
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  Shape target(static_cast<size_t>(m)), view_shape;
  Strides view_strides;
  for (int64_t i = 0; i < m; ++i) {
    int64_t od = i - (m - n);
    int64_t sz = od < 0 ? 1 : t.shape()[size_t(od)];
    int64_t st = od < 0 ? 0 : t.strides()[size_t(od)];
    target[size_t(i)] = repeats[size_t(i)] * sz;
    view_shape.push_back(repeats[size_t(i)]);
    view_shape.push_back(sz);
    view_strides.push_back(0);
    view_strides.push_back(st);
  }
  check_sizes_nonnegative(target);
  Tensor out = empty(target, t.dtype(), t.device());
  if (out.numel() == 0) return out;
  Tensor src = t.as_strided(view_shape, view_strides, t.offset());
  copy_(out.as_strided(view_shape, contiguous_strides(view_shape), 0), src);
  return out;
}

Tensor tile(const Tensor& t, const Shape& reps) {
  Shape r = reps;
  while (int64_t(r.size()) < t.dim()) r.insert(r.begin(), 1);
  return repeat(t, r);
}

}  // namespace tb
