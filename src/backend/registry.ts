// Which backend runs the kernels. `native` when its addon loads (Node only), else `js`, announced
// once. TRANSFORMER_BACKEND=js|native picks one explicitly; TRANSFORMER_THREADS sets the native
// backend's threads, at most one per core. float64 tensors always run on `js`, the only backend that
// computes in float64 (used by gradient checks). `wasm` loads asynchronously: `await initWasm()`,
// then setBackend('wasm'); TRANSFORMER_BACKEND=wasm does both when this module loads (Node).

import { InputError } from '../errors.js';
import { quote } from '../quote.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { browserWasmSource } from './wasm/browser.js';
import type { HeapAllocator } from './wasm/heap.js';
import { loadWasm, setWasmThreads, wasmAllocator, wasmBackend, wasmLoadError, type WasmOptions } from './wasm/index.js';

export type BackendName = 'js' | 'native' | 'wasm';

const BACKEND_NAMES: readonly BackendName[] = ['js', 'native', 'wasm'];

/** A backend setting in the environment that cannot be honoured. */
export class BackendError extends InputError {
  override name = 'BackendError';
}

interface NativeModule {
  loadNativeBackend(): Backend | null;
  nativeLoadError(): string | null;
  setNativeThreads(n: number): void;
}

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
// Imported lazily so that browser bundles never reach the Node-only loader.
const nativeModule: NativeModule | null = isNode ? ((await import('./native/index.js')) as NativeModule) : null;
const native: Backend | null = nativeModule?.loadNativeBackend() ?? null;

let heap: HeapAllocator | null = null;
let active: Backend = await chooseInitial();
if (active === native || active.name === 'wasm') await applyThreadSetting();

async function chooseInitial(): Promise<Backend> {
  const wanted = isNode ? process.env.TRANSFORMER_BACKEND : undefined;
  if (wanted === 'js') return jsBackend;
  if (wanted === 'wasm') {
    await initWasm().catch((error: Error) => {
      throw new BackendError(`TRANSFORMER_BACKEND=wasm, but ${error.message}`);
    });
    return wasmBackend()!;
  }
  if (wanted !== undefined && wanted !== '' && wanted !== 'native') {
    const quoted = BACKEND_NAMES.map((n) => quote(n));
    const names = `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
    throw new BackendError(`TRANSFORMER_BACKEND must be ${names} (or unset), got ${quote(wanted)}`);
  }
  if (native !== null) return native;
  if (wanted === 'native')
    throw new BackendError(
      `TRANSFORMER_BACKEND=native, but the native backend is not available (${nativeModule?.nativeLoadError() ?? 'not built'})`,
    );
  if (isNode) {
    const why = nativeModule?.nativeLoadError() ?? 'not built';
    process.emitWarning(`native backend unavailable (${why}); running on the js backend, which is much slower`, {
      code: 'TRANSFORMER_NO_NATIVE',
    });
  }
  return jsBackend;
}

/**
 * TRANSFORMER_THREADS: a whole number >= 1 (the addon reads it itself); more threads than cores only
 * make the threads wait for each other, so it is capped at the cores, with a warning.
 */
async function applyThreadSetting(): Promise<void> {
  const raw = process.env.TRANSFORMER_THREADS;
  if (raw === undefined || raw === '') return;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1)
    throw new BackendError(`TRANSFORMER_THREADS must be a whole number of threads, 1 or more, got ${quote(raw)}`);
  const { availableParallelism } = await import('node:os');
  const cores = availableParallelism();
  // The wasm module cannot read the environment: it is told.
  if (active.name === 'wasm') setWasmThreads(Math.min(Number(raw), cores));
  if (Number(raw) <= cores) return;
  // The addon reads the variable when it first starts its threads: it must never see the uncapped value
  // (100,000 threads abort the process).
  process.env.TRANSFORMER_THREADS = String(cores);
  if (active === native) nativeModule!.setNativeThreads(cores);
  // Worker threads (the server's) apply the cap silently: the main thread has said it once.
  if ((await import('node:worker_threads')).isMainThread)
    process.emitWarning(`TRANSFORMER_THREADS=${Number(raw)} is more than the ${cores} cores here; using ${cores}`, {
      code: 'TRANSFORMER_THREADS',
    });
}

/** The backend that runs float32 and int32 kernels. */
export function backend(): Backend {
  return active;
}

/** The backend for a given element type: float64 always runs on js. */
export function backendFor(dtype: 'float32' | 'float64' | 'int32'): Backend {
  return dtype === 'float64' ? jsBackend : active;
}

export function availableBackends(): BackendName[] {
  const names: BackendName[] = native === null ? ['js'] : ['js', 'native'];
  return wasmBackend() === null ? names : [...names, 'wasm'];
}

export function setBackend(name: BackendName): void {
  if (name === 'js') active = jsBackend;
  else if (name === 'wasm') active = loadedWasm();
  else if (native !== null) active = native;
  else
    throw new BackendError(`the native backend is not available (${nativeModule?.nativeLoadError() ?? 'not built'})`);
}

function loadedWasm(): Backend {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm;
  const why = wasmLoadError();
  throw new BackendError(`the wasm backend is not loaded (${why ?? 'call and await initWasm() first'})`);
}

/**
 * Loads the wasm backend (compiling its module takes a moment, hence async); setBackend('wasm')
 * then selects it. Node reads build-wasm/ (`npm run build:wasm`); a page fetches the same files
 * from `baseUrl`. Threads when the environment can share memory (Node, cross-origin isolated pages).
 */
export async function initWasm(options: WasmOptions & { baseUrl?: string | URL } = {}): Promise<void> {
  const source =
    isNode && options.baseUrl === undefined
      ? (await import('./wasm-node/load.js')).nodeWasmSource
      : browserWasmSource(options.baseUrl ?? 'build-wasm/');
  await loadWasm(source, options).catch(() => {
    throw new BackendError(`the wasm backend is not available (${wasmLoadError()})`);
  });
  heap ??= wasmAllocator(() => active.name === 'wasm');
}

/** Where the buffer pool puts tensors while the wasm backend is active (null until it is loaded). */
export function wasmHeapAllocator(): HeapAllocator | null {
  return heap;
}

/** Runs fn with another backend active (tests, benchmarks). */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const previous = active;
  setBackend(name);
  try {
    return fn();
  } finally {
    active = previous;
  }
}
