// Indexing operations (see index.h). The ops check arguments, compute element offsets and call
// the dtype-agnostic kernels in backend/cpu/index_kernels.
#include "tensorbridge/ops/index.h"

#include "tensorbridge/autograd/rules.h"
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "tensorbridge/backend/cpu/elementwise_functors.h"
#include "tensorbridge/backend/cpu/index_kernels.h"
#include "tensorbridge/backend/cpu/strided_loop.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops/creation.h"
#include "tensorbridge/ops/promotion.h"
#include "tensorbridge/ops/view.h"

namespace tb {

namespace {
std::string s(int64_t v) { return std::to_string(v); }

bool is_mask_dtype(DType dt) { return dt == DType::Bool || dt == DType::UInt8; }

// Reads element j of an int32/int64 tensor given its element offset.
inline int64_t read_index(const Tensor& idx, int64_t off) {
  return idx.dtype() == DType::Int64 ? idx.data<int64_t>()[off] : int64_t(idx.data<int32_t>()[off]);
}

// One index tensor per dim of t (undefined = whole dim), masks already turned into coordinates.
std::vector<Tensor> expand_masks(const Tensor& t, const std::vector<Tensor>& indices) {
  std::vector<Tensor> out;
  int64_t dim = 0;
  for (const Tensor& ix : indices) {
    if (!ix.defined()) {
      out.push_back(Tensor());
      ++dim;
      continue;
    }
    if (is_mask_dtype(ix.dtype())) {
      int64_t k = ix.dim();
      // dim by dim, as torch: a mismatch first, else a mask running past the last dim
      for (int64_t j = 0; j < k; ++j) {
        if (dim + j >= t.dim()) {
          wrap_dim(dim + j, t.dim());  // IndexError "Dimension out of range (...)"
          throw IndexError("too many indices for tensor of dimension " + s(t.dim()));  // (a 0-d t)
        }
        if (ix.shape()[size_t(j)] != t.shape()[size_t(dim + j)])
          throw IndexError("The shape of the mask " + shape_str(ix.shape()) + " at index " + s(j) +
                           " does not match the shape of the indexed tensor " +
                           shape_str(t.shape()) + " at index " + s(dim + j));
      }
      Tensor coords = nonzero(ix);  // [n, k]
      for (int64_t j = 0; j < k; ++j) out.push_back(select(coords, 1, j));
      dim += k;
      continue;
    }
    if (ix.dtype() != DType::Int64 && ix.dtype() != DType::Int32)
      throw IndexError("tensors used as indices must be long, int, byte or bool tensors");
    out.push_back(ix);
    ++dim;
  }
  if (dim > t.dim()) throw IndexError("too many indices for tensor of dimension " + s(t.dim()));
  while (int64_t(out.size()) < t.dim()) out.push_back(Tensor());
  return out;
}

struct IndexPlan {
  Shape out_shape;
  std::vector<int64_t> outer, mid, inner;
  bool inner_unit = false;
};

IndexPlan plan_index(const Tensor& t, const std::vector<Tensor>& raw) {
  std::vector<Tensor> idx = expand_masks(t, raw);
  int64_t nd = t.dim();
  int64_t first = -1, last = -1, count = 0;
  Shape bshape;
  std::string shapes;
  for (int64_t d = 0; d < nd; ++d) {
    const Tensor& ix = idx[size_t(d)];
    if (!ix.defined()) continue;
    if (first < 0) first = d;
    last = d;
    shapes += (count ? ", " : "") + shape_str(ix.shape());
    ++count;
  }
  for (int64_t d = 0; d < nd; ++d) {
    const Tensor& ix = idx[size_t(d)];
    if (!ix.defined()) continue;
    try {
      bshape = broadcast_shapes(bshape, ix.shape());
    } catch (const RuntimeError&) {
      throw IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes " +
                       shapes);
    }
  }
  IndexPlan p;
  int64_t nb = numel_of(bshape);
  p.mid.assign(size_t(nb), 0);
  for (int64_t d = 0; d < nd; ++d) {
    const Tensor& ix = idx[size_t(d)];
    if (!ix.defined()) continue;
    Tensor e = expand(ix, bshape);
    std::vector<int64_t> offs = cpu::element_offsets(e.shape(), e.strides());
    int64_t size = t.shape()[size_t(d)], stride = t.strides()[size_t(d)];
    for (int64_t b = 0; b < nb; ++b) {
      int64_t v = read_index(e, offs[size_t(b)]);
      if (v < -size || v >= size)
        throw IndexError(size == 0 ? std::string("index is out of bounds for dimension with size 0")
                                   : "index " + s(v) + " is out of bounds for dimension " + s(d) +
                                         " with size " + s(size));
      if (v < 0) v += size;
      p.mid[size_t(b)] += v * stride;
    }
  }
  bool adjacent = last - first + 1 == count;
  Shape pre_sh, post_sh;
  Strides pre_st, post_st;
  for (int64_t d = 0; d < nd; ++d) {
    if (idx[size_t(d)].defined()) continue;
    bool before = adjacent && d < first;
    (before ? pre_sh : post_sh).push_back(t.shape()[size_t(d)]);
    (before ? pre_st : post_st).push_back(t.strides()[size_t(d)]);
  }
  p.outer = cpu::element_offsets(pre_sh, pre_st);
  p.inner = cpu::element_offsets(post_sh, post_st);
  p.inner_unit = true;
  for (size_t i = 0; i < p.inner.size() && p.inner_unit; ++i) p.inner_unit = p.inner[i] == int64_t(i);
  p.out_shape = pre_sh;
  for (int64_t v : bshape) p.out_shape.push_back(v);
  for (int64_t v : post_sh) p.out_shape.push_back(v);
  return p;
}

cpu::ThreeLevel three_level(const IndexPlan& p) {
  return {p.outer.data(), int64_t(p.outer.size()), p.mid.data(), int64_t(p.mid.size()),
          p.inner.data(), int64_t(p.inner.size()), p.inner_unit};
}

// t[mask] where one contiguous bool mask covers the leading dims of a contiguous t.
bool try_mask_fast_path(const Tensor& t, const std::vector<Tensor>& indices, Tensor& out) {
  size_t n_defined = 0;
  for (const Tensor& ix : indices) n_defined += ix.defined();
  if (n_defined != 1 || indices.empty() || !indices[0].defined()) return false;
  const Tensor& m = indices[0];
  if (m.dtype() != DType::Bool || !m.is_contiguous() || !t.is_contiguous() || m.dim() > t.dim() ||
      m.dim() == 0)
    return false;
  for (int64_t j = 0; j < m.dim(); ++j)
    if (m.shape()[size_t(j)] != t.shape()[size_t(j)]) return false;
  int64_t n = m.numel();
  int64_t count = cpu::count_true(m.data<bool>(), n);
  Shape sh{count};
  for (int64_t d = m.dim(); d < t.dim(); ++d) sh.push_back(t.shape()[size_t(d)]);
  out = empty(sh, t.dtype(), t.device());
  int64_t block = n ? t.numel() / n : 0;
  if (count > 0 && block > 0)
    cpu::masked_select_blocks(out.data_ptr(), t.data_ptr(), m.data<bool>(), n, block, t.itemsize());
  return true;
}

// 0-d tensors are handled as 1-element 1-d tensors by gather/scatter.
Tensor as_1d_if_scalar(const Tensor& t) { return t.dim() == 0 ? t.as_strided({1}, {1}, t.offset()) : t; }
}  // namespace

