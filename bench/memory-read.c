// How fast this machine's cores read memory: the ceiling of a decoding step at batch 1, which reads
// every weight once (about 104 MB of float32 for a base-size Marian model) and does two flops per
// weight. Each thread sums its share of a buffer larger than the last-level cache with four
// independent AVX-512 (or, without it, plain) accumulators, so that only memory limits it; the best of
// 20 passes is reported.
// Usage: cc -O2 -march=native -pthread bench/memory-read.c -o /tmp/memory-read && /tmp/memory-read [MiB] [threads]
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef float vec __attribute__((vector_size(64)));

enum { kPasses = 20 };

struct share {
  const vec* begin;
  size_t count;
  float sum;
  pthread_barrier_t* barrier;
  double best;  // thread 0: the best pass, barrier to barrier
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// Every thread reads its share kPasses times; the barriers line the passes up, so that thread 0's
// time from one barrier to the next is the time of the slowest share.
static void* read_share(void* arg) {
  struct share* s = arg;
  s->best = 1e30;
  s->sum = 0;
  for (int pass = 0; pass < kPasses; pass++) {
    pthread_barrier_wait(s->barrier);
    double t0 = now();
    vec a = {0}, b = {0}, c = {0}, d = {0};
    for (size_t i = 0; i + 4 <= s->count; i += 4) {
      a += s->begin[i];
      b += s->begin[i + 1];
      c += s->begin[i + 2];
      d += s->begin[i + 3];
    }
    vec t = a + b + c + d;
    for (int k = 0; k < 16; k++) s->sum += t[k];
    pthread_barrier_wait(s->barrier);
    double seconds = now() - t0;
    if (seconds < s->best) s->best = seconds;
  }
  return NULL;
}

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 104;
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  if (mib < 1 || threads < 1 || threads > 64) {
    fprintf(stderr, "memory-read: expected MiB >= 1 and 1 <= threads <= 64\n");
    return 2;
  }
  size_t count = mib * (1u << 20) / sizeof(vec);
  vec* data = aligned_alloc(64, count * sizeof(vec));
  if (data == NULL) {
    fprintf(stderr, "memory-read: cannot allocate %zu MiB\n", mib);
    return 1;
  }
  for (size_t i = 0; i < count; i++)
    for (int k = 0; k < 16; k++) data[i][k] = (float)((i + k) % 7);
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, threads);
  pthread_t ids[64];
  struct share shares[64];
  for (int t = 0; t < threads; t++) {
    size_t from = count * t / threads, to = count * (t + 1) / threads;
    shares[t] = (struct share){data + from, to - from, 0, &barrier, 0};
    if (t > 0) pthread_create(&ids[t], NULL, read_share, &shares[t]);
  }
  read_share(&shares[0]);
  float check = shares[0].sum;
  for (int t = 1; t < threads; t++) {
    pthread_join(ids[t], NULL);
    check += shares[t].sum;
  }
  double best = shares[0].best;
  printf("read %zu MiB with %d thread(s): best %.3f ms, %.1f GB/s (checksum %g)\n", mib, threads, best * 1e3,
         count * sizeof(vec) / best / 1e9, check);
  free(data);
  return 0;
}
