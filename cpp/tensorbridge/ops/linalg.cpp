// Matrix products (see linalg.h). Everything funnels into batched_matmul on [B, n, m] @ [B, m, p]
// views with arbitrary batch strides (0 for broadcast batches, so nothing is materialised).
#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/ops/linalg.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "tensorbridge/backend/cpu/blas.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops/creation.h"
#include "tensorbridge/ops/view.h"

namespace tb {

namespace {
std::string s(int64_t v) { return std::to_string(v); }

// The C++ type names torch prints in its matmul dtype messages.
std::string cpp_name(DType dt) {
  switch (dt) {
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    case DType::Float16: return "c10::Half";
    case DType::BFloat16: return "c10::BFloat16";
    case DType::Complex64: return "c10::complex<float>";
    case DType::Complex128: return "c10::complex<double>";
    case DType::Int64: return "long int";
    case DType::Int32: return "int";
    case DType::Int16: return "short int";
    case DType::Int8: return "signed char";
    case DType::UInt8: return "unsigned char";
    case DType::Bool: return "bool";
    default: return std::string(dtype_name(dt));
  }
}

void check_supported(DType dt, const char* op) {
  if (dt == DType::Bool || dt == DType::UInt16 || dt == DType::UInt32 || dt == DType::UInt64)
    throw NotImplementedError(std::string("\"") + op + "\" not implemented for '" +
                              std::string(dtype_legacy_name(dt)) + "'");
}

void check_same_dtype(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    throw RuntimeError("expected m1 and m2 to have the same dtype, but got: " + cpp_name(a.dtype()) +
                       " != " + cpp_name(b.dtype()));
}

// A matrix view usable by BLAS: unit stride along one dim (trans says which), ld the other stride.
bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool& trans, int64_t& ld) {
  if (cols == 1) cs = 1;
  if (rows == 1) rs = std::max<int64_t>(cols, 1);
  if (cs == 1 && rs >= std::max<int64_t>(cols, 1)) {
    trans = false;
    ld = rs;
    return true;
  }
  if (rs == 1 && cs >= std::max<int64_t>(rows, 1)) {
    trans = true;
    ld = cs;
    return true;
  }
  return false;
}

template <typename T>
void blas_batched(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t B = a.shape()[0], n = a.shape()[1], m = a.shape()[2], p = b.shape()[2];
  bool ta, tb_;
  int64_t lda, ldb;
  Tensor aa = a, bb = b;
  if (!blas_layout(n, m, a.strides()[1], a.strides()[2], ta, lda)) {
    aa = contiguous(a);
    blas_layout(n, m, aa.strides()[1], aa.strides()[2], ta, lda);
  }
  if (!blas_layout(m, p, b.strides()[1], b.strides()[2], tb_, ldb)) {
    bb = contiguous(b);
    blas_layout(m, p, bb.strides()[1], bb.strides()[2], tb_, ldb);
  }
  const T* ap = aa.data<T>();
  const T* bp = bb.data<T>();
  T* op = out.data<T>();
  for (int64_t i = 0; i < B; ++i)
    cpu::gemm<T>(ta, tb_, n, p, m, T(1), ap + i * aa.strides()[0], lda, bp + i * bb.strides()[0], ldb,
                 T(0), op + i * n * p, p);
}

// Integer product: accumulate in 64-bit unsigned arithmetic, which wraps exactly like the
// element type's own arithmetic once truncated (torch's CPU result for overflowing ints).
template <typename T>
void int_batched(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t B = a.shape()[0], n = a.shape()[1], m = a.shape()[2], p = b.shape()[2];
  const int64_t as0 = a.strides()[0], as1 = a.strides()[1], as2 = a.strides()[2];
  const int64_t bs0 = b.strides()[0], bs1 = b.strides()[1], bs2 = b.strides()[2];
  const T* ap = a.data<T>();
  const T* bp = b.data<T>();
  T* op = out.data<T>();
  std::vector<uint64_t> row(static_cast<size_t>(p));
  for (int64_t z = 0; z < B; ++z)
    for (int64_t i = 0; i < n; ++i) {
      std::fill(row.begin(), row.end(), 0);
      for (int64_t k = 0; k < m; ++k) {
        uint64_t av = uint64_t(int64_t(ap[z * as0 + i * as1 + k * as2]));
        const T* brow = bp + z * bs0 + k * bs1;
        for (int64_t j = 0; j < p; ++j) row[size_t(j)] += av * uint64_t(int64_t(brow[j * bs2]));
      }
      T* orow = op + (z * n + i) * p;
      for (int64_t j = 0; j < p; ++j) orow[j] = T(row[size_t(j)]);
    }
}

// [B, n, m] @ [B, m, p] -> contiguous [B, n, p]; dtypes already checked equal and supported.
Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  const int64_t B = a.shape()[0], n = a.shape()[1], m = a.shape()[2], p = b.shape()[2];
  DType dt = a.dtype();
  if (dt == DType::Float16 || dt == DType::BFloat16) {
    Tensor r = batched_matmul(to_dtype(a, DType::Float32), to_dtype(b, DType::Float32));
    return to_dtype(r, dt);
  }
  Tensor out = empty({B, n, p}, dt, a.device());
  if (out.numel() == 0) return out;
  if (m == 0) {
    fill_(out, Scalar(int64_t(0)));
    return out;
  }
  dispatch_dtype(dt, [&]<typename T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || is_complex_v<T>) {
      blas_batched<T>(a, b, out);
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      int_batched<T>(a, b, out);
    } else {
      TB_INTERNAL_ASSERT(false, "matmul: unsupported dtype reached the kernel");
    }
  });
  return out;
}