Tensor index(const Tensor& t, const std::vector<Tensor>& indices) {
  if (autograd::needs_grad(t)) return autograd::index(t, indices);
  Tensor fast;
  if (try_mask_fast_path(t, indices, fast)) return fast;
  IndexPlan p = plan_index(t, indices);
  Tensor out = empty(p.out_shape, t.dtype(), t.device());
  if (out.numel() > 0) cpu::gather3(out.data_ptr(), t.data_ptr(), t.itemsize(), three_level(p));
  return out;
}

void index_put_(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                bool accumulate) {
  if (autograd::needs_grad(t, values)) return autograd::index_put_(t, indices, values, accumulate);
  t.check_writable("index_put_");
  if (values.dtype() != t.dtype())
    throw RuntimeError("Index put requires the source and destination dtypes match, got " +
                       std::string(dtype_legacy_name(t.dtype())) + " for the destination and " +
                       std::string(dtype_legacy_name(values.dtype())) + " for the source.");
  IndexPlan p = plan_index(t, indices);
  Tensor v = values;
  while (v.dim() > int64_t(p.out_shape.size()) && v.shape()[0] == 1) v = select(v, 0, 0);
  Tensor packed;
  try {
    if (v.dim() > int64_t(p.out_shape.size()) ||
        broadcast_shapes(p.out_shape, v.shape()) != p.out_shape)
      throw RuntimeError("");
    packed = contiguous(expand(v, p.out_shape));
  } catch (const RuntimeError&) {
    throw RuntimeError("shape mismatch: value tensor of shape " + shape_str(values.shape()) +
                       " cannot be broadcast to indexing result of shape " + shape_str(p.out_shape));
  }
  t.bump_version();
  if (packed.numel() == 0) return;
  if (accumulate) cpu::scatter3_add(t.data_ptr(), packed.data_ptr(), t.dtype(), three_level(p));
  else cpu::scatter3(t.data_ptr(), packed.data_ptr(), t.itemsize(), three_level(p));
}

