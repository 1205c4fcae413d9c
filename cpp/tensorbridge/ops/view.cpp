// View operations (see view.h). Each one computes new (shape, strides, offset) and calls as_strided.
#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/ops/view.h"

#include <algorithm>
#include <string>

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/error.h"

namespace tb {

Tensor make_view(const Tensor& t, Shape shape, Strides strides, int64_t offset) {
  Tensor v = t.as_strided(std::move(shape), std::move(strides), offset);
  const auto& base = t.impl()->view_base;
  v.impl()->view_base = base ? base : t.impl_ptr();
  v.impl()->differentiable_view = GradMode::is_enabled();
  return v;
}

namespace {
std::string s(int64_t v) { return std::to_string(v); }
}  // namespace

Shape infer_size(const Shape& shape, int64_t numel) {
  Shape out = shape;
  int64_t known = 1;
  int64_t infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) throw RuntimeError("only one dimension can be inferred");
      infer = int64_t(i);
    } else if (shape[i] < 0) {
      throw RuntimeError("invalid shape dimension " + s(shape[i]) + " at index " + s(int64_t(i)) +
                         " of shape " + shape_str(shape));
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    // torch: a -1 next to a zero-size dim cannot be resolved.
    if (known == 0)
      throw RuntimeError("cannot reshape tensor of " + s(numel) +
                         " elements into shape " + shape_str(shape) +
                         " because the unspecified dimension size -1 can be any value and is ambiguous");
    if (numel % known == 0) {
      out[size_t(infer)] = numel / known;
      return out;
    }
  } else if (known == numel) {
    return out;
  }
  throw RuntimeError("shape '" + shape_str(shape) + "' is invalid for input of size " + s(numel));
}

