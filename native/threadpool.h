// A fixed pool of worker threads for data-parallel kernels. The calling thread takes part in every
// parallel_for, so a pool of T threads starts T - 1 workers.
#pragma once
#include <cstdint>
#include <functional>

namespace tt {

// Threads used by parallel kernels: TRANSFORMER_THREADS if set (>= 1), else the hardware's count.
int num_threads();
void set_num_threads(int n);

// Splits [0, n) into at most num_threads() contiguous chunks of at least `grain` items and runs
// fn(begin, end) on each, returning when all are done. Runs inline when one chunk suffices or when
// called from inside another parallel_for.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(t, T) once on each of T = min(num_threads(), max_tasks) threads (t = 0 .. T-1).
void parallel_run(int max_tasks, const std::function<void(int, int)>& fn);

}  // namespace tt
