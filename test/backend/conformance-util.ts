// The Node half of the backend conformance suite: the backends under test (native, or a loud reason why not; the
// wasm builds, or a skip saying how to build them), and the helpers of conformance-helpers.ts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Backend } from '../../src/backend/backend.js';
import { kernelNames } from '../../src/backend/js/index.js';
import { loadNativeBackend, nativeLoadError } from '../../src/backend/native/index.js';
import { createWasmBackend, type WasmInstance } from '../../src/backend/wasm/index.js';
import { nodeWasmSource } from '../../src/backend/wasm-node/load.js';

export * from './conformance-helpers.js';

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
