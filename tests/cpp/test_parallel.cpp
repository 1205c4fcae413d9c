// The thread pool (backend/cpu/parallel.h) and OpenBLAS running its threaded work on it
// (backend/cpu/blas_threads.h): coverage of ranges, nesting, jobs that wait for each other, callers
// on several threads at once, and matrix products checked against a plain triple loop.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "tensorbridge/backend/cpu/blas.h"
#include "tensorbridge/backend/cpu/parallel.h"

using namespace tb::cpu;

namespace {

// Restores the thread count a test changed.
struct ThreadCount {
  int saved = num_threads();
  explicit ThreadCount(int n) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved); }
};

// Jobs that can only finish if all of them run at the same time (as OpenBLAS's level-3 jobs).
void barrier_jobs(int n) {
  std::atomic<int> arrived{0};
  std::vector<int> ran(n, 0);
  struct Ctx {
    std::atomic<int>* arrived;
    int n;
    std::vector<int>* ran;
  } ctx{&arrived, n, &ran};
  run_concurrently(
      n,
      [](void* c, int i) {
        auto* x = static_cast<Ctx*>(c);
        x->arrived->fetch_add(1);
        while (x->arrived->load() < x->n) std::this_thread::yield();
        (*x->ran)[i] += 1;
      },
      &ctx);
  CHECK(arrived.load() == n);
  for (int r : ran) CHECK(r == 1);
}

std::vector<float> naive_mm(const std::vector<float>& a, const std::vector<float>& b, int m, int k, int n) {
  std::vector<float> c(size_t(m) * n, 0.f);
  for (int i = 0; i < m; ++i)
    for (int p = 0; p < k; ++p)
      for (int j = 0; j < n; ++j) c[size_t(i) * n + j] += a[size_t(i) * k + p] * b[size_t(p) * n + j];
  return c;
}

bool mm_matches(int m, int k, int n, unsigned seed) {
  std::vector<float> a(size_t(m) * k), b(size_t(k) * n), c(size_t(m) * n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = float((i * 7 + seed) % 13) - 6.f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = float((i * 5 + seed) % 11) - 5.f;
  gemm<float>(false, false, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c.data(), n);
  return c == naive_mm(a, b, m, k, n);  // small integers: exact in float32
}

}  // namespace

TEST_CASE("parallel_for covers every index exactly once, for any thread count") {
  for (int nt : {1, 2, 3, 8}) {
    ThreadCount tc(nt);
    for (int64_t n : {int64_t(1), int64_t(5), int64_t(1000), int64_t(100003)}) {
      std::vector<std::atomic<int>> hits(n);
      parallel_for(n, 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
      });
      int bad = 0;
      for (auto& h : hits) bad += h.load() != 1;
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("nested parallel_for runs inline and still covers its range") {
  ThreadCount tc(4);
  std::atomic<int64_t> total{0};
  parallel_for(64, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      parallel_for(1000, 1, [&](int64_t b2, int64_t e2) { total.fetch_add(e2 - b2); });
  });
  CHECK(total.load() == 64 * 1000);
}

TEST_CASE("run_concurrently runs every job at once, also nested and from several threads") {
  ThreadCount tc(4);
  barrier_jobs(2);
  barrier_jobs(4);
  barrier_jobs(7);  // more jobs than threads: the pool grows
  parallel_for(4, 1, [&](int64_t, int64_t) { barrier_jobs(3); });  // from inside a chunk
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([] {
      for (int r = 0; r < 20; ++r) barrier_jobs(3);
    });
  for (auto& t : callers) t.join();
}

TEST_CASE("threaded matrix products on the shared pool are exact, from several threads at once") {
  ThreadCount tc(4);
  CHECK(mm_matches(256, 300, 200, 1));
  CHECK(mm_matches(1, 700, 3, 2));
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&, t] {
      bool all = true;
      for (int r = 0; r < 3; ++r) all = all && mm_matches(192 + 16 * t, 256, 160, unsigned(t + r));
      // element-wise work on the pool at the same time
      std::vector<float> v(200000, 1.f);
      parallel_for(int64_t(v.size()), 1024, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) v[i] *= 2.f;
      });
      for (float x : v) all = all && x == 2.f;
      ok += all;
    });
  for (auto& t : callers) t.join();
  CHECK(ok.load() == 3);
}
