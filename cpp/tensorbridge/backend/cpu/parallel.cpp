#include "tensorbridge/backend/cpu/parallel.h"

#include <algorithm>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tb::cpu {

namespace {
int g_threads = 0;  // 0: not chosen yet
}

int num_threads() {
  if (g_threads <= 0) {
#ifdef _OPENMP
    g_threads = omp_get_max_threads();
#else
    g_threads = 1;
#endif
  }
  return g_threads;
}

void set_num_threads(int n) { g_threads = std::max(1, n); }

void parallel_for_impl(int64_t n, int64_t grain, RangeFn fn, void* ctx) {
  const int64_t max_chunks = std::max<int64_t>(1, n / std::max<int64_t>(grain, 1));
  const int nt = int(std::min<int64_t>(num_threads(), max_chunks));
  if (nt <= 1) {
    fn(ctx, 0, n);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
  {
    const int64_t t = omp_get_thread_num(), k = omp_get_num_threads();
    const int64_t chunk = (n + k - 1) / k;
    const int64_t b = t * chunk, e = std::min(n, b + chunk);
    if (b < e) fn(ctx, b, e);
  }
#else
  fn(ctx, 0, n);
#endif
}

}  // namespace tb::cpu
