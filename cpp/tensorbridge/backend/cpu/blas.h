// The BLAS seam: the only place that calls a BLAS/LAPACK library. One row-major gemm for the four
// BLAS element types and LAPACK's singular values; everything else (integer and 16-bit float
// matmul, batching, layouts, torch's checks) lives in ops/linalg.cpp.
#pragma once
#include <complex>
#include <cstdint>

#include "tensorbridge/dtype.h"

namespace tb::cpu {

// C[m,n] = alpha * op(A) @ op(B) + beta * C, all row-major; op(X) = X^T when trans_x.
// A is m x k (k x m stored when trans_a), B is k x n (n x k stored when trans_b).
// T is float, double, complex64 or complex128. Sizes must fit BLAS's 32-bit ints.
template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

template <typename T> struct real_of { using type = T; };
template <typename R> struct real_of<std::complex<R>> { using type = R; };

// Singular values, descending, of the m x n row-major matrix `a` (overwritten) into s
// (min(m, n) entries), by LAPACK's gesdd without vectors. T is float, double, complex64 or
// complex128; the input must be finite. Returns LAPACK's info (> 0: no convergence).
template <typename T>
int64_t singular_values(int64_t m, int64_t n, T* a, typename real_of<T>::type* s);

// Name and version of the linked BLAS (for diagnostics).
const char* blas_name();

}  // namespace tb::cpu