Tensor index_put(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate) {
  if (autograd::needs_grad(t, values)) return autograd::index_put(t, indices, values, accumulate);
  Tensor out = clone(t);
  index_put_(out, indices, values, accumulate);
  return out;
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  if (autograd::needs_grad(t)) return autograd::index_select(t, dim, index);
  if (index.dim() > 1) throw IndexError("index_select(): Index is supposed to be a vector");
  if (index.dtype() != DType::Int64 && index.dtype() != DType::Int32)
    throw RuntimeError("index_select(): Expected dtype int32 or int64 for index");
  if (t.dim() == 0 && index.numel() != 1)
    throw RuntimeError("index_select(): Index to scalar can have only 1 value, got " +
                       s(index.numel()) + " value(s)");
  Tensor tt = as_1d_if_scalar(t);
  int64_t d = wrap_dim(dim, tt.dim());
  int64_t size = tt.shape()[size_t(d)];
  if (size == 0 && index.numel() > 0 && t.dim() > 1)
    throw RuntimeError("index_select(): self indexing axis dim should be positive");
  Tensor ix = index.dim() == 0 ? index.as_strided({1}, {1}, index.offset()) : index;
  std::vector<int64_t> offs = cpu::element_offsets(ix.shape(), ix.strides());
  for (int64_t o : offs) {
    int64_t v = read_index(ix, o);
    if (v < 0 || v >= size) {
      if (t.dim() == 2 && d == 1)  // torch's 2-D, dim=1 kernel reports this one differently
        throw RuntimeError("INDICES element is out of DATA bounds, id=" + s(v) + " axis_dim=" + s(size));
      throw IndexError("index out of range in self");
    }
  }
  std::vector<Tensor> list(static_cast<size_t>(d), Tensor());
  list.push_back(ix);
  Tensor out = tb::index(tt, list);
  return t.dim() == 0 ? out.as_strided({}, {}, 0) : out;
}

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  if (autograd::needs_grad(t)) return autograd::gather(t, dim, index);
  if (index.dtype() != DType::Int64) throw RuntimeError("gather(): Expected dtype int64 for index");
  Tensor tt = as_1d_if_scalar(t), ii = as_1d_if_scalar(index);
  int64_t d = wrap_dim(dim, tt.dim());
  if (tt.dim() != ii.dim())
    throw RuntimeError("Index tensor must have the same number of dimensions as input tensor");
  for (int64_t k = 0; k < tt.dim(); ++k)
    if (k != d && ii.shape()[size_t(k)] > tt.shape()[size_t(k)])
      throw RuntimeError("Size does not match at dimension " + s(k) + " expected index " +
                         shape_str(index.shape()) + " to be no larger than self " +
                         shape_str(t.shape()) + " apart from dimension " + s(d));
  Tensor out = empty(ii.shape(), t.dtype(), t.device());
  Strides src_st = tt.strides();
  int64_t size = tt.shape()[size_t(d)], dstride = src_st[size_t(d)];
  src_st[size_t(d)] = 0;
  Strides src_sub(ii.dim());
  for (int64_t k = 0; k < ii.dim(); ++k) src_sub[size_t(k)] = src_st[size_t(k)];
  const int64_t* ip = ii.data<int64_t>();
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    T* o = out.data<T>();
    const T* sp = tt.data<T>();
    cpu::strided_loop<3>(ii.shape(), {&out.strides(), &ii.strides(), &src_sub},
                         [&](const std::array<int64_t, 3>& b, int64_t n, const std::array<int64_t, 3>& st) {
                           for (int64_t j = 0; j < n; ++j) {
                             int64_t v = ip[b[1] + j * st[1]];
                             if (v < 0 || v >= size)
                               throw RuntimeError("index " + s(v) + " is out of bounds for dimension " +
                                                  s(d) + " with size " + s(size));
                             o[b[0] + j * st[0]] = sp[b[2] + j * st[2] + v * dstride];
                           }
                         });
  });
  return t.dim() == 0 ? out.as_strided(index.shape(), contiguous_strides(index.shape()), 0) : out;
}

