// Which backend runs the kernels. `native` when its addon loads (Node only), else `js`, announced
// once. TRANSFORMER_BACKEND=js|native picks one explicitly; TRANSFORMER_THREADS sets the native
// backend's threads, at most one per core. float64 tensors always run on `js`, the only backend that
// computes in float64 (used by gradient checks).

import { InputError } from '../errors.js';
import { quote } from '../quote.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

/** The backends: `native` (C++ addon) and `js` (the reference, also in browsers). */
export type BackendName = 'js' | 'native';

const BACKEND_NAMES: readonly BackendName[] = ['js', 'native'];

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

let active: Backend = chooseInitial();
if (active === native) await applyThreadSetting();

function chooseInitial(): Backend {
  const wanted = isNode ? process.env.TRANSFORMER_BACKEND : undefined;
  if (wanted === 'js') return jsBackend;
  if (wanted !== undefined && wanted !== '' && wanted !== 'native') {
    const names = BACKEND_NAMES.map((n) => quote(n)).join(' or ');
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
  if (Number(raw) <= cores) return;
  // The addon reads the variable when it first starts its threads: it must never see the uncapped value
  // (100,000 threads abort the process).
  process.env.TRANSFORMER_THREADS = String(cores);
  nativeModule!.setNativeThreads(cores);
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

/** The backends that can run here (`native` only when its addon loaded). */
export function availableBackends(): BackendName[] {
  return native === null ? ['js'] : ['js', 'native'];
}

/** Makes `name` the backend every kernel runs on from now on. */
export function setBackend(name: BackendName): void {
  if (name === 'js') active = jsBackend;
  else if (native !== null) active = native;
  else
    throw new BackendError(`the native backend is not available (${nativeModule?.nativeLoadError() ?? 'not built'})`);
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