// Note [view strides]: walk the old dims from the back, grouping runs that are contiguous with each
// other ("chunks"); each chunk must be covered exactly by a run of new dims, which then get strides
// that are multiples of the chunk's innermost stride.
bool compute_view_strides(const Shape& old_shape, const Strides& old_strides, const Shape& new_shape,
                          Strides& out) {
  out = Strides(new_shape.size(), 0);
  int64_t numel = numel_of(old_shape);
  if (numel == 0) {
    if (old_shape == new_shape) {
      out = old_strides;
    } else {
      out = contiguous_strides(new_shape);
    }
    return true;
  }
  if (old_shape.empty()) {  // 0-d: every new dim is 1
    out = contiguous_strides(new_shape);
    return true;
  }
  int64_t view_d = int64_t(new_shape.size()) - 1;
  int64_t chunk_base = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t td = int64_t(old_shape.size()) - 1; td >= 0; --td) {
    tensor_numel *= old_shape[size_t(td)];
    if (td == 0 || (old_shape[size_t(td - 1)] != 1 &&
                    old_strides[size_t(td - 1)] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[size_t(view_d)] == 1)) {
        out[size_t(view_d)] = view_numel * chunk_base;
        view_numel *= new_shape[size_t(view_d)];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (td > 0) {
        chunk_base = old_strides[size_t(td - 1)];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

Tensor view(const Tensor& t, const Shape& shape) {
  if (autograd::needs_grad(t)) return autograd::view(t, shape);
  Shape ns = infer_size(shape, t.numel());
  Strides st;
  if (!compute_view_strides(t.shape(), t.strides(), ns, st))
    throw RuntimeError(
        "view size is not compatible with input tensor's size and stride (at least one dimension "
        "spans across two contiguous subspaces). Use .reshape(...) instead.");
  return make_view(t, ns, st, t.offset());
}

Tensor alias(const Tensor& t) {
  if (autograd::needs_grad(t)) return autograd::alias(t);
  return make_view(t, t.shape(), t.strides(), t.offset());
}

Tensor view(const Tensor& t, DType dtype) {
  const int64_t from = int64_t(t.itemsize()), to = int64_t(itemsize(dtype));
  Shape shape = t.shape();
  Strides strides = t.strides();
  int64_t offset = t.offset();
  if (from != to) {
    const std::string what = " to view " + std::string(dtype_legacy_name(t.dtype())) + " as " +
                             std::string(dtype_legacy_name(dtype)) + " (different element sizes)";
    if (t.dim() == 0) throw RuntimeError("self.dim() cannot be 0" + what);
    const size_t last = shape.size() - 1;
    auto check_unit_stride = [&] {
      if (strides[last] != 1) throw RuntimeError("self.stride(-1) must be 1" + what + ", but got " + s(strides[last]));
    };
    if (from > to) {  // each element becomes `ratio` elements along the last dim
      const int64_t ratio = from / to;
      check_unit_stride();
      for (size_t d = 0; d < last; ++d) strides[d] *= ratio;
      shape[last] *= ratio;
      offset *= ratio;
    } else {  // `ratio` neighbours along the last dim become one element
      const int64_t ratio = to / from;
      const std::string by = " must be divisible by " + s(ratio) + what + ", but got ";
      if (shape[last] % ratio != 0) throw RuntimeError("self.size(-1)" + by + s(shape[last]));
      if (offset % ratio != 0) throw RuntimeError("self.storage_offset()" + by + s(offset));
      check_unit_stride();
      for (size_t d = 0; d < last; ++d)
        if (strides[d] % ratio != 0) throw RuntimeError("self.stride(" + s(int64_t(d)) + ")" + by + s(strides[d]));
      for (size_t d = 0; d < last; ++d) strides[d] /= ratio;
      shape[last] /= ratio;
      offset /= ratio;
    }
  }
  Tensor v(t.storage(), offset, std::move(shape), std::move(strides), dtype, t.version_counter());
  v.impl()->inference = t.is_inference();  // the same data: an inference tensor stays one
  return v;
}

Tensor reshape(const Tensor& t, const Shape& shape) {
  if (autograd::needs_grad(t)) return autograd::reshape(t, shape);
  Shape ns = infer_size(shape, t.numel());
  Strides st;
  if (compute_view_strides(t.shape(), t.strides(), ns, st)) return make_view(t, ns, st, t.offset());
  Tensor c = clone(t);
  return c.as_strided(ns, contiguous_strides(ns), 0);
}

Tensor permute(const Tensor& t, const DimVector& dims) {
  if (autograd::needs_grad(t)) return autograd::permute(t, dims);
  int64_t n = t.dim();
  if (int64_t(dims.size()) != n)
    throw RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match "
                       "the length of the desired ordering of dimensions i.e. input.dim() = " +
                       s(n) + " is not equal to len(dims) = " + s(int64_t(dims.size())));
  Shape sh(static_cast<size_t>(n));
  Strides st(static_cast<size_t>(n));
  SmallVector<bool, 6> seen(size_t(n), false);
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = wrap_dim(dims[size_t(i)], n);
    if (seen[size_t(d)]) throw RuntimeError("permute(): duplicate dims are not allowed.");
    seen[size_t(d)] = true;
    sh[size_t(i)] = t.shape()[size_t(d)];
    st[size_t(i)] = t.strides()[size_t(d)];
  }
  return make_view(t, sh, st, t.offset());
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  if (autograd::needs_grad(t)) return autograd::transpose(t, dim0, dim1);
  int64_t n = t.dim();
  int64_t a = wrap_dim(dim0, n), b = wrap_dim(dim1, n);
  Shape sh = t.shape();
  Strides st = t.strides();
  if (n > 0) {
    std::swap(sh[size_t(a)], sh[size_t(b)]);
    std::swap(st[size_t(a)], st[size_t(b)]);
  }
  return make_view(t, sh, st, t.offset());
}

Tensor t(const Tensor& x) {
  if (autograd::needs_grad(x)) return autograd::t(x);
  if (x.dim() > 2)
    throw RuntimeError("t() expects a tensor with <= 2 dimensions, but self is " + s(x.dim()) + "D");
  return x.dim() < 2 ? make_view(x, x.shape(), x.strides(), x.offset()) : transpose(x, 0, 1);
}

Tensor reverse_dims(const Tensor& x) {
  if (autograd::needs_grad(x)) return autograd::reverse_dims(x);
  Shape sh;
  Strides st;
  for (int64_t d = x.dim() - 1; d >= 0; --d) {
    sh.push_back(x.shape()[size_t(d)]);
    st.push_back(x.strides()[size_t(d)]);
  }
  return make_view(x, sh, st, x.offset());
}

Tensor mT(const Tensor& x) {
  if (x.dim() == 0) return x;  // torch: the identity, self itself (deprecated)
  if (autograd::needs_grad(x)) return autograd::mT(x);
  if (x.dim() < 2)
    throw RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got " +
                       s(x.dim()) + "-D tensor.");
  return transpose(x, -2, -1);
}

