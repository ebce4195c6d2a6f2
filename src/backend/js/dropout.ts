// Inverted dropout (Srivastava et al. 2014) with a counter-based mask: element j of a call is kept
// iff dropoutHash(seed, j) >= threshold, so backward passes regenerate the mask instead of storing it.

import { dropoutHash } from '../backend.js';
import type { FloatArray } from '../backend.js';

/** Whether mask element j survives: both are uint32, so this drops about threshold / 2^32 of them. */
export function keep(seed: number, j: number, threshold: number): boolean {
  return dropoutHash(seed, j) >= threshold;
}

/** out[i] = keep(seed, offset + i) ? x[i] * scale : 0 for i < n. Also the backward pass, on dy. */
export function dropout(
  out: FloatArray,
  x: FloatArray,
  n: number,
  threshold: number,
  scale: number,
  seed: number,
  offset: number,
): void {
  for (let i = 0; i < n; i++) out[i] = keep(seed, offset + i, threshold) ? x[i] * scale : 0;
}
