// Splitting large kernels over the CPU cores, on our own thread pool (parallel.cpp).
#pragma once
#include <cstdint>
#include <type_traits>

namespace tb::cpu {

// Number of threads large kernels and BLAS use: OMP_NUM_THREADS if set (as torch), else the cores
// this process may run on. set_num_threads throws RuntimeError for n < 1 (torch's message).
int num_threads();
void set_num_threads(int n);

// Elements below which a kernel stays on one thread (thread start-up costs more than it saves).
inline constexpr int64_t kParallelGrain = 32768;

using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);
// Calls fn(ctx, b, e) on disjoint ranges covering [0, n), from up to num_threads() threads.
void parallel_for_impl(int64_t n, int64_t grain, RangeFn fn, void* ctx);

// Runs jobs fn(ctx, 0) .. fn(ctx, n - 1) at the same time, each on its own thread (they may wait for
// one another, as OpenBLAS's threaded routines do), and returns when all are done. OpenBLAS runs its
// threaded work through this (backend/cpu/blas.cpp), so matrix products and our kernels share one
// pool instead of two pools fighting over the cores.
using JobFn = void (*)(void* ctx, int job);
void run_concurrently(int n, JobFn fn, void* ctx);

// f(begin, end) over [0, n): inline and serial when n <= grain. f must not throw.
template <typename F>
inline void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= grain) {
    if (n > 0) f(int64_t(0), n);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  parallel_for_impl(n, grain,
                    [](void* c, int64_t b, int64_t e) { (*static_cast<Fn*>(c))(b, e); },
                    const_cast<void*>(static_cast<const void*>(&f)));
}

}  // namespace tb::cpu
