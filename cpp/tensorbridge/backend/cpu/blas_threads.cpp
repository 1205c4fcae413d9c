#include "tensorbridge/backend/cpu/blas_threads.h"

#include <cblas.h>

#include <cstddef>
#include <cstdlib>
#include <mutex>

#include "tensorbridge/backend/cpu/parallel.h"

#ifdef TB_BLAS_SCIPY_PREFIX
#define TB_OPENBLAS(name) scipy_openblas_##name
#else
#define TB_OPENBLAS(name) openblas_##name
#endif

namespace tb::cpu {

namespace {

std::once_flag g_setup;

#ifdef TB_HAVE_BLAS_THREADS_CALLBACK
// OpenBLAS hands over `numjobs` jobs (blas_queue_t records of `elsize` bytes at `jobdata`) that must
// all run at once: its level-3 routines share packed panels and wait for one another.
void run_blas_jobs(int /*sync*/, openblas_dojob_callback dojob, int numjobs, size_t elsize, void* jobdata,
                   int dojob_data) {
  struct Jobs {
    openblas_dojob_callback dojob;
    char* data;
    size_t elsize;
    int dojob_data;
  } jobs{dojob, static_cast<char*>(jobdata), elsize, dojob_data};
  run_concurrently(
      numjobs,
      [](void* c, int i) {
        auto* j = static_cast<Jobs*>(c);
        j->dojob(i, j->data + size_t(i) * j->elsize, j->dojob_data);
      },
      &jobs);
}
#endif

bool user_set_blas_threads() { return std::getenv("OPENBLAS_NUM_THREADS") != nullptr; }

}  // namespace

void blas_threads_setup() {
  std::call_once(g_setup, [] {
#ifdef TB_HAVE_BLAS_THREADS_CALLBACK
    TB_OPENBLAS(set_threads_callback_function)(&run_blas_jobs);
#endif
    if (!user_set_blas_threads()) TB_OPENBLAS(set_num_threads)(num_threads());
  });
}

void set_blas_num_threads(int n) {
  blas_threads_setup();
  TB_OPENBLAS(set_num_threads)(n);
}

bool blas_uses_our_pool() {
#ifdef TB_HAVE_BLAS_THREADS_CALLBACK
  return true;
#else
  return false;
#endif
}

}  // namespace tb::cpu
