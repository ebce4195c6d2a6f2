// The counter-based dropout mask shared by the dropout and attention kernels; it must match
// dropoutHash in src/backend/backend.ts bit for bit.
#pragma once
#include <cstdint>

namespace tt {

// murmur3's 32-bit finaliser of seed ^ (j * golden ratio).
inline uint32_t dropout_hash(uint32_t seed, uint32_t j) {
  uint32_t h = seed ^ (j * 0x9e3779b1u);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// out[i] = keep(seed, offset + i) ? x[i] * scale : 0 for one contiguous run; out may be x.
void dropout_run(float* out, const float* x, int64_t n, uint32_t threshold, float scale,
                 uint32_t seed, uint32_t offset);

}  // namespace tt
