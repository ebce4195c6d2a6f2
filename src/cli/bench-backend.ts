// `--backend js|native|wasm` and `--threads T` of the bench commands: selects the backend the
// measurement runs on and sets its threads, and names what runs (SIMD level, threads) for the report.

import { backend, initWasm, setBackend, type BackendName } from '../backend/registry.js';
import { nativeThreads, setNativeThreads, simdLevel } from '../backend/native/index.js';
import { setWasmThreads, wasmSimdLevel, wasmThreads } from '../backend/wasm/index.js';
import { quote } from '../quote.js';
import { UsageError } from './flags.js';

const NAMES: readonly string[] = ['js', 'native', 'wasm'];

export interface BenchBackend {
  name: BackendName;
  simd: string;
  threads: number;
}

/** Selects `name` (default: the active backend) with `threads` threads; js always runs on one. */
export async function selectBenchBackend(name: string | undefined, threads: number): Promise<BenchBackend> {
  const wanted = (name ?? backend().name) as BackendName;
  if (!NAMES.includes(wanted)) throw new UsageError(`--backend must be "js", "native" or "wasm", got ${quote(name)}`);
  if (wanted === 'wasm') await initWasm();
  setBackend(wanted);
  if (wanted === 'native') {
    setNativeThreads(threads);
    return { name: wanted, simd: simdLevel() ?? 'unknown', threads: nativeThreads() };
  }
  if (wanted === 'wasm') {
    setWasmThreads(threads);
    return { name: wanted, simd: wasmSimdLevel() ?? 'unknown', threads: wasmThreads() };
  }
  return { name: wanted, simd: 'none', threads: 1 };
}
