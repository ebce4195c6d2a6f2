// Which backend runs the kernels. `native` when its addon loads (Node only), else `js`, announced
// once. TRANSFORMER_BACKEND=js|native picks one explicitly. float64 tensors always run on `js`, the
// only backend that computes in float64 (used by gradient checks).

import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

export type BackendName = 'js' | 'native';

interface NativeModule {
  loadNativeBackend(): Backend | null;
  nativeLoadError(): string | null;
}

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
// Imported lazily so that browser bundles never reach the Node-only loader.
const nativeModule: NativeModule | null = isNode ? ((await import('./native/index.js')) as NativeModule) : null;
const native: Backend | null = nativeModule?.loadNativeBackend() ?? null;

let active: Backend = chooseInitial();

function chooseInitial(): Backend {
  const wanted = isNode ? process.env.TRANSFORMER_BACKEND : undefined;
  if (wanted === 'js') return jsBackend;
  if (wanted !== undefined && wanted !== '' && wanted !== 'native') {
    throw new Error(`TRANSFORMER_BACKEND must be "js" or "native", got "${wanted}"`);
  }
  if (native !== null) return native;
  if (wanted === 'native') throw new Error('TRANSFORMER_BACKEND=native, but the native backend is not available');
  if (isNode) {
    const why = nativeModule?.nativeLoadError() ?? 'not built';
    process.emitWarning(`native backend unavailable (${why}); running on the js backend, which is much slower`, {
      code: 'TRANSFORMER_NO_NATIVE',
    });
  }
  return jsBackend;
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
  return native === null ? ['js'] : ['js', 'native'];
}

export function setBackend(name: BackendName): void {
  if (name === 'js') active = jsBackend;
  else if (native !== null) active = native;
  else throw new Error(`the native backend is not available (${nativeModule?.nativeLoadError() ?? 'not built'})`);
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
