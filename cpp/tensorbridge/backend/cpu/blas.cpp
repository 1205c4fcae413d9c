// gemm via CBLAS (see blas.h). The build picks the library (cmake/dependencies.cmake):
// scipy-openblas32 exports its CBLAS with a "scipy_" prefix (TB_BLAS_SCIPY_PREFIX), a system
// OpenBLAS without one.
#include "tensorbridge/backend/cpu/blas.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <string>

#include "tensorbridge/backend/cpu/blas_threads.h"
#include "tensorbridge/error.h"

#ifdef TB_BLAS_SCIPY_PREFIX
#define TB_CBLAS(name) scipy_cblas_##name
#define TB_LAPACKE(name) scipy_LAPACKE_##name
#else
#define TB_CBLAS(name) cblas_##name
#define TB_LAPACKE(name) LAPACKE_##name
#endif

// LAPACKE's C interface of ?gesdd (declared here: lapacke.h is not installed everywhere cblas.h
// is). lapack_int is 32-bit in both supported builds; std::complex matches lapack_complex_*.
extern "C" {
int TB_LAPACKE(sgesdd)(int layout, char jobz, int m, int n, float* a, int lda, float* s, float* u, int ldu,
                       float* vt, int ldvt);
int TB_LAPACKE(dgesdd)(int layout, char jobz, int m, int n, double* a, int lda, double* s, double* u, int ldu,
                       double* vt, int ldvt);
int TB_LAPACKE(cgesdd)(int layout, char jobz, int m, int n, std::complex<float>* a, int lda, float* s,
                       std::complex<float>* u, int ldu, std::complex<float>* vt, int ldvt);
int TB_LAPACKE(zgesdd)(int layout, char jobz, int m, int n, std::complex<double>* a, int lda, double* s,
                       std::complex<double>* u, int ldu, std::complex<double>* vt, int ldvt);
}

namespace tb::cpu {

namespace {
blasint to_blasint(int64_t v) {
  if (v > INT_MAX)
    throw RuntimeError("matmul: a dimension of " + std::to_string(v) +
                       " exceeds the 32-bit limit of the BLAS library");
  return blasint(v);
}
CBLAS_TRANSPOSE op(bool t) { return t ? CblasTrans : CblasNoTrans; }
}  // namespace

template <>
void gemm<float>(bool ta, bool tb_, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  blas_threads_setup();
  TB_CBLAS(sgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k), alpha,
                  a, to_blasint(lda), b, to_blasint(ldb), beta, c, to_blasint(ldc));
}

template <>
void gemm<double>(bool ta, bool tb_, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                  int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  blas_threads_setup();
  TB_CBLAS(dgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k), alpha,
                  a, to_blasint(lda), b, to_blasint(ldb), beta, c, to_blasint(ldc));
}

template <>
void gemm<complex64>(bool ta, bool tb_, int64_t m, int64_t n, int64_t k, complex64 alpha,
                     const complex64* a, int64_t lda, const complex64* b, int64_t ldb,
                     complex64 beta, complex64* c, int64_t ldc) {
  blas_threads_setup();
  TB_CBLAS(cgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k),
                  &alpha, a, to_blasint(lda), b, to_blasint(ldb), &beta, c, to_blasint(ldc));
}

template <>
void gemm<complex128>(bool ta, bool tb_, int64_t m, int64_t n, int64_t k, complex128 alpha,
                      const complex128* a, int64_t lda, const complex128* b, int64_t ldb,
                      complex128 beta, complex128* c, int64_t ldc) {
  blas_threads_setup();
  TB_CBLAS(zgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k),
                  &alpha, a, to_blasint(lda), b, to_blasint(ldb), &beta, c, to_blasint(ldc));
}

namespace {
constexpr int kLapackRowMajor = 101;
int to_lapack_int(int64_t v) {
  if (v > INT_MAX)
    throw RuntimeError("linalg.svd: a dimension of " + std::to_string(v) +
                       " exceeds the 32-bit limit of the LAPACK library");
  return int(v);
}
}  // namespace

#define TB_SINGULAR_VALUES(T, R, fn)                                                                 \
  template <>                                                                                       \
  int64_t singular_values<T>(int64_t m, int64_t n, T* a, R* s) {                                    \
    blas_threads_setup();                                                                           \
    const int mi = to_lapack_int(m), ni = to_lapack_int(n);                                         \
    return TB_LAPACKE(fn)(kLapackRowMajor, 'N', mi, ni, a, std::max(ni, 1), s, nullptr, 1, nullptr, 1); \
  }
TB_SINGULAR_VALUES(float, float, sgesdd)
TB_SINGULAR_VALUES(double, double, dgesdd)
TB_SINGULAR_VALUES(complex64, float, cgesdd)
TB_SINGULAR_VALUES(complex128, double, zgesdd)
#undef TB_SINGULAR_VALUES

const char* blas_name() {
#ifdef TB_BLAS_SCIPY_PREFIX
  return "scipy-openblas32";
#else
  return "system CBLAS";
#endif
}

}  // namespace tb::cpu
