// Shared pieces of the backend conformance suite: the shape of its cases, the backends under test
// (native, or a loud reason why not; the wasm builds, or a skip saying how to build them), seeded
// random inputs and a float comparison that reports the worst element.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Backend, KernelName } from '../../src/backend/backend.js';
import { kernelNames } from '../../src/backend/js/index.js';
import { loadNativeBackend, nativeLoadError } from '../../src/backend/native/index.js';
import { createWasmBackend, type WasmInstance } from '../../src/backend/wasm/index.js';
import { nodeWasmSource } from '../../src/backend/wasm-node/load.js';

export { jsBackend } from '../../src/backend/js/index.js';

const loaded = loadNativeBackend();

// Both wasm builds, each with its own heap; null (and why) when build-wasm/ is missing.
let wasmWhy = '';
const wasmBuilds = await Promise.all([
  createWasmBackend(nodeWasmSource, { threads: true }),
  createWasmBackend(nodeWasmSource, { threads: false, memoryMiB: 64 }),
]).catch((error: unknown) => {
  wasmWhy = error instanceof Error ? error.message : String(error);
  return null;
});

/** One row of the conformance table: a comparison of the native backend with the js reference. */
export interface ConformanceCase {
  /** The kernels the case compares; the runner checks that it calls each of them on native. */
  readonly kernels: readonly KernelName[];
  readonly name: string;
  run(native: Backend): void;
}

/**
 * Declares a suite that runs against the native backend. Without the addon the suite fails with the
 * load error, so CI never passes silently; TRANSFORMER_ALLOW_NO_NATIVE=1 turns that into a skip.
 */
export function nativeSuite(name: string, body: (native: Backend) => void): void {
  if (loaded !== null) {
    describe(name, () => body(loaded));
    return;
  }
  const reason = `native backend unavailable: ${nativeLoadError() ?? 'unknown error'}`;
  if (process.env.TRANSFORMER_ALLOW_NO_NATIVE === '1') {
    describe(name, { skip: `${reason} (TRANSFORMER_ALLOW_NO_NATIVE=1)` }, () => {});
    return;
  }
  test(name, () => {
    assert.fail(`${reason}; set TRANSFORMER_ALLOW_NO_NATIVE=1 to skip the native conformance suites`);
  });
}

/**
 * Declares a suite per backend under test: native, and the wasm backend three ways (the threads
 * build, the same with every array first moved into its heap as tensors are, the one-thread build).
 */
export function backendSuites(name: string, body: (backend: Backend) => void): void {
  nativeSuite(`${name}: native`, body);
  wasmSuite(`${name}: wasm`, (threads, single) => {
    describe('threads build, arrays copied in', () => body(threads.backend));
    describe('threads build, arrays in the heap', () => body(inHeap(threads)));
    describe('one-thread build', () => body(single.backend));
  });
}

/** Declares suites on the two wasm builds, or a skip saying how to build them. */
export function wasmSuite(name: string, body: (threads: WasmInstance, single: WasmInstance) => void): void {
  if (wasmBuilds === null) {
    // wasmWhy already says to run `npm run build:wasm`; what that needs is said here.
    const needs = '`npm run build:wasm` needs Emscripten (apt-get install emscripten)';
    describe(name, { skip: `the wasm backend is not built: ${wasmWhy}; ${needs}` }, () => {});
    return;
  }
  describe(name, () => body(...wasmBuilds));
}

/**
 * The wasm backend called the way tensor ops call it: every typed array first copied to a view of
 * the heap, which the kernel then reads and writes in place, and copied back after the call.
 */
function inHeap(wasm: WasmInstance): Backend {
  const kernels = kernelNames.map((k) => {
    const kernel = wasm.backend[k] as (...args: unknown[]) => void;
    return [
      k,
      (...args: unknown[]) => {
        // One view per distinct array, so an in-place call (out === x) stays in place.
        const views = new Map<Float32Array | Int32Array, Float32Array | Int32Array>();
        const moved = args.map((arg) => {
          if (!(arg instanceof Float32Array || arg instanceof Int32Array)) return arg;
          let view = views.get(arg);
          if (view === undefined) {
            view = wasm.heap.alloc(arg instanceof Float32Array ? 'float32' : 'int32', arg.length)!;
            view.set(arg);
            views.set(arg, view);
          }
          return view;
        });
        try {
          kernel(...moved);
        } finally {
          for (const [arg, view] of views) {
            arg.set(view);
            wasm.heap.free(view);
          }
        }
      },
    ];
  });
  return { ...wasm.backend, ...Object.fromEntries(kernels) } as Backend;
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
