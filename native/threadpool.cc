// Thread pool behind tt::parallel_for: workers sleep on a condition variable between jobs.
#include "threadpool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tt {
namespace {

class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    stop();
    stopping_ = false;
    for (int i = 1; i < threads; i++) workers_.emplace_back([this, i] { loop(i); });
  }

  // Runs fn(t, tasks) for t in [0, tasks); the caller runs t = 0.
  void run(int tasks, const std::function<void(int, int)>& fn) {
    if (tasks <= 1) {
      fn(0, 1);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      tasks_ = tasks;
      pending_.store(tasks - 1);
      generation_++;
    }
    wake_.notify_all();
    fn(0, tasks);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_.load() == 0; });
    job_ = nullptr;
  }

 private:
  void loop(int index) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int, int)>* job;
      int tasks;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        job = job_;
        tasks = tasks_;
      }
      if (index < tasks) {
        (*job)(index, tasks);
        if (pending_.fetch_sub(1) == 1) {
          std::lock_guard<std::mutex> lock(mutex_);
          done_.notify_one();
        }
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int, int)>* job_ = nullptr;
  int tasks_ = 0;
  uint64_t generation_ = 0;
  std::atomic<int> pending_{0};
  bool stopping_ = false;
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

void set_num_threads(int n) { pool().resize(std::max(1, n)); }

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
