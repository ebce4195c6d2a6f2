// Thread pool behind tt::parallel_for. Kernels are often short (a 256^3 matmul takes ~0.2 ms), so
// waking a sleeping thread (tens of microseconds) would dominate: workers and the caller spin for a
// short while before falling back to sleeping on a condition variable.
#include "threadpool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tt {
namespace {

// How long an idle thread keeps polling before it sleeps.
constexpr auto kSpin = std::chrono::microseconds(100);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls ready() until it holds or kSpin has passed; returns ready().
template <class Ready>
bool spin_until(Ready ready) {
  auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; i++) {
      if (ready()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() > deadline) return ready();
  }
}

class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int size() const { return limit_; }

  void resize(int threads) {
    std::lock_guard<std::mutex> caller(run_mutex_);
    stop();
    stopping_ = false;
    // Workers start from the current generation, read here: a thread that read it itself after
    // starting could miss a job published in between.
    uint64_t seen = state_.load() >> 16;
    for (int i = 1; i < threads; i++) workers_.emplace_back([this, i, seen] { loop(i, seen); });
    limit_ = threads;
  }

  // Uses at most n of the threads already started (workers past the limit are never given a task).
  void limit(int n) { limit_ = std::min(n, static_cast<int>(workers_.size()) + 1); }

  // Runs fn(t, tasks) for t in [0, tasks); the caller runs t = 0.
  void run(int tasks, const std::function<void(int, int)>& fn) {
    if (tasks <= 1) {
      fn(0, 1);
      return;
    }
    // Callers on different threads (e.g. Node worker_threads) take turns.
    std::lock_guard<std::mutex> caller(run_mutex_);
    job_ = &fn;
    pending_.store(tasks - 1);
    // One word holds the generation and the task count, so a worker never pairs one job's
    // generation with another's count. job_ is published by this (seq_cst) store.
    uint64_t gen = (state_.load() >> 16) + 1;
    state_.store(gen << 16 | static_cast<uint64_t>(tasks));
    if (sleeping_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    fn(0, tasks);
    if (!spin_until([this] { return pending_.load() == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      caller_sleeping_.store(true);
      done_.wait(lock, [this] { return pending_.load() == 0; });
      caller_sleeping_.store(false);
    }
  }

 private:
  void loop(int index, uint64_t seen) {
    for (;;) {
      auto fresh = [&] { return stopping_.load() || (state_.load() >> 16) != seen; };
      if (!spin_until(fresh)) {
        // Counting ourselves as sleeping before re-checking under the lock pairs with run(),
        // which publishes the job before reading sleeping_: one of the two sees the other.
        std::unique_lock<std::mutex> lock(mutex_);
        sleeping_.fetch_add(1);
        wake_.wait(lock, fresh);
        sleeping_.fetch_sub(1);
      }
      if (stopping_.load()) return;
      uint64_t state = state_.load();
      seen = state >> 16;
      int tasks = static_cast<int>(state & 0xFFFF);
      if (index >= tasks) continue;
      (*job_)(index, tasks);
      if (pending_.fetch_sub(1) == 1 && caller_sleeping_.load()) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_.store(true);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int, int)>* job_ = nullptr;
  std::atomic<uint64_t> state_{0};
  std::atomic<int> pending_{0}, sleeping_{0};
  std::atomic<bool> caller_sleeping_{false}, stopping_{false};
  int limit_ = 1;
};

int default_threads() {
  const char* env = std::getenv("TRANSFORMER_THREADS");
  if (env != nullptr) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

Pool& pool() {
  static Pool instance(default_threads());
  return instance;
}

thread_local bool inside_parallel = false;

}  // namespace

int num_threads() { return pool().size(); }

void set_num_threads(int n) {
#ifdef __EMSCRIPTEN__
  // A page's worker starts only when the main thread returns to its event loop, so the workers
  // Emscripten preloaded are started once, all of them, and a count below that limits how many run.
  pool().limit(std::max(n, 1));
#else
  pool().resize(std::clamp(n, 1, 1024));
#endif
}

void parallel_run(int max_tasks, const std::function<void(int, int)>& fn) {
  int tasks = std::min(max_tasks, num_threads());
  if (inside_parallel || tasks <= 1) {
    // Nested or serial: one task, but still report the count the caller asked to partition by.
    fn(0, 1);
    return;
  }
  pool().run(tasks, [&](int t, int T) {
    bool outer = inside_parallel;
    inside_parallel = true;
    fn(t, T);
    inside_parallel = outer;
  });
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int64_t chunks = std::min<int64_t>(num_threads(), (n + grain - 1) / grain);
  if (chunks <= 1 || inside_parallel) {
    fn(0, n);
    return;
  }
  parallel_run(static_cast<int>(chunks), [&](int t, int T) {
    int64_t begin = n * t / T, end = n * (t + 1) / T;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace tt
