// The node-free half of the backend conformance suite: the shape of its cases, seeded random inputs, offset views
// and a float comparison that reports the worst element. The case files import only this (and node:assert), so
// the same table also runs in a browser (e2e/wasm.e2e.test.ts).

import assert from 'node:assert/strict';

import type { Backend, KernelName } from '../../src/backend/backend.js';

export { jsBackend } from '../../src/backend/js/index.js';

/** One row of the conformance table: a comparison of the native backend with the js reference. */
export interface ConformanceCase {
  /** The kernels the case compares; the runner checks that it calls each of them on native. */
  readonly kernels: readonly KernelName[];
  readonly name: string;
  run(native: Backend): void;
}

/** A small deterministic generator (mulberry32), so a failure reproduces. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(n: number, lo = -2, hi = 2): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }
  ints(n: number, lo: number, hi: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + Math.floor((hi - lo) * this.next());
    return out;
  }
}

/** A view of `data` starting `offset` elements into a larger buffer, to catch byteOffset bugs. */
export function offsetView(data: Float32Array, offset = 3): Float32Array {
  const buffer = new Float32Array(data.length + offset + 2).fill(Number.NaN);
  buffer.set(data, offset);
  return buffer.subarray(offset, offset + data.length);
}

export function offsetInts(data: Int32Array, offset = 5): Int32Array {
  const buffer = new Int32Array(data.length + offset + 2).fill(-7);
  buffer.set(data, offset);
  return buffer.subarray(offset, offset + data.length);
}

/**
 * |actual - expected| <= atol + rtol |expected| everywhere (NaN matches NaN, infinities must be
 * equal). atol is for values that are sums of cancelling terms: pass the terms' scale times the
 * float32 error of a sum of that length.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) assert.fail(`${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worstExcess || Number.isNaN(excess)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(
      `${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(|diff| ${Math.abs(actual[worst] - expected[worst]).toExponential(2)} > atol ${atol} + rtol ${rtol})`,
    );
  }
}

/** Absolute tolerance for a float32 sum of n terms of magnitude `scale`. */
export function sumTolerance(n: number, scale = 1): number {
  return 2e-7 * scale * Math.max(1, Math.sqrt(n)) * 4;
}

export const SIZES = [1, 7, 33, 257] as const;