Tensor as3d(const Tensor& t) {  // [n, m] -> [1, n, m]
  return t.as_strided({1, t.shape()[0], t.shape()[1]}, {0, t.strides()[0], t.strides()[1]}, t.offset());
}
}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  if (autograd::needs_grad(a, b)) return autograd::mm(a, b);
  if (a.dim() != 2) throw RuntimeError("self must be a matrix");
  if (b.dim() != 2) throw RuntimeError("mat2 must be a matrix");
  if (a.shape()[1] != b.shape()[0])
    throw RuntimeError("mat1 and mat2 shapes cannot be multiplied (" + s(a.shape()[0]) + "x" +
                       s(a.shape()[1]) + " and " + s(b.shape()[0]) + "x" + s(b.shape()[1]) + ")");
  check_same_dtype(a, b);
  check_supported(a.dtype(), "addmm_impl_cpu_");
  Tensor r = batched_matmul(as3d(a), as3d(b));
  return r.as_strided({a.shape()[0], b.shape()[1]}, {b.shape()[1], 1}, 0);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  if (autograd::needs_grad(a, b)) return autograd::bmm(a, b);
  if (a.dim() != 3) throw RuntimeError("batch1 must be a 3D tensor");
  if (b.dim() != 3) throw RuntimeError("batch2 must be a 3D tensor");
  if (b.shape()[0] != a.shape()[0] || b.shape()[1] != a.shape()[2])
    throw RuntimeError("Expected size for first two dimensions of batch2 tensor to be: [" +
                       s(a.shape()[0]) + ", " + s(a.shape()[2]) + "] but got: [" + s(b.shape()[0]) +
                       ", " + s(b.shape()[1]) + "].");
  if (a.dtype() != b.dtype())
    throw RuntimeError("expected scalar type " + std::string(dtype_legacy_name(a.dtype())) +
                       " but found " + std::string(dtype_legacy_name(b.dtype())));
  check_supported(a.dtype(), "bmm");
  return batched_matmul(a, b);
}