namespace {
// torch's checks of the scatter family, in its order: index dtype, src dtype, shapes (skipped for
// an empty index; 0-d tensors count as 1-d, a src with fewer dims fails on its missing size),
// then the src rank. `d` is wrapped, `ii` the 1-d-ified index.
void scatter_checks(const Tensor& t, int64_t d, const Tensor& index, const Tensor& ii, const Tensor* src) {
  if (index.dtype() != DType::Int64 && index.dtype() != DType::Int32)
    throw RuntimeError("scatter(): Expected dtype int32/int64 for index");
  if (src && src->dtype() != t.dtype())
    throw RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype");
  const int64_t nd = std::max<int64_t>(t.dim(), 1);
  const int64_t src_nd = src ? std::max<int64_t>(src->dim(), 1) : 0;
  if (index.numel() > 0) {
    if (nd != ii.dim()) throw RuntimeError("Index tensor must have the same number of dimensions as self tensor");
    auto size_of = [](const Tensor& x, int64_t k) { return x.dim() == 0 ? int64_t(1) : x.shape()[size_t(k)]; };
    bool bad = false;
    for (int64_t k = 0; k < nd && !bad; ++k) bad = k != d && ii.shape()[size_t(k)] > size_of(t, k);
    for (int64_t k = 0; src && k < nd && !bad; ++k) {
      if (k >= src_nd)
        throw IndexError("Dimension out of range (expected to be in range of [" + s(-src_nd) + ", " +
                         s(src_nd - 1) + "], but got " + s(k) + ")");
      bad = ii.shape()[size_t(k)] > size_of(*src, k);
    }
    if (bad)
      throw RuntimeError("Expected index " + shape_str(index.shape()) + " to be no larger than self " +
                         shape_str(t.shape()) + " apart from dimension " + s(d) +
                         (src ? " and to be no larger size than src " + shape_str(src->shape()) : ""));
  }
  if (src && src_nd != ii.dim())
    throw RuntimeError("Index tensor must have the same number of dimensions as src tensor");
}

// Visits the index positions in row-major order: f(dst element, src offset), dst = tt's element
// that index points at (RuntimeError when out of bounds). src_st: src's strides (0: a number).
template <typename T, typename F>
void scatter_loop(const Tensor& tt, int64_t d, const Tensor& ii, const Strides& src_st, F f) {
  Strides dst_st = tt.strides();
  int64_t size = tt.shape()[size_t(d)], dstride = dst_st[size_t(d)];
  dst_st[size_t(d)] = 0;
  T* dp = tt.data<T>();
  cpu::strided_loop<3>(ii.shape(), {&dst_st, &ii.strides(), &src_st},
                       [&](const std::array<int64_t, 3>& b, int64_t n, const std::array<int64_t, 3>& st) {
                         for (int64_t j = 0; j < n; ++j) {
                           int64_t v = read_index(ii, b[1] + j * st[1]);
                           if (v < 0 || v >= size)
                             throw RuntimeError("index " + s(v) + " is out of bounds for dimension " +
                                                s(d) + " with size " + s(size));
                           f(dp[b[0] + j * st[0] + v * dstride], b[2] + j * st[2]);
                         }
                       });
}

Strides sub_strides(const Tensor& x, int64_t n) {  // x's first n strides (0-d: a 1-d view)
  Strides st(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) st[size_t(k)] = x.strides()[size_t(k)];
  return st;
}
// scatter_ (add: scatter_add_) with a src tensor.
void scatter_src(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, bool add) {
  t.check_writable(add ? "scatter_add_" : "scatter_");
  t.check_no_internal_overlap();
  Tensor tt = as_1d_if_scalar(t), ii = as_1d_if_scalar(index), ss = as_1d_if_scalar(src);
  int64_t d = wrap_dim(dim, tt.dim());
  scatter_checks(t, d, index, ii, &src);
  t.bump_version();
  const Strides src_st = sub_strides(ss, ii.dim());
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    const T* sp = ss.data<T>();
    if (add)
      scatter_loop<T>(tt, d, ii, src_st, [&](T& dst, int64_t off) {
        if constexpr (std::is_same_v<T, bool>) dst = dst || sp[off];
        else dst = T(dst + sp[off]);
      });
    else
      scatter_loop<T>(tt, d, ii, src_st, [&](T& dst, int64_t off) { dst = sp[off]; });
  });
}
}  // namespace

