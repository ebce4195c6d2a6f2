// Where Node gets the wasm backend's files: build-wasm/ at the package root (npm run build:wasm),
// read with fs. Kept apart from src/backend/wasm/, whose code also runs in a browser.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { WASM_FILES, type WasmFactory, type WasmSource } from '../wasm/index.js';

// This file runs from dist/src/backend/wasm-node/.
const BUILD_DIR = new URL('../../../../build-wasm/', import.meta.url);

export const nodeWasmSource: WasmSource = {
  async load(flavour) {
    const loader = fileURLToPath(new URL(`${WASM_FILES[flavour]}.js`, BUILD_DIR));
    const binary = fileURLToPath(new URL(`${WASM_FILES[flavour]}.wasm`, BUILD_DIR));
    if (!existsSync(loader) || !existsSync(binary))
      throw new Error(`${loader} is missing (build it with \`npm run build:wasm\`)`);
    const create = createRequire(import.meta.url)(loader) as WasmFactory;
    // Node's fetch cannot read file paths, so the module's bytes are handed over.
    return { create, options: { wasmBinary: readFileSync(binary) } };
  },
  // Node always has SharedArrayBuffer.
  canShareMemory: () => true,
};