Tensor mv(const Tensor& a, const Tensor& v) {
  if (autograd::needs_grad(a, v)) return autograd::mv(a, v);
  if (a.dim() != 2 || v.dim() != 1)
    throw RuntimeError("vector + matrix @ vector expected, got 1, " + s(a.dim()) + ", " + s(v.dim()));
  if (a.shape()[1] != v.shape()[0])
    throw RuntimeError("size mismatch, got input (" + s(a.shape()[0]) + "), mat (" + s(a.shape()[0]) +
                       "x" + s(a.shape()[1]) + "), vec (" + s(v.shape()[0]) + ")");
  if (a.dtype() != v.dtype())
    throw RuntimeError("addmv input tensors must have the same dtype, but got " +
                       std::string(dtype_legacy_name(v.dtype())) + ", " +
                       std::string(dtype_legacy_name(a.dtype())) + ", and " +
                       std::string(dtype_legacy_name(v.dtype())));
  check_supported(a.dtype(), "addmv_impl_cpu");
  Tensor r = batched_matmul(as3d(a), unsqueeze(unsqueeze(v, 1), 0));
  return r.as_strided({a.shape()[0]}, {1}, 0);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  if (autograd::needs_grad(a, b)) return autograd::dot(a, b);
  if (a.dim() != 1 || b.dim() != 1)
    throw RuntimeError("1D tensors expected, but got " + s(a.dim()) + "D and " + s(b.dim()) + "D tensors");
  if (a.dtype() != b.dtype())
    throw RuntimeError("dot : expected both vectors to have same dtype, but found " +
                       std::string(dtype_legacy_name(a.dtype())) + " and " +
                       std::string(dtype_legacy_name(b.dtype())));
  if (a.shape()[0] != b.shape()[0])
    throw RuntimeError("inconsistent tensor size, expected tensor [" + s(a.shape()[0]) +
                       "] and src [" + s(b.shape()[0]) +
                       "] to have the same number of elements, but got " + s(a.shape()[0]) + " and " +
                       s(b.shape()[0]) + " elements respectively");
  check_supported(a.dtype(), "dot");
  Tensor r = batched_matmul(unsqueeze(unsqueeze(a, 0), 0), unsqueeze(unsqueeze(b, 1), 0));
  return r.as_strided({}, {}, 0);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  if (da == 0 || db == 0)
    throw RuntimeError("both arguments to matmul need to be at least 1D, but they are " + s(da) +
                       "D and " + s(db) + "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) {
    if (autograd::needs_grad(a, b)) return autograd::matmul(a, b);
    return squeeze(mm(unsqueeze(a, 0), b), DimVector{0});
  }
  if (da == 2 && db == 2) return mm(a, b);
  check_same_dtype(a, b);
  check_supported(a.dtype(), "addmm_impl_cpu_");
  if (autograd::needs_grad(a, b)) return autograd::matmul(a, b);
  // Batched: 1-D operands become a row (left) or a column (right) and are squeezed off afterwards.
  Tensor A = da == 1 ? unsqueeze(a, 0) : a;
  Tensor Bm = db == 1 ? unsqueeze(b, 1) : b;
  const int64_t n = A.shape()[size_t(A.dim() - 2)], m = A.shape()[size_t(A.dim() - 1)];
  const int64_t m2 = Bm.shape()[size_t(Bm.dim() - 2)], p = Bm.shape()[size_t(Bm.dim() - 1)];
  Shape ba(A.shape().begin(), A.shape().end() - 2), bb(Bm.shape().begin(), Bm.shape().end() - 2);
  Shape batch = broadcast_shapes(ba, bb);
  int64_t nbatch = numel_of(batch);
  Shape ea = batch, eb = batch;
  ea.push_back(n);
  ea.push_back(m);
  eb.push_back(m2);
  eb.push_back(p);
  Tensor A3 = reshape(expand(A, ea), {nbatch, n, m});
  Tensor B3 = reshape(expand(Bm, eb), {nbatch, m2, p});
  if (m != m2)
    throw RuntimeError("Expected size for first two dimensions of batch2 tensor to be: [" +
                       s(nbatch) + ", " + s(m) + "] but got: [" + s(nbatch) + ", " + s(m2) + "].");
  Tensor r = batched_matmul(A3, B3);
  Shape out_shape = batch;
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(p);
  return r.as_strided(out_shape, contiguous_strides(out_shape), 0);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  if (a.dim() != 1) throw RuntimeError("outer: Expected 1-D argument self, but got " + s(a.dim()) + "-D");
  if (b.dim() != 1) throw RuntimeError("outer: Expected 1-D argument vec2, but got " + s(b.dim()) + "-D");
  // torch computes outer as a[:, None] * b[None, :] (grad_fn MulBackward0)
  if (autograd::needs_grad(a, b)) return mul(unsqueeze(a, 1), unsqueeze(b, 0));
  DType dt = promote_types(a.dtype(), b.dtype());
  Tensor ac = contiguous(to_dtype(a, dt)), bc = contiguous(to_dtype(b, dt));
  const int64_t n = a.shape()[0], m = b.shape()[0];
  Tensor out = empty({n, m}, dt, a.device());
  dispatch_dtype(dt, [&]<typename T>() {
    const T* ap = ac.data<T>();
    const T* bp = bc.data<T>();
    T* op = out.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, bool>) {
        for (int64_t j = 0; j < m; ++j) op[i * m + j] = ap[i] && bp[j];
      } else if constexpr (std::is_integral_v<T>) {
        // wrap-around like the element type (no signed-overflow UB)
        for (int64_t j = 0; j < m; ++j)
          op[i * m + j] = T(uint64_t(int64_t(ap[i])) * uint64_t(int64_t(bp[j])));
      } else {
        using C = compute_t<T>;
        C x = C(ap[i]);
        for (int64_t j = 0; j < m; ++j) op[i * m + j] = convert<T>(x * C(bp[j]));
      }
    }
  });
  return out;
}

