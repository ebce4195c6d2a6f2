// A model folder (docs/model-folder.md): config.json, model.safetensors and optionally tokenizer.json,
// laid out like a Hugging Face model folder so that models can travel to and from PyTorch. This file is
// Node's side: writing folders, and reading them from disk through the parsers of model-files.ts.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { quantizeModel, type Model, type ModelConfig } from '../model/index.js';
import { int8Tensors } from './int8-weights.js';
import { backend } from '../backend/registry.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { writeFileAtomic } from './atomic.js';
import { DirectorySource } from './directory-source.js';
import { ABSENT, decodeText, FolderReadError } from './folder-source.js';
import {
  CONFIG_FILE,
  loadModelFrom,
  loadTokenizerFrom,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFolderError,
  parseModelConfig,
  TOKENIZER_FILE,
  unreadableConfig,
  WEIGHTS_FILE,
} from './model-files.js';
import { writeSafetensors, type TensorToWrite } from './safetensors.js';

export {
  assignParameters,
  CONFIG_FILE,
  layoutProblems,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFolderError,
  problemList,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
} from './model-files.js';

/** What saveModel writes beside the config and weights: a tokenizer file and metadata. */
export interface SaveOptions {
  /** A tokenizer file to copy into the folder as tokenizer.json. */
  tokenizerPath?: string;
  /** Strings stored in the safetensors header's __metadata__. */
  metadata?: Record<string, string>;
  /**
   * The weights' dtype on disk: float32 (F32), bf16 (BF16: half the size; read back as float32), or int8
   * (linear layers and embeddings quantized, as I8 values and F32 row scales: docs/int8.md; the model's
   * weights get their int8 copies if they had none).
   */
  dtype?: WeightsDType;
}

/** The dtypes model.safetensors may hold our weights in. */
export type WeightsDType = 'float32' | 'bf16' | 'int8';

/** The weights as bf16 bits (rounded to nearest even), for a folder stored in bf16. */
export function toBf16Weights(tensors: ReadonlyMap<string, TensorToWrite>): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, { shape, data }] of tensors) {
    if (!(data instanceof Float32Array)) throw new TypeError(`toBf16Weights: ${name} is not float32`);
    const bits = new Uint16Array(data.length);
    backend().castBf16(bits, data, data.length);
    out.set(name, { shape, data: bits });
  }
  return out;
}

/** Writes config.json, model.safetensors (every parameter, float32, bf16 or int8) and tokenizer.json, each atomically. */
export async function saveModel(dir: string, model: Model, options: SaveOptions = {}): Promise<void> {
  const tokenizer = options.tokenizerPath === undefined ? null : readFileSync(options.tokenizerPath);
  if (tokenizer !== null) {
    const size = (await Tokenizer.load(options.tokenizerPath!)).vocabSize;
    const limit = Math.min(
      model.config.vocabSize,
      model.config.kind === 'encoder-decoder' ? model.config.sourceVocabSize : Infinity,
    );
    if (size > limit)
      throw new ModelFolderError(
        `${options.tokenizerPath}: ${size} pieces do not fit the model's vocabulary of ${limit}`,
      );
  }
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, p] of model.namedParameters()) {
    const values = p.dense();
    tensors.set(name, { shape: p.shape, data: values instanceof Float32Array ? values : Float32Array.from(values) });
  }
  const metadata = { ...options.metadata, format: MODEL_FORMAT, version: String(MODEL_FORMAT_VERSION) };
  if (options.dtype === 'int8') quantizeModel(model, 'int8');
  const stored =
    options.dtype === 'bf16'
      ? toBf16Weights(tensors)
      : options.dtype === 'int8'
        ? int8Tensors(model, tensors)
        : tensors;
  writeSafetensors(join(dir, WEIGHTS_FILE), stored, metadata);
  const config = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, ...model.config };
  writeFileAtomic(join(dir, CONFIG_FILE), [Buffer.from(`${JSON.stringify(config, null, 2)}\n`)]);
  if (tokenizer !== null) writeFileAtomic(join(dir, TOKENIZER_FILE), [tokenizer]);
}

/** The model of the folder `dir`, in eval mode (see loadModelFrom). */
export async function loadModel(dir: string): Promise<Model> {
  return loadModelFrom(new DirectorySource(dir));
}

/** The folder's tokenizer, or null when it has no tokenizer.json. */
export async function loadTokenizer(dir: string): Promise<Tokenizer | null> {
  return loadTokenizerFrom(new DirectorySource(dir));
}

/** Reads and validates config.json: the format marker and version, then every config key. */
export function readModelConfig(dir: string): ModelConfig {
  const source = new DirectorySource(dir);
  let bytes: Uint8Array | null;
  try {
    bytes = source.readSync(CONFIG_FILE);
  } catch (error) {
    if (error instanceof FolderReadError) throw unreadableConfig(source, error.reason);
    throw error;
  }
  if (bytes === null) throw unreadableConfig(source, ABSENT);
  return parseModelConfig(decodeText(bytes), source.pathOf(CONFIG_FILE));
}