Tensor squeeze(const Tensor& t) {
  if (autograd::needs_grad(t)) return autograd::squeeze(t);
  Shape sh;
  Strides st;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.shape()[size_t(d)] != 1) {
      sh.push_back(t.shape()[size_t(d)]);
      st.push_back(t.strides()[size_t(d)]);
    }
  return make_view(t, sh, st, t.offset());
}

Tensor squeeze(const Tensor& t, int64_t dim) {
  if (autograd::needs_grad(t)) return autograd::squeeze(t, dim);
  return squeeze(t, DimVector{dim});
}

Tensor squeeze(const Tensor& t, const DimVector& dims) {
  if (autograd::needs_grad(t)) return autograd::squeeze(t, dims);
  int64_t n = t.dim();
  SmallVector<bool, 6> drop(size_t(std::max<int64_t>(n, 1)), false);
  SmallVector<bool, 6> seen(size_t(std::max<int64_t>(n, 1)), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, n);
    if (seen[size_t(w)]) throw RuntimeError("dim " + s(w) + " appears multiple times in the list of dims");
    seen[size_t(w)] = true;
    if (n > 0 && t.shape()[size_t(w)] == 1) drop[size_t(w)] = true;
  }
  Shape sh;
  Strides st;
  for (int64_t d = 0; d < n; ++d)
    if (!drop[size_t(d)]) {
      sh.push_back(t.shape()[size_t(d)]);
      st.push_back(t.strides()[size_t(d)]);
    }
  return make_view(t, sh, st, t.offset());
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  if (autograd::needs_grad(t)) return autograd::unsqueeze(t, dim);
  int64_t n = t.dim();
  int64_t d = wrap_dim(dim, n + 1);
  Shape sh = t.shape();
  Strides st = t.strides();
  // The new dim's stride is what a contiguous tensor would have there.
  int64_t stride = d < n ? sh[size_t(d)] * st[size_t(d)] : 1;
  sh.insert(sh.begin() + d, 1);
  st.insert(st.begin() + d, stride);
  return make_view(t, sh, st, t.offset());
}

