// Our own thread pool for parallel_for (no OpenMP runtime).
//
// Why not OpenMP: matrix products run on OpenBLAS's threads, and a training step alternates them with
// element-wise kernels. libgomp's threads busy-wait after each region and took the cores from
// OpenBLAS's (a 2-layer MLP step ran 6x slower than torch on 2 cores). Its wait policy is read once
// per process, so when torch had loaded libgomp first we could not change it. This pool spins only
// briefly (kSpin) and then sleeps on a futex (std::atomic::wait), so an idle pool costs no CPU.
//
// Protocol: one job at a time (others run serially on their own thread). A job is published in one
// 64-bit word `claim_` = job id (32 bits) | chunk count (16) | next chunk (16). Threads take chunks
// by compare-and-swap on that word, so a worker that wakes late, holding an older job id, can never
// take a chunk of a newer job; the job's fields are read only after a successful claim and are not
// rewritten until every claimed chunk has reported back through `pending_`.
#include "tensorbridge/backend/cpu/parallel.h"

#include "tensorbridge/backend/cpu/blas_threads.h"
#include "tensorbridge/error.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TB_CPU_RELAX() _mm_pause()
#else
#define TB_CPU_RELAX() std::this_thread::yield()
#endif

namespace tb::cpu {

namespace {

constexpr int kMaxThreads = 1024;       // chunk indices fit the claim word's 16-bit fields
constexpr auto kSpin = std::chrono::microseconds(30);  // busy-wait before sleeping

int default_threads() {
  if (const char* s = std::getenv("OMP_NUM_THREADS")) {  // torch honours it too
    const int v = std::atoi(s);
    if (v > 0) return std::min(v, kMaxThreads);
  }
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::clamp(CPU_COUNT(&set), 1, kMaxThreads);
#endif
  return std::clamp(int(std::thread::hardware_concurrency()), 1, kMaxThreads);
}

std::atomic<int> g_threads{0};  // 0: not chosen yet
thread_local bool t_in_parallel = false;  // inside a chunk: nested parallel_for runs serially

// Spins on `done()` for about kSpin, yielding now and then; returns whether it became true.
template <typename Done>
bool spin_until(Done done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1;; ++i) {
    if (done()) return true;
    TB_CPU_RELAX();
    if ((i & 63) == 0 && std::chrono::steady_clock::now() > until) return false;
  }
}

class Pool {
 public:
  // Runs fn over [0, n) in nchunks chunks. With `concurrent`, every chunk gets its own thread (the
  // chunks may wait for one another) and a busy pool is waited for; otherwise a busy pool means
  // the caller does all the work itself.
  void run(int nchunks, int64_t n, RangeFn fn, void* ctx, bool concurrent) {
    std::unique_lock lock(run_mu_, std::defer_lock);
    if (concurrent) {
      lock.lock();
    } else if (!lock.try_lock()) {
      fn(ctx, 0, n);
      return;
    }
    grow(nchunks - 1);
    fn_ = fn;
    ctx_ = ctx;
    n_ = n;
    nchunks_ = nchunks;
    pending_.store(nchunks, std::memory_order_relaxed);
    ++job_;
    claim_.store(uint64_t(job_) << 32 | uint64_t(nchunks) << 16, std::memory_order_release);
    wake_.fetch_add(1, std::memory_order_release);
    wake_.notify_all();
    // The caller claims chunks too, until none is left (all of them if the workers are late); then
    // it waits for the chunks workers are still running.
    work(claim_.load(std::memory_order_acquire));
    while (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) std::this_thread::yield();
  }

