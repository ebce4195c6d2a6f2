// A model folder as bytes in memory (docs/model-folder.md): config.json, model.safetensors and
// tokenizer.json, exactly what saveModel writes to disk, for a page to offer as a download. No Node.

import type { Model } from '../model/index.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { CONFIG_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, TOKENIZER_FILE, WEIGHTS_FILE } from './model-files.js';
import { encodeSafetensors } from './safetensors-encode.js';
import type { TensorToWrite } from './safetensors-format.js';

/** The folder's files by name: the config, every parameter in float32, and the tokenizer when given. */
export function modelFolderFiles(
  model: Model,
  tokenizer: Tokenizer | null,
  metadata: Record<string, string> = {},
): Map<string, Uint8Array> {
  const utf8 = new TextEncoder();
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, p] of model.namedParameters()) {
    const values = p.dense();
    tensors.set(name, { shape: p.shape, data: values instanceof Float32Array ? values : Float32Array.from(values) });
  }
  const header = { ...metadata, format: MODEL_FORMAT, version: String(MODEL_FORMAT_VERSION) };
  const config = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, ...model.config };
  const files = new Map<string, Uint8Array>([
    [CONFIG_FILE, utf8.encode(`${JSON.stringify(config, null, 2)}\n`)],
    [WEIGHTS_FILE, concat(encodeSafetensors(tensors, header, WEIGHTS_FILE))],
  ]);
  if (tokenizer !== null) files.set(TOKENIZER_FILE, utf8.encode(tokenizer.toJson()));
  return files;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