// ---- nuclear norm --------------------------------------------------------------------------------
namespace {
std::string legacy(DType dt) { return std::string(dtype_legacy_name(dt)); }
const std::string kMatrixNorm = "linalg.matrix_norm: ";

// Sum of the singular values of each m x n matrix of the contiguous [batch, m, n] tensor `a`.
// NaN input: torch's svd error; an infinite entry: NaN (what torch's LAPACK gives).
template <typename T>
void nuclear_norms(const Tensor& a, int64_t batch, int64_t m, int64_t n, bool batched, const Tensor& out) {
  using R = typename cpu::real_of<T>::type;
  const int64_t mn = m * n, k = std::min(m, n);
  std::vector<T> work(static_cast<size_t>(mn));
  std::vector<R> sv(static_cast<size_t>(k));
  const T* src = a.data<T>();
  R* o = out.data<R>();
  for (int64_t b = 0; b < batch; ++b) {
    std::copy(src + b * mn, src + (b + 1) * mn, work.begin());
    bool nan = false, inf = false;
    for (const T& v : work) {
      if constexpr (is_complex_v<T>) {
        nan |= std::isnan(v.real()) || std::isnan(v.imag());
        inf |= std::isinf(v.real()) || std::isinf(v.imag());
      } else {
        nan |= std::isnan(v);
        inf |= std::isinf(v);
      }
    }
    const std::string where = batched ? "(Batch element " + s(b) + "): " : "";
    if (nan)
      throw RuntimeError("linalg.svd: " + where +
                         "The algorithm failed to converge because the input matrix contained non-finite values.");
    if (inf || k == 0) {
      o[b] = inf ? std::numeric_limits<R>::quiet_NaN() : R(0);
      continue;
    }
    const int64_t info = cpu::singular_values<T>(m, n, work.data(), sv.data());
    if (info > 0)
      throw RuntimeError("linalg.svd: " + where + "The algorithm failed to converge because the input matrix is "
                         "ill-conditioned or has too many repeated singular values (error code: " + s(info) + ").");
    double sum = 0;
    for (R v : sv) sum += double(v);
    o[b] = R(sum);
  }
}
}  // namespace

Tensor nuclear_norm(const Tensor& x, const std::optional<DimVector>& dims, bool keepdim, std::optional<DType> dtype) {
  if (x.dim() < 2) throw RuntimeError(kMatrixNorm + "The input tensor A must have at least 2 dimensions.");
  const DType in = x.dtype();
  if (!is_floating_point(in) && !is_complex(in))
    throw RuntimeError(kMatrixNorm + "Expected a floating point or complex tensor as input. Got " + legacy(in));
  if (in == DType::Float16 || in == DType::BFloat16)
    throw RuntimeError(kMatrixNorm + "Low precision dtypes not supported. Got " + legacy(in));
  DimVector d;
  if (dims) d = *dims;
  else for (int64_t k = 0; k < x.dim(); ++k) d.push_back(k);
  if (d.size() != 2) {
    std::string got;
    for (size_t k = 0; k < d.size(); ++k) {
      if (k) got += ' ';
      got += s(d[k]);
    }
    throw RuntimeError(kMatrixNorm + "dim must be a 2-tuple. Got " + got);
  }
  const int64_t d0 = wrap_dim(d[0], x.dim()), d1 = wrap_dim(d[1], x.dim());
  if (d0 == d1) throw RuntimeError(kMatrixNorm + "dims must be different. Got (" + s(d0) + ", " + s(d1) + ")");
  DType c = in;
  if (dtype) {
    if (!is_floating_point(*dtype) && !is_complex(*dtype))
      throw RuntimeError(kMatrixNorm + "dtype should be floating point or complex, but got " + legacy(*dtype));
    if (is_complex(in) != is_complex(*dtype))
      throw RuntimeError(kMatrixNorm + "dtype should be " + (is_complex(in) ? "complex for complex" : "real for real") +
                         " inputs, but got " + legacy(*dtype));
    if (promote_types(in, *dtype) != *dtype)
      throw RuntimeError(kMatrixNorm + "the dtype of the input (" + legacy(in) +
                         ") should be convertible without narrowing to the specified dtype (" + legacy(*dtype) + ")");
    c = *dtype;
  }
  // the two matrix dims last, the others (in order) as the batch
  DimVector order;
  Shape rest;
  for (int64_t k = 0; k < x.dim(); ++k)
    if (k != d0 && k != d1) {
      order.push_back(k);
      rest.push_back(x.shape()[size_t(k)]);
    }
  order.push_back(d0);
  order.push_back(d1);
  const Tensor a = contiguous(to_dtype(permute(x, order), c));
  const int64_t m = x.shape()[size_t(d0)], n = x.shape()[size_t(d1)];
  Tensor out = empty(rest, to_real(c), x.device());
  const int64_t batch = numel_of(rest);
  dispatch_dtype(c, [&]<typename T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> || is_complex_v<T>)
      nuclear_norms<T>(a, batch, m, n, x.dim() > 2, out);
  });
  if (!keepdim) return out;
  Shape kept = x.shape();
  kept[size_t(d0)] = kept[size_t(d1)] = 1;
  return out.as_strided(kept, contiguous_strides(kept), 0);
}

}  // namespace tb
