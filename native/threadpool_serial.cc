// The thread pool's interface (threadpool.h) on one thread, for builds without threads: the
// WebAssembly module a page loads when it is not cross-origin isolated (no SharedArrayBuffer).
// Every parallel region runs inline on the caller, as one task.
#include "threadpool.h"

namespace tt {

int num_threads() { return 1; }

void set_num_threads(int) {}

void parallel_for(int64_t n, int64_t, const std::function<void(int64_t, int64_t)>& fn) {
  if (n > 0) fn(0, n);
}

void parallel_run(int, const std::function<void(int, int)>& fn) { fn(0, 1); }

}  // namespace tt
