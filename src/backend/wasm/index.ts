// The `wasm` backend: the C++ kernels of native/ compiled by Emscripten (scripts/build-wasm.js),
// behind the same contract. Loading compiles a module, so it is asynchronous: loadWasm() once,
// then the backend is an ordinary synchronous Backend. Where the files come from is the caller's
// WasmSource: src/backend/wasm-node/ reads them with fs, ./browser.ts fetches them; nothing here
// touches Node.
//
// Memory: tensors live in the module's heap while this backend is active (see heap.ts), so kernel
// calls pass addresses. The threads build's memory is shared and grows (old views stay valid); the
// one-thread build's memory cannot be shared, and growing an unshared memory would detach every
// view of it, so it gets a fixed size up front (`memoryMiB`).

import type { Backend, KernelName } from '../backend.js';
import { kernelNames } from '../js/index.js';
import { Heap, heapAllocator, type HeapAllocator } from './heap.js';
import { attentionKernels } from './kernels-attention.js';
import { denseKernels } from './kernels-dense.js';
import { int8Kernels } from './kernels-int8.js';
import { nnKernels } from './kernels-nn.js';
import type { WasmFlavour, WasmModule, WasmSource } from './module.js';

export type { WasmFactory, WasmFlavour, WasmSource } from './module.js';
export { WASM_FILES } from './module.js';

/** How initWasm loads the wasm backend. */
export interface WasmOptions {
  /** Load the threads build (default: when the environment can share memory: Node, isolated pages). */
  threads?: boolean;
  /** The one-thread build's fixed heap, in MiB (default 512). */
  memoryMiB?: number;
}

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
}

/** One instantiated module: the backend and what it runs on. */
export interface WasmInstance {
  readonly backend: WasmBackend;
  readonly heap: Heap;
  readonly module: WasmModule;
  readonly flavour: WasmFlavour;
}

const PAGE = 65536;
let loaded: WasmInstance | null = null;
let loading: Promise<WasmInstance> | null = null;
let loadError: string | null = null;

/** Loads the backend from `source` (once; later calls return the same backend). */
export async function loadWasm(source: WasmSource, options: WasmOptions = {}): Promise<WasmBackend> {
  loading ??= createWasmBackend(source, options).then(
    (l) => (loaded = l),
    (error: unknown) => {
      loading = null;
      loadError = error instanceof Error ? error.message : String(error);
      throw error;
    },
  );
  return (await loading).backend;
}

/**
 * A new instance of the module with its own heap. The backend the registry selects is the one
 * loadWasm() made; tests make more (both builds side by side).
 */
export async function createWasmBackend(source: WasmSource, options: WasmOptions = {}): Promise<WasmInstance> {
  const flavour: WasmFlavour = (options.threads ?? source.canShareMemory()) ? 'threads' : 'single';
  const { create, options: fileOptions } = await source.load(flavour);
  const memoryMiB = options.memoryMiB ?? 512;
  if (!(Number.isInteger(memoryMiB) && memoryMiB >= 16 && memoryMiB <= 4095))
    throw new RangeError(`the wasm heap must be a whole number of MiB in [16, 4095], got ${memoryMiB}`);
  const pages = memoryMiB * 16;
  const memory =
    flavour === 'threads'
      ? new WebAssembly.Memory({ initial: 256, maximum: PAGE, shared: true })
      : new WebAssembly.Memory({ initial: pages, maximum: pages });
  const module = await create({ ...fileOptions, wasmMemory: memory });
  // Node: the pool's idle workers must not keep the process alive.
  for (const w of [...(module.PThread?.unusedWorkers ?? []), ...(module.PThread?.runningWorkers ?? [])]) w.unref?.();
  const heap = new Heap(module, memory);
  const kernels = { ...denseKernels(heap), ...nnKernels(heap), ...attentionKernels(heap), ...int8Kernels(heap) };
  const missing = kernelNames.filter((k: KernelName) => typeof kernels[k] !== 'function');
  if (missing.length > 0) throw new Error(`the wasm glue lacks the kernels ${missing.join(', ')}`);
  const backend = Object.freeze({ name: 'wasm', ...kernels }) as unknown as WasmBackend;
  return { backend, heap, module, flavour };
}

/** The backend, or null until loadWasm() has finished (or when it failed: see wasmLoadError). */
export function wasmBackend(): WasmBackend | null {
  return loaded?.backend ?? null;
}

/** Why the last load failed, or null. */
export function wasmLoadError(): string | null {
  return loadError;
}

/** Which build is loaded ('single' or 'threads'), or null. */
export function wasmFlavour(): WasmFlavour | null {
  return loaded?.flavour ?? null;
}

/** Threads the kernels use (1 in the one-thread build), or 0 before loading. */
export function wasmThreads(): number {
  return loaded?.module._tt_num_threads() ?? 0;
}

/** Uses n threads, at most the workers the threads build started (one per core). */
export function setWasmThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`thread count must be an integer >= 1, got ${n}`);
  if (loaded === null) throw new Error('the wasm backend is not loaded');
  loaded.module._tt_set_num_threads(n);
}

/** The micro-kernel gemm uses ('wasm-simd128'), or null before loading. */
export function wasmSimdLevel(): string | null {
  return loaded === null ? null : loaded.heap.string(loaded.module._tt_simd_level());
}

/** The buffer pool's allocator in the heap, new tensors going there while isActive() holds. */
export function wasmAllocator(isActive: () => boolean): HeapAllocator | null {
  if (loaded === null) return null;
  const fixed = loaded.flavour === 'single';
  return heapAllocator(loaded.heap, fixed ? loaded.heap.memory.buffer.byteLength / 8 : 0, fixed, isActive);
}
