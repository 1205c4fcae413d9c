// Splitting large kernels over the CPU cores (OpenMP when the build found it, else serial).
#pragma once
#include <cstdint>
#include <type_traits>

namespace tb::cpu {

// Number of threads large kernels use (defaults to the number of cores).
int num_threads();
void set_num_threads(int n);

// Elements below which a kernel stays on one thread (thread start-up costs more than it saves).
inline constexpr int64_t kParallelGrain = 32768;

using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);
// Calls fn(ctx, b, e) on disjoint ranges covering [0, n), from up to num_threads() threads.
void parallel_for_impl(int64_t n, int64_t grain, RangeFn fn, void* ctx);

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