void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  if (autograd::needs_grad(t, src)) return autograd::scatter_(t, dim, index, src);
  scatter_src(t, dim, index, src, false);
}

void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  if (autograd::needs_grad(t, src)) return autograd::scatter_add_(t, dim, index, src);
  scatter_src(t, dim, index, src, true);
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  if (autograd::needs_grad(t, src)) return autograd::scatter(t, dim, index, src);
  Tensor out = clone(t);
  scatter_src(out, dim, index, src, false);
  return out;
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  if (autograd::needs_grad(t)) return autograd::scatter(t, dim, index, value);
  Tensor out = clone(t);
  scatter_(out, dim, index, value);
  return out;
}

Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  if (autograd::needs_grad(t, src)) return autograd::scatter_add(t, dim, index, src);
  Tensor out = clone(t);
  scatter_src(out, dim, index, src, true);
  return out;
}

void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  if (autograd::needs_grad(t)) return autograd::scatter_(t, dim, index, value);
  t.check_writable("scatter_");
  t.check_no_internal_overlap();
  Tensor tt = as_1d_if_scalar(t), ii = as_1d_if_scalar(index);
  int64_t d = wrap_dim(dim, tt.dim());
  scatter_checks(t, d, index, ii, nullptr);
  if (index.numel() > 0) check_number_fits(value, t.dtype());  // (in torch's kernel, which an empty index skips)
  t.bump_version();
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    const T v = value.to<T>();
    scatter_loop<T>(tt, d, ii, Strides(ii.dim(), 0), [&](T& dst, int64_t) { dst = v; });
  });
}

