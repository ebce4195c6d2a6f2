// Which backend runs the kernels. Everywhere: `js`, the reference. Under Node, node-backends.ts adds
// `native` when its addon loads and picks the backend to start on (TRANSFORMER_BACKEND, else native when
// it loads, else js, announced once). `wasm` loads asynchronously, in Node and in pages: `await
// initWasm()`, then setBackend('wasm'); TRANSFORMER_BACKEND=wasm does both when this module loads (Node).
// float64 tensors always run on `js`, the only backend that computes in float64 (gradient checks).
// This module itself uses nothing of Node, so that pages can import the engine (docs/browser.md).

import { quote } from '../quote.js';
import type { Backend } from './backend.js';
import { BackendError } from './backend-error.js';
import { jsBackend } from './js/index.js';
import type { NodeBackends } from './node-backends.js';
import { browserWasmSource } from './wasm/browser.js';
import type { HeapAllocator } from './wasm/heap.js';
import {
  loadWasm,
  setWasmThreads,
  wasmAllocator,
  wasmLoadError,
  type WasmOptions,
  type WasmSource,
} from './wasm/index.js';

export { BackendError } from './backend-error.js';

/** The backends: `native` (C++ addon, Node), `wasm` (the same C++ for the web) and `js` (the reference). */
export type BackendName = 'js' | 'native' | 'wasm';

const backends = new Map<BackendName, Backend>([['js', jsBackend]]);
/** Why a known backend cannot run here. */
const missing = new Map<BackendName, string>([
  ['native', 'it needs Node and its addon'],
  ['wasm', 'call and await initWasm() first'],
]);

let active: Backend = jsBackend;
let heap: HeapAllocator | null = null;

// Node's setup is reached through specifiers held in variables, which bundlers for the browser leave
// alone; a page never takes these branches.
const NODE_BACKENDS = './node-backends.js';
const NODE_WASM_LOADER = './wasm-node/load.js';
const host = globalThis as { process?: { versions?: { node?: string } } };
const isNode = host.process?.versions?.node !== undefined;
if (isNode) {
  const setup = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_BACKENDS)) as {
    nodeBackends(): NodeBackends;
  };
  const node = setup.nodeBackends();
  if (node.native !== null) registerBackend('native', node.native);
  else missing.set('native', node.nativeMissing ?? 'not built');
  if (node.initial === 'wasm') {
    await initWasm().catch((error: Error) => {
      throw new BackendError(`TRANSFORMER_BACKEND=wasm, but ${error.message}`);
    });
    // The wasm module cannot read the environment: it is told.
    if (node.threads !== null) setWasmThreads(node.threads);
  }
  setBackend(node.initial);
}

/** Makes a backend available under `name` (it must implement every kernel of backend.ts). */
export function registerBackend(name: BackendName, implementation: Backend): void {
  backends.set(name, implementation);
  missing.delete(name);
}

/**
 * Loads the wasm backend (compiling its module takes a moment, hence async); setBackend('wasm')
 * then selects it. Node reads build-wasm/ (`npm run build:wasm`); a page fetches the same files
 * from `baseUrl`. Threads when the environment can share memory (Node, cross-origin isolated pages).
 */
export async function initWasm(options: WasmOptions & { baseUrl?: string | URL } = {}): Promise<void> {
  const source: WasmSource =
    isNode && options.baseUrl === undefined
      ? (
          (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_WASM_LOADER)) as {
            nodeWasmSource: WasmSource;
          }
        ).nodeWasmSource
      : browserWasmSource(options.baseUrl ?? 'build-wasm/');
  const wasm = await loadWasm(source, options).catch(() => {
    throw new BackendError(`the wasm backend is not available (${wasmLoadError()})`);
  });
  registerBackend('wasm', wasm);
  heap ??= wasmAllocator(() => active.name === 'wasm');
}

/** Where the buffer pool puts tensors while the wasm backend is active (null until it is loaded). */
export function wasmHeapAllocator(): HeapAllocator | null {
  return heap;
}

/** The backend that runs float32 and int32 kernels. */
export function backend(): Backend {
  return active;
}

/** The backend for a given element type: float64 always runs on js. */
export function backendFor(dtype: 'float32' | 'float64' | 'int32'): Backend {
  return dtype === 'float64' ? jsBackend : active;
}

/** The backends that can run here (`native` only when its addon loaded, `wasm` once initWasm() has). */
export function availableBackends(): BackendName[] {
  return (['js', 'native', 'wasm'] as const).filter((name) => backends.has(name));
}

/** Makes `name` the backend every kernel runs on from now on. */
export function setBackend(name: BackendName): void {
  const chosen = backends.get(name);
  if (chosen === undefined) {
    const why = name === 'wasm' ? (wasmLoadError() ?? missing.get(name)) : missing.get(name);
    throw new BackendError(
      `the ${name} backend is not ${name === 'wasm' ? 'loaded' : 'available'} (${why ?? `unknown: ${quote(name)}`})`,
    );
  }
  active = chosen;
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