Tensor expand(const Tensor& t, const Shape& sizes) {
  if (autograd::needs_grad(t)) return autograd::expand(t, sizes);
  int64_t n = t.dim(), m = int64_t(sizes.size());
  if (m < n)
    throw RuntimeError("expand(torch." + std::string(dtype_legacy_name(t.dtype())) + "Tensor{" +
                       shape_str(t.shape()) + "}, size=" + shape_str(sizes) +
                       "): the number of sizes provided (" + s(m) +
                       ") must be greater or equal to the number of dimensions in the tensor (" +
                       s(n) + ")");
  Shape sh(static_cast<size_t>(m));
  Strides st(static_cast<size_t>(m));
  for (int64_t i = m - 1; i >= 0; --i) {
    int64_t od = i - (m - n);
    int64_t want = sizes[size_t(i)];
    if (od < 0) {
      if (want < 0)
        throw RuntimeError("The expanded size of the tensor (" + s(want) +
                           ") isn't allowed in a leading, non-existing dimension " + s(i));
      sh[size_t(i)] = want;
      st[size_t(i)] = 0;
      continue;
    }
    int64_t have = t.shape()[size_t(od)];
    if (want == -1) want = have;
    if (have == want) {
      sh[size_t(i)] = have;
      st[size_t(i)] = t.strides()[size_t(od)];
    } else if (have == 1 && want >= 0) {
      sh[size_t(i)] = want;
      st[size_t(i)] = 0;
    } else {
      throw RuntimeError("The expanded size of the tensor (" + s(want) +
                         ") must match the existing size (" + s(have) +
                         ") at non-singleton dimension " + s(i) + ".  Target sizes: " +
                         shape_str(sizes) + ".  Tensor sizes: " + shape_str(t.shape()));
    }
  }
  return make_view(t, sh, st, t.offset());
}

Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) {
  int64_t n = t.dim();
  int64_t a = wrap_dim(start_dim, n), b = wrap_dim(end_dim, n);
  if (a > b) throw RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (n == 0) return reshape(t, {1});
  if (a == b) return t;  // torch returns self itself
  Shape sh;
  for (int64_t d = 0; d < a; ++d) sh.push_back(t.shape()[size_t(d)]);
  int64_t prod = 1;
  for (int64_t d = a; d <= b; ++d) prod *= t.shape()[size_t(d)];
  sh.push_back(prod);
  for (int64_t d = b + 1; d < n; ++d) sh.push_back(t.shape()[size_t(d)]);
  return reshape(t, sh);
}

Tensor unflatten(const Tensor& t, int64_t dim, const Shape& sizes) {
  int64_t d = wrap_dim(dim, t.dim());
  if (sizes.empty()) throw RuntimeError("unflatten: sizes must be non-empty");
  int64_t have = t.dim() ? t.shape()[size_t(d)] : 1;
  Shape resolved;
  try {
    resolved = infer_size(sizes, have);
  } catch (const RuntimeError&) {
    throw RuntimeError("unflatten: Provided sizes " + shape_str(sizes) +
                       " don't multiply up to the size of dim " + s(dim) + " (" + s(have) +
                       ") in the input tensor");
  }
  Shape sh;
  for (int64_t i = 0; i < t.dim(); ++i) {
    if (i == d) {
      for (int64_t v : resolved) sh.push_back(v);
    } else {
      sh.push_back(t.shape()[size_t(i)]);
    }
  }
  return view(t, sh);  // splitting one dim never needs a copy (torch: a view, ViewBackward0)
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  if (autograd::needs_grad(t)) return autograd::narrow(t, dim, start, length);
  if (t.dim() == 0) throw RuntimeError("narrow() cannot be applied to a 0-dim tensor.");
  if (length < 0) throw RuntimeError("narrow(): length must be non-negative.");
  int64_t d = wrap_dim(dim, t.dim());
  int64_t size = t.shape()[size_t(d)];
  if (start < -size || start > size)
    throw IndexError("start out of range (expected to be in range of [" + s(-size) + ", " + s(size) +
                     "], but got " + s(start) + ")");
  if (start < 0) start += size;
  if (start + length > size)
    throw RuntimeError("start (" + s(start) + ") + length (" + s(length) +
                       ") exceeds dimension size (" + s(size) + ").");
  return slice(t, d, start, length, 1);
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  if (autograd::needs_grad(t)) return autograd::select(t, dim, index);
  if (t.dim() == 0) throw IndexError("select() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, t.dim());
  int64_t size = t.shape()[size_t(d)];
  if (index < -size || index >= size)
    throw IndexError("select(): index " + s(index) + " out of range for tensor of size " +
                     shape_str(t.shape()) + " at dimension " + s(dim));
  if (index < 0) index += size;
  Shape sh = t.shape();
  Strides st = t.strides();
  int64_t off = t.offset() + index * st[size_t(d)];
  sh.erase(sh.begin() + d);
  st.erase(st.begin() + d);
  return make_view(t, sh, st, off);
}

Tensor slice(const Tensor& t, int64_t dim, int64_t start, int64_t length, int64_t step) {
  if (autograd::needs_grad(t)) return autograd::slice(t, dim, start, length, step);
  int64_t d = wrap_dim(dim, t.dim());
  Shape sh = t.shape();
  Strides st = t.strides();
  // (an empty slice keeps its start in the offset, as torch: t[3:] of 3 elements has offset 3)
  int64_t off = t.offset() + (length > 0 || step > 0 ? start * st[size_t(d)] : 0);
  sh[size_t(d)] = length;
  st[size_t(d)] *= step;
  return make_view(t, sh, st, off);
}

std::vector<Tensor> unbind(const Tensor& t, int64_t dim) {
  if (autograd::needs_grad(t)) return autograd::unbind(t, dim);
  if (t.dim() == 0) throw IndexError("Dimension specified as 0 but tensor has no dimensions");
  int64_t d = wrap_dim(dim, t.dim());
  std::vector<Tensor> out;
  for (int64_t i = 0; i < t.shape()[size_t(d)]; ++i) out.push_back(select(t, d, i));
  return out;
}

std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim) {
  if (autograd::needs_grad(t)) return autograd::split(t, split_size, dim);
  if (t.dim() == 0) throw RuntimeError("split expects at least a 1-dimensional tensor");
  if (split_size < 0)
    throw RuntimeError("split expects split_size be non-negative, but got split_size=" +
                       s(split_size));
  int64_t d = wrap_dim(dim, t.dim());
  int64_t size = t.shape()[size_t(d)];
  if (split_size == 0 && size != 0)
    throw RuntimeError("split_size can only be 0 if dimension size is 0, but got dimension size of " +
                       s(size));
  std::vector<Tensor> out;
  if (size == 0) {
    out.push_back(slice(t, d, 0, 0, 1));
    return out;
  }
  for (int64_t i = 0; i < size; i += split_size)
    out.push_back(slice(t, d, i, std::min(split_size, size - i), 1));
  return out;
}

