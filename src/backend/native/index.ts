// The `native` backend: the C++ addon built from native/ by scripts/build-native.js. Its functions
// take the Backend methods' arguments, so the backend is the addon's functions as they are, one per
// kernel the js backend defines; the addon checks every argument and throws TypeError/RangeError
// naming kernel and argument.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import type { Backend, KernelName } from '../backend.js';
import { kernelNames } from '../js/index.js';

export interface NativeBackend extends Backend {
  readonly name: 'native';
}

interface Addon extends Record<KernelName, (...args: never[]) => void> {
  numThreads(): number;
  setNumThreads(n: number): void;
  simdLevel?: () => string;
  bf16Level?: () => string;
}

// This file runs from dist/src/backend/native/; node-gyp writes the addon under build/Release/ at
// the package root.
const ADDON_URL = new URL('../../../../build/Release/transformer_native.node', import.meta.url);

let addon: Addon | null = null;
let loadError: string | null = null;
let backendInstance: NativeBackend | null = null;

function load(): Addon | null {
  if (addon !== null || loadError !== null) return addon;
  const file = fileURLToPath(ADDON_URL);
  if (!existsSync(file)) {
    loadError = `${file} is missing (build it with \`node scripts/build-native.js\`)`;
    return null;
  }
  try {
    const loaded = createRequire(import.meta.url)(file) as Partial<Addon>;
    const missing = kernelNames.filter((k) => typeof loaded[k] !== 'function');
    if (missing.length > 0) throw new Error(`the addon lacks the kernels ${missing.join(', ')}`);
    addon = loaded as Addon;
  } catch (error) {
    loadError = `${file} failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
  return addon;
}

/** The native backend, or null when the addon is missing or fails to load (see nativeLoadError). */
export function loadNativeBackend(): NativeBackend | null {
  if (backendInstance !== null) return backendInstance;
  const a = load();
  if (a === null) return null;
  const kernels = Object.fromEntries(kernelNames.map((k) => [k, a[k]]));
  backendInstance = Object.freeze({ name: 'native', ...kernels }) as unknown as NativeBackend;
  return backendInstance;
}

/** Why the addon did not load, or null when it did (or has not been tried). */
export function nativeLoadError(): string | null {
  load();
  return loadError;
}

/** Threads the native kernels use (TRANSFORMER_THREADS, else the hardware's count). */
export function nativeThreads(): number {
  return load()?.numThreads() ?? 0;
}

export function setNativeThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`thread count must be an integer >= 1, got ${n}`);
  const a = load();
  if (a === null) throw new Error(`the native backend is not available (${loadError})`);
  a.setNumThreads(n);
}

/** The SIMD instruction set the GEMM kernel picked for this CPU ('avx512', 'avx2', ...), or null. */
export function simdLevel(): string | null {
  return load()?.simdLevel?.() ?? null;
}

/** How gemmBf16 runs: 'avx512bf16', or 'float32' (rounded copies multiplied by the float32 gemm), or null. */
export function bf16Level(): string | null {
  return load()?.bf16Level?.() ?? null;
}
