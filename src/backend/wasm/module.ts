// What the Emscripten build of native/ (scripts/build-wasm.js) hands back: the C functions of
// native/wasm/glue.cc, `_name` as Emscripten exports them, and where its files come from.

/** The options this backend passes to Emscripten's factory. */
export interface WasmFactoryOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  wasmMemory: WebAssembly.Memory;
  locateFile?: (file: string) => string;
  mainScriptUrlOrBlob?: string;
}

/** The loader Emscripten generates (MODULARIZE): a factory that instantiates the module. */
export type WasmFactory = (options: WasmFactoryOptions) => Promise<WasmModule>;

type Fn = (...args: number[]) => number | void;

interface NodeWorker {
  unref?: () => void;
}

export interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _tt_num_threads(): number;
  _tt_set_num_threads(n: number): number | void;
  _tt_simd_level(): number;
  /** Emscripten's worker pool (threads build only). */
  PThread?: { unusedWorkers: NodeWorker[]; runningWorkers: NodeWorker[] };
  [kernel: `_tt_${string}`]: Fn;
}

/** Which of the two builds to load: one thread, or pthreads on a shared memory. */
export type WasmFlavour = 'single' | 'threads';

/** The builds' base names in build-wasm/ (each has a .js loader and a .wasm module). */
export const WASM_FILES: Readonly<Record<WasmFlavour, string>> = {
  single: 'transformer-wasm',
  threads: 'transformer-wasm-threads',
};

/** How one environment (Node, a page) gets a build's loader and the options it needs. */
export interface WasmSource {
  load(flavour: WasmFlavour): Promise<{ create: WasmFactory; options: Omit<WasmFactoryOptions, 'wasmMemory'> }>;
  /** Whether a shared memory (and so the threads build) is possible here. */
  canShareMemory(): boolean;
}
