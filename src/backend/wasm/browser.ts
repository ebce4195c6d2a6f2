// Where a page or a web worker gets the wasm backend's files: from `baseUrl` (the folder holding
// build-wasm/'s files), by fetch. Emscripten's loaders are classic scripts, run with importScripts
// in a classic worker or as a <script> on a page; Emscripten 3.1.6's loader does not recognise a
// module worker, so one is refused with a message. The threads build needs a shared memory: a
// cross-origin isolated page.

import { WASM_FILES, type WasmFactory, type WasmSource } from './module.js';

declare const importScripts: ((...urls: string[]) => void) | undefined;

interface Global {
  createTransformerWasm?: WasmFactory;
  crossOriginIsolated?: boolean;
  document?: {
    createElement(tag: 'script'): { src: string; onload: unknown; onerror: unknown };
    head: { appendChild(node: unknown): void };
  };
}

async function runClassicScript(url: string): Promise<void> {
  const g = globalThis as unknown as Global;
  if (typeof importScripts === 'function') return importScripts(url);
  if (g.document !== undefined) {
    const doc = g.document;
    return new Promise((resolve, reject) => {
      const script = doc.createElement('script');
      script.src = url;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(`${url} did not load`));
      doc.head.appendChild(script);
    });
  }
  throw new Error(
    `${url} is a classic script: load the wasm backend on a page or in a classic worker (new Worker(url), not { type: 'module' })`,
  );
}

export function browserWasmSource(baseUrl: string | URL): WasmSource {
  const base = new URL(baseUrl, (globalThis as { location?: { href: string } }).location?.href);
  return {
    async load(flavour) {
      const script = new URL(`${WASM_FILES[flavour]}.js`, base).href;
      await runClassicScript(script);
      const create = (globalThis as unknown as Global).createTransformerWasm;
      if (typeof create !== 'function') throw new Error(`${script} did not define createTransformerWasm`);
      return { create, options: { locateFile: (file) => new URL(file, base).href, mainScriptUrlOrBlob: script } };
    },
    canShareMemory: () =>
      typeof SharedArrayBuffer === 'function' && (globalThis as unknown as Global).crossOriginIsolated === true,
  };
}
