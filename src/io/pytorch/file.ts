// A pytorch_model.bin read from disk (the parsing itself, in checkpoint.ts, takes bytes).

import { readFileSync } from 'node:fs';

import type { StoredTensor } from '../safetensors-format.js';
import { parsePytorchCheckpoint } from './checkpoint.js';

export { PYTORCH_WEIGHTS_FILE } from './checkpoint.js';

export function readPytorchCheckpoint(path: string): Map<string, StoredTensor> {
  const bytes = readFileSync(path);
  return parsePytorchCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