 private:
  // Claims and runs chunks of the job in word w until none is left.
  void work(uint64_t w) {
    for (;;) {
      const uint32_t next = uint32_t(w & 0xffff), count = uint32_t((w >> 16) & 0xffff);
      if (next >= count) return;
      if (!claim_.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        continue;  // w reloaded: another thread took a chunk, or a newer job was published
      const int64_t size = (n_ + nchunks_ - 1) / nchunks_;
      const int64_t b = int64_t(next) * size, e = std::min(n_, b + size);
      t_in_parallel = true;
      if (b < e) fn_(ctx_, b, e);
      t_in_parallel = false;
      pending_.fetch_sub(1, std::memory_order_acq_rel);
      w = claim_.load(std::memory_order_acquire);
    }
  }

  // `seen`: the wake count when the thread was created, before the job that needed it was announced
  // (a thread that starts late then still takes part in that job).
  void worker(uint32_t seen) {
    for (;;) {
      auto changed = [&] { return wake_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(changed)) wake_.wait(seen, std::memory_order_acquire);
      seen = wake_.load(std::memory_order_acquire);
      work(claim_.load(std::memory_order_acquire));
    }
  }

  void grow(int workers) {
    // Threads are never joined: they sleep when idle and end with the process (the pool is leaked
    // on purpose, so no destructor runs while a worker might still touch it).
    while (int(threads_) < workers) {
      std::thread(&Pool::worker, this, wake_.load(std::memory_order_relaxed)).detach();
      ++threads_;
    }
  }

  std::mutex run_mu_;
  std::atomic<uint32_t> wake_{0};   // bumped per job; idle workers sleep on it
  std::atomic<uint64_t> claim_{0};  // job id | chunk count | next chunk
  std::atomic<int> pending_{0};     // chunks of the current job not finished yet
  uint32_t job_ = 0;
  size_t threads_ = 0;
  RangeFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0;
  int64_t nchunks_ = 1;
};

Pool* g_pool = nullptr;
std::once_flag g_pool_once;

Pool& pool() {
  std::call_once(g_pool_once, [] {
    g_pool = new Pool();
    // After fork() the child has none of the workers: give it a fresh pool (the old one is leaked,
    // its mutex may even be held by a thread that no longer exists).
    pthread_atfork(nullptr, nullptr, [] { g_pool = new Pool(); });
  });
  return *g_pool;
}

}  // namespace

int num_threads() {
  int t = g_threads.load(std::memory_order_relaxed);
  if (t <= 0) {
    t = default_threads();
    g_threads.store(t, std::memory_order_relaxed);
  }
  return t;
}

void set_num_threads(int n) {
  if (n <= 0) throw RuntimeError("set_num_threads expects a positive integer");
  g_threads.store(std::min(n, kMaxThreads), std::memory_order_relaxed);
  set_blas_num_threads(num_threads());  // OpenBLAS's jobs run on this pool: same count
}

void parallel_for_impl(int64_t n, int64_t grain, RangeFn fn, void* ctx) {
  const int64_t max_chunks = std::max<int64_t>(1, n / std::max<int64_t>(grain, 1));
  const int nt = int(std::min<int64_t>(num_threads(), max_chunks));
  if (nt <= 1 || t_in_parallel) {
    fn(ctx, 0, n);
    return;
  }
  pool().run(nt, n, fn, ctx, false);
}

void run_concurrently(int n, JobFn fn, void* ctx) {
  if (n <= 0) return;
  if (n == 1) return fn(ctx, 0);
  struct Adapter {
    JobFn fn;
    void* ctx;
  } adapter{fn, ctx};
  auto range = [](void* c, int64_t b, int64_t e) {
    auto* a = static_cast<Adapter*>(c);
    for (int64_t i = b; i < e; ++i) a->fn(a->ctx, int(i));
  };
  if (t_in_parallel || n > kMaxThreads) {
    // Called from inside a pool chunk: the pool is ours already, so use threads of its own.
    std::vector<std::thread> extra;
    for (int i = 1; i < n; ++i) extra.emplace_back(fn, ctx, i);
    fn(ctx, 0);
    for (auto& t : extra) t.join();
    return;
  }
  pool().run(n, n, range, &adapter, true);
}

}  // namespace tb::cpu