std::vector<Tensor> split_with_sizes(const Tensor& t, const Shape& sizes, int64_t dim) {
  if (autograd::needs_grad(t)) return autograd::split_with_sizes(t, sizes, dim);
  if (t.dim() == 0) throw RuntimeError("split expects at least a 1-dimensional tensor");
  int64_t d = wrap_dim(dim, t.dim());
  int64_t size = t.shape()[size_t(d)], sum = 0;
  for (int64_t v : sizes) {
    if (v < 0)
      throw RuntimeError("split_with_sizes expects split_sizes have only non-negative entries, but got "
                         "split_sizes=" + shape_str(sizes));
    sum += v;
  }
  if (sum != size)
    throw RuntimeError("split_with_sizes expects split_sizes to sum exactly to " + s(size) +
                       " (input tensor's size at dimension " + s(dim) + "), but got split_sizes=" +
                       shape_str(sizes));
  std::vector<Tensor> out;
  int64_t pos = 0;
  for (int64_t v : sizes) {
    out.push_back(slice(t, d, pos, v, 1));
    pos += v;
  }
  return out;
}

std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim) {
  if (autograd::needs_grad(t)) return autograd::chunk(t, chunks, dim);
  if (t.dim() == 0) throw RuntimeError("chunk expects at least a 1-dimensional tensor");
  if (chunks <= 0)
    throw RuntimeError("chunk expects `chunks` to be greater than 0, got: " + s(chunks));
  int64_t d = wrap_dim(dim, t.dim());
  int64_t size = t.shape()[size_t(d)];
  int64_t each = (size + chunks - 1) / chunks;
  if (each == 0 && size == 0) {
    // torch: chunks of an empty dim are `chunks` empty tensors.
    std::vector<Tensor> out;
    for (int64_t i = 0; i < chunks; ++i) out.push_back(slice(t, d, 0, 0, 1));
    return out;
  }
  return split(t, each, d);
}

}  // namespace tb
