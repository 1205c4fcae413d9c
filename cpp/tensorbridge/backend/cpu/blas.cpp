// gemm via CBLAS (see blas.h). The build picks the library (cmake/dependencies.cmake):
// scipy-openblas32 exports its CBLAS with a "scipy_" prefix (TB_BLAS_SCIPY_PREFIX), a system
// OpenBLAS without one.
#include "tensorbridge/backend/cpu/blas.h"

#include <cblas.h>

#include <climits>
#include <string>

#include "tensorbridge/error.h"

#ifdef TB_BLAS_SCIPY_PREFIX
#define TB_CBLAS(name) scipy_cblas_##name
#else
#define TB_CBLAS(name) cblas_##name
#endif

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
  TB_CBLAS(sgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k), alpha,
                  a, to_blasint(lda), b, to_blasint(ldb), beta, c, to_blasint(ldc));
}

template <>
void gemm<double>(bool ta, bool tb_, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                  int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  TB_CBLAS(dgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k), alpha,
                  a, to_blasint(lda), b, to_blasint(ldb), beta, c, to_blasint(ldc));
}

template <>
void gemm<complex64>(bool ta, bool tb_, int64_t m, int64_t n, int64_t k, complex64 alpha,
                     const complex64* a, int64_t lda, const complex64* b, int64_t ldb,
                     complex64 beta, complex64* c, int64_t ldc) {
  TB_CBLAS(cgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k),
                  &alpha, a, to_blasint(lda), b, to_blasint(ldb), &beta, c, to_blasint(ldc));
}

template <>
void gemm<complex128>(bool ta, bool tb_, int64_t m, int64_t n, int64_t k, complex128 alpha,
                      const complex128* a, int64_t lda, const complex128* b, int64_t ldb,
                      complex128 beta, complex128* c, int64_t ldc) {
  TB_CBLAS(zgemm)(CblasRowMajor, op(ta), op(tb_), to_blasint(m), to_blasint(n), to_blasint(k),
                  &alpha, a, to_blasint(lda), b, to_blasint(ldb), &beta, c, to_blasint(ldc));
}

const char* blas_name() {
#ifdef TB_BLAS_SCIPY_PREFIX
  return "scipy-openblas32";
#else
  return "system CBLAS";
#endif
}

}  // namespace tb::cpu
