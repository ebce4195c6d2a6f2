// Which backend runs the kernels. Everywhere: `js`, the reference. Under Node, node-backends.ts adds
// `native` when its addon loads and picks the backend to start on (TRANSFORMER_BACKEND, else native when
// it loads, else js, announced once). Another backend (WebAssembly, say) joins with registerBackend.
// float64 tensors always run on `js`, the only backend that computes in float64 (gradient checks).
// This module itself uses nothing of Node, so that pages can import the engine (docs/browser.md).

import { quote } from '../quote.js';
import type { Backend } from './backend.js';
import { BackendError } from './backend-error.js';
import { jsBackend } from './js/index.js';
import type { NodeBackends } from './node-backends.js';

export { BackendError } from './backend-error.js';

/** The backends: `native` (C++ addon) and `js` (the reference, also in browsers). */
export type BackendName = 'js' | 'native';

const backends = new Map<BackendName, Backend>([['js', jsBackend]]);
/** Why a known backend cannot run here. */
const missing = new Map<BackendName, string>([['native', 'it needs Node and its addon']]);

let active: Backend = jsBackend;

// Node's setup is reached through a specifier held in a variable, which bundlers for the browser leave
// alone; a page never takes this branch.
const NODE_BACKENDS = './node-backends.js';
const host = globalThis as { process?: { versions?: { node?: string } } };
if (host.process?.versions?.node !== undefined) {
  const setup = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_BACKENDS)) as {
    nodeBackends(): NodeBackends;
  };
  const node = setup.nodeBackends();
  if (node.native !== null) registerBackend('native', node.native);
  else missing.set('native', node.nativeMissing ?? 'not built');
  setBackend(node.initial);
}

/** Makes a backend available under `name` (it must implement every kernel of backend.ts). */
export function registerBackend(name: BackendName, implementation: Backend): void {
  backends.set(name, implementation);
  missing.delete(name);
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
  return [...backends.keys()];
}

/** Makes `name` the backend every kernel runs on from now on. */
export function setBackend(name: BackendName): void {
  const chosen = backends.get(name);
  if (chosen === undefined)
    throw new BackendError(`the ${name} backend is not available (${missing.get(name) ?? `unknown: ${quote(name)}`})`);
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