// ---- scatter reductions ----------------------------------------------------------------------
// Note [scatter reductions]
// torch 2.13 (CPU): sources are combined into self in index order (row-major over index);
// float16/bfloat16 accumulate in float32 and are rounded once at the end; include_self=false
// first sets the elements some index points at to the reduction's identity (0 + -0 is +0);
// 'mean' then divides every element by its count (sources, plus one for self; 0 counts as 1),
// integers with floor; amax/amin propagate NaN. Complex products and quotients use torch's
// formulas (Note [complex arithmetic]).
ScatterReduce scatter_reduce_kind(std::string_view name, bool legacy) {
  if (legacy) {
    if (name == "add") return ScatterReduce::Sum;
    if (name == "multiply") return ScatterReduce::Prod;
    throw RuntimeError("reduce argument must be either add or multiply.");
  }
  if (name == "sum") return ScatterReduce::Sum;
  if (name == "prod") return ScatterReduce::Prod;
  if (name == "mean") return ScatterReduce::Mean;
  if (name == "amax") return ScatterReduce::Amax;
  if (name == "amin") return ScatterReduce::Amin;
  throw RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got " + std::string(name));
}

namespace {
const char* reduce_label(ScatterReduce r) {
  switch (r) {
    case ScatterReduce::Sum: return "sum";
    case ScatterReduce::Prod: return "prod";
    case ScatterReduce::Mean: return "mean";
    case ScatterReduce::Amax: return "amax";
    case ScatterReduce::Amin: return "amin";
  }
  return "";
}

template <typename C>
C reduce_identity(ScatterReduce r) {
  if constexpr (is_complex_v<C>) {
    return C(r == ScatterReduce::Prod ? 1 : 0);
  } else {
    switch (r) {
      case ScatterReduce::Prod: return C(1);
      case ScatterReduce::Amax:
        return std::numeric_limits<C>::has_infinity ? -std::numeric_limits<C>::infinity() : std::numeric_limits<C>::lowest();
      case ScatterReduce::Amin:
        return std::numeric_limits<C>::has_infinity ? std::numeric_limits<C>::infinity() : std::numeric_limits<C>::max();
      default: return C(0);
    }
  }
}

template <typename C>
C reduce_step(ScatterReduce r, C a, C b) {
  using namespace cpu::fn;
  if constexpr (is_bool_v<C>) {
    return (r == ScatterReduce::Prod || r == ScatterReduce::Amin) ? (a && b) : (a || b);
  } else if constexpr (is_complex_v<C>) {
    return r == ScatterReduce::Prod ? cmul(a, b) : C(a.real() + b.real(), a.imag() + b.imag());
  } else {
    switch (r) {
      case ScatterReduce::Prod:
        if constexpr (is_int_v<C>) return wmul(a, b);
        else return C(a * b);
      case ScatterReduce::Amax:
        if constexpr (is_flt_v<C>) if (std::isnan(b)) return b;
        return a < b ? b : a;
      case ScatterReduce::Amin:
        if constexpr (is_flt_v<C>) if (std::isnan(b)) return b;
        return b < a ? b : a;
      default:
        if constexpr (is_int_v<C>) return wadd(a, b);
        else return C(a + b);
    }
  }
}

template <typename C>
C mean_of(C sum, int64_t count) {
  if constexpr (is_complex_v<C>) return cpu::fn::cdiv(sum, C(typename C::value_type(count)));
  else if constexpr (cpu::fn::is_int_v<C>) return cpu::fn::int_div_floor(sum, C(count));
  else if constexpr (cpu::fn::is_bool_v<C>) return sum;  // (refused before: no bool mean)
  else return sum / C(count);
}

// src: a tensor, or null for the number `value`.
void scatter_reduce_impl(const Tensor& t, int64_t dim, const Tensor& index, const Tensor* src,
                         const Scalar& value, ScatterReduce reduce, bool include_self) {
  t.check_writable(src ? "scatter_reduce_" : "scatter_");
  const Tensor ii = as_1d_if_scalar(index);
  const int64_t d = wrap_dim(dim, std::max<int64_t>(t.dim(), 1));
  scatter_checks(t, d, index, ii, src);
  const DType dt = t.dtype();
  if (!src && index.numel() > 0) check_number_fits(value, dt);
  auto not_for = [&](const std::string& kernel) {
    return NotImplementedError("\"" + kernel + "\" not implemented for '" + std::string(dtype_legacy_name(dt)) + "'");
  };
  // (torch runs no scatter kernel for an empty index, but mean still divides)
  if (index.numel() > 0 && ((reduce == ScatterReduce::Mean && dt == DType::Bool) ||
                            ((reduce == ScatterReduce::Amax || reduce == ScatterReduce::Amin) && is_complex(dt))))
    throw not_for(std::string("scatter_gather_tensor_cpu_reduce_") + reduce_label(reduce));
  if (reduce == ScatterReduce::Mean && dt == DType::Bool) throw not_for("div_floor_cpu");
  // a contiguous working copy in the accumulation dtype, written back at the end
  const DType acc = (dt == DType::Float16 || dt == DType::BFloat16) ? DType::Float32 : dt;
  const Tensor w0 = to_dtype(t, acc, /*copy=*/true);
  const Tensor w = as_1d_if_scalar(w0);
  Tensor sv = src ? as_1d_if_scalar(to_dtype(*src, acc)) : full({1}, value, acc);
  const Strides src_st = src ? sub_strides(sv, ii.dim()) : Strides(ii.dim(), 0);
  const int64_t n = w.numel();
  std::vector<int64_t> count(size_t(n), include_self ? 1 : 0);
  std::vector<bool> touched(size_t(n), include_self);
  dispatch_dtype(acc, [&]<typename C>() {
    if constexpr (!is_half_like_v<C>) {
      C* base = w.data<C>();
      const C* sp = sv.data<C>();
      const C identity = reduce_identity<C>(reduce);
      scatter_loop<C>(w, d, ii, src_st, [&](C& dst, int64_t off) {
        const size_t pos = size_t(&dst - base);
        if (!touched[pos]) {
          touched[pos] = true;
          dst = identity;
        }
        ++count[pos];
        dst = reduce_step(reduce, dst, sp[off]);
      });
      if (reduce == ScatterReduce::Mean)
        for (int64_t i = 0; i < n; ++i) base[i] = mean_of(base[i], std::max<int64_t>(count[size_t(i)], 1));
    }
  });
  copy_(t, w0);
}
}  // namespace

