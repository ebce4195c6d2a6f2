"""numpy (OpenBLAS) float32 GEMM throughput, the reference `transformer bench gemm` is measured against.

Usage: python3 bench/gemm_numpy.py --size N --threads T
Prints one JSON line {"size", "threads", "gflops", ...}: the median of timed repeats of an N x N x N
float32 matmul, timed exactly like bench-gemm.ts (3 warm-up calls, then repeats for ~1 s, >= 5).
"""

import argparse
import json
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if args.size < 1 or args.threads < 1:
        parser.error("--size and --threads must be >= 1")

    # OpenBLAS reads its thread count once, when numpy is first imported.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np

    n = args.size
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32) - 0.5
    b = rng.random((n, n), dtype=np.float32) - 0.5
    c = np.empty((n, n), dtype=np.float32)
    for _ in range(3):
        np.matmul(a, b, out=c)
    samples = []
    start = time.perf_counter()
    while len(samples) < 5 or time.perf_counter() - start < 1.0:
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        samples.append(time.perf_counter() - t0)
    samples.sort()
    flops = 2.0 * n * n * n
    median = samples[len(samples) // 2]
    print(json.dumps({
        "size": n,
        "threads": args.threads,
        "gflops": round(flops / median / 1e9, 1),
        "best_gflops": round(flops / samples[0] / 1e9, 1),
        "stat": "median",
        "ms": round(median * 1e3, 3),
        "repeats": len(samples),
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
