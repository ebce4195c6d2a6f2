// Node's part of choosing a backend: the native addon when it loads, TRANSFORMER_BACKEND=js|native|wasm
// to pick one explicitly, and TRANSFORMER_THREADS for the native or wasm backend's threads, at most one
// per core.
// The registry imports this module only when it runs under Node, so a page never loads it.

import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';

import { quote } from '../quote.js';
import type { Backend } from './backend.js';
import { BackendError } from './backend-error.js';
import { loadNativeBackend, nativeLoadError, setNativeThreads } from './native/index.js';

/** What Node adds to the registry: the native backend (or why it is missing) and the backend to start on. */
export interface NodeBackends {
  native: Backend | null;
  /** Why the native backend is missing, when it is. */
  nativeMissing: string | null;
  initial: 'js' | 'native' | 'wasm';
  /** TRANSFORMER_THREADS capped at the cores, when it is set (the registry tells the wasm module). */
  threads: number | null;
}

export function nodeBackends(): NodeBackends {
  const native = loadNativeBackend();
  const nativeMissing = native === null ? (nativeLoadError() ?? 'not built') : null;
  const initial = chooseInitial(native !== null, nativeMissing);
  const threads = initial === 'js' ? null : applyThreadSetting(initial);
  return { native, nativeMissing, initial, threads };
}

function chooseInitial(hasNative: boolean, nativeMissing: string | null): 'js' | 'native' | 'wasm' {
  const wanted = process.env.TRANSFORMER_BACKEND;
  if (wanted === 'js' || wanted === 'wasm') return wanted;
  if (wanted !== undefined && wanted !== '' && wanted !== 'native') {
    const names = `${quote('js')}, ${quote('native')} or ${quote('wasm')}`;
    throw new BackendError(`TRANSFORMER_BACKEND must be ${names} (or unset), got ${quote(wanted)}`);
  }
  if (hasNative) return 'native';
  if (wanted === 'native')
    throw new BackendError(`TRANSFORMER_BACKEND=native, but the native backend is not available (${nativeMissing})`);
  process.emitWarning(
    `native backend unavailable (${nativeMissing}); running on the js backend, which is much slower`,
    {
      code: 'TRANSFORMER_NO_NATIVE',
    },
  );
  return 'js';
}

/**
 * TRANSFORMER_THREADS: a whole number >= 1 (the addon reads it itself); more threads than cores only
 * make the threads wait for each other, so it is capped at the cores, with a warning.
 */
function applyThreadSetting(backend: 'native' | 'wasm'): number | null {
  const raw = process.env.TRANSFORMER_THREADS;
  if (raw === undefined || raw === '') return null;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1)
    throw new BackendError(`TRANSFORMER_THREADS must be a whole number of threads, 1 or more, got ${quote(raw)}`);
  const cores = availableParallelism();
  if (Number(raw) <= cores) return Number(raw);
  // The addon reads the variable when it first starts its threads: it must never see the uncapped value
  // (100,000 threads abort the process).
  process.env.TRANSFORMER_THREADS = String(cores);
  if (backend === 'native') setNativeThreads(cores);
  // Worker threads (the server's) apply the cap silently: the main thread has said it once.
  if (isMainThread)
    process.emitWarning(`TRANSFORMER_THREADS=${Number(raw)} is more than the ${cores} cores here; using ${cores}`, {
      code: 'TRANSFORMER_THREADS',
    });
  return cores;
}