void scatter_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                     ScatterReduce reduce, bool include_self) {
  if (autograd::needs_grad(t, src)) return autograd::scatter_reduce_(t, dim, index, src, reduce, include_self);
  scatter_reduce_impl(t, dim, index, &src, Scalar(int64_t(0)), reduce, include_self);
}

void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, ScatterReduce reduce) {
  if (autograd::needs_grad(t, src))
    return autograd::scatter_legacy_reduce_(t, dim, index, &src, Scalar(int64_t(0)), reduce);
  scatter_reduce_impl(t, dim, index, &src, Scalar(int64_t(0)), reduce, true);
}

void scatter_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
                     ScatterReduce reduce) {
  if (autograd::needs_grad(t)) return autograd::scatter_legacy_reduce_(t, dim, index, nullptr, value, reduce);
  scatter_reduce_impl(t, dim, index, nullptr, value, reduce, true);
}

namespace {
// The C++ type names torch prints in masked_fill_'s dtype message.
const char* cpp_type_name(DType dt) {
  switch (dt) {
    case DType::UInt8: return "unsigned char";
    case DType::Int8: return "signed char";
    case DType::Int16: return "short int";
    case DType::Int32: return "int";
    case DType::Int64: return "long int";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    default: return dtype_name(dt).data();
  }
}
}  // namespace

void masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value) {
  if (autograd::needs_grad(t)) return autograd::masked_fill_(t, mask, value);
  if (mask.dtype() != DType::Bool)
    throw RuntimeError(std::string("masked_fill_ only supports boolean masks, but got mask with dtype ") +
                       cpp_type_name(mask.dtype()));
  t.check_writable("masked_fill_");
  Shape b = broadcast_shapes(t.shape(), mask.shape());
  if (b != t.shape())
    throw RuntimeError("output with shape " + shape_str(t.shape()) +
                       " doesn't match the broadcast shape " + shape_str(b));
  Tensor m = expand(mask, t.shape());
  t.bump_version();
  const bool* mp = m.data<bool>();
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    T v = value.to<T>();
    T* tp = t.data<T>();
    cpu::strided_loop<2>(t.shape(), {&t.strides(), &m.strides()},
                         [&](const std::array<int64_t, 2>& bs, int64_t n, const std::array<int64_t, 2>& st) {
                           for (int64_t j = 0; j < n; ++j)
                             if (mp[bs[1] + j * st[1]]) tp[bs[0] + j * st[0]] = v;
                         });
  });
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  if (autograd::needs_grad(t)) return autograd::masked_fill(t, mask, value);
  if (mask.dtype() != DType::Bool)
    throw RuntimeError(std::string("masked_fill_ only supports boolean masks, but got mask with dtype ") +
                       cpp_type_name(mask.dtype()));
  Shape b = broadcast_shapes(t.shape(), mask.shape());
  Tensor out = empty(b, t.dtype(), t.device());
  copy_(out, t);
  masked_fill_(out, mask, value);
  return out;
}

namespace {
Scalar fill_value(const Tensor& value) {
  if (value.dim() != 0)
    throw RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with " +
                       s(value.dim()) + " dimension(s).");
  return item(value);
}
}  // namespace

void masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value) {
  if (autograd::needs_grad(t, value)) return autograd::masked_fill_(t, mask, value);
  masked_fill_(t, mask, fill_value(value));
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  if (autograd::needs_grad(t, value)) return autograd::masked_fill(t, mask, value);
  return masked_fill(t, mask, fill_value(value));
}

Tensor nonzero(const Tensor& t) {
  GradModeGuard no_grad(false);  // not differentiable: record nothing on the way
  Tensor m = t.dtype() == DType::Bool && t.is_contiguous() ? t : contiguous(to_dtype(t, DType::Bool, true));
  int64_t count = cpu::count_true(m.data<bool>(), m.numel());
  Tensor out = empty({count, t.dim()}, DType::Int64, t.device());
  if (count > 0 && t.dim() > 0) cpu::nonzero_coords(out.data<int64_t>(), m.data<bool>(), t.shape());
  return out;
}

Tensor take(const Tensor& t, const Tensor& index) {
  if (autograd::needs_grad(t)) return autograd::take(t, index);
  if (index.dtype() != DType::Int64)
    throw RuntimeError("take(): Expected a long tensor for index, but got " +
                       std::string(dtype_legacy_name(index.dtype())));
  Tensor flat = contiguous(t);
  int64_t n = t.numel();
  Tensor out = empty(index.shape(), t.dtype(), t.device());
  std::vector<int64_t> offs = cpu::element_offsets(index.shape(), index.strides());
  std::vector<int64_t> src(offs.size());
  const int64_t* ip = index.data<int64_t>();
  for (size_t j = 0; j < offs.size(); ++j) {
    int64_t v = ip[offs[j]];
    if (v < -n || v >= n)
      throw IndexError("out of range: tried to access index " + s(v) + " on a tensor of " + s(n) +
                       " elements.");
    src[j] = v < 0 ? v + n : v;
  }
  int64_t zero = 0;
  cpu::ThreeLevel g{&zero, 1, src.data(), int64_t(src.size()), &zero, 1, true};
  if (!src.empty()) cpu::gather3(out.data_ptr(), flat.data_ptr(), t.itemsize(), g);
  return out;
}

}  // namespace tb
