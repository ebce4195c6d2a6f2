// A model folder (docs/model-folder.md): config.json, model.safetensors and optionally tokenizer.json,
// laid out like a Hugging Face model folder so that models can travel to and from PyTorch.

import { InputError } from '../errors.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ConfigError, createModel, validateConfig, type Model, type ModelConfig } from '../model/index.js';
import type { Module } from '../nn/module.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { writeFileAtomic } from './atomic.js';
import {
  readSafetensors,
  SafetensorsError,
  writeSafetensors,
  type StoredTensor,
  type TensorToWrite,
} from './safetensors.js';

export const MODEL_FORMAT = 'transformer-ts/model';
export const MODEL_FORMAT_VERSION = 1;
export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const TOKENIZER_FILE = 'tokenizer.json';

/** A model folder that cannot be read; the message names the file. */
export class ModelFolderError extends InputError {}

export interface SaveOptions {
  /** A tokenizer file to copy into the folder as tokenizer.json. */
  tokenizerPath?: string;
  /** Strings stored in the safetensors header's __metadata__. */
  metadata?: Record<string, string>;
}

/** Writes config.json, model.safetensors (every parameter, float32) and tokenizer.json, each atomically. */
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
  writeSafetensors(join(dir, WEIGHTS_FILE), tensors, metadata);
  const config = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, ...model.config };
  writeFileAtomic(join(dir, CONFIG_FILE), [Buffer.from(`${JSON.stringify(config, null, 2)}\n`)]);
  if (tokenizer !== null) writeFileAtomic(join(dir, TOKENIZER_FILE), [tokenizer]);
}

/** Builds the model config.json describes and fills it with model.safetensors; it comes back in eval mode. */
export async function loadModel(dir: string): Promise<Model> {
  const model = createModel(readModelConfig(dir));
  const file = join(dir, WEIGHTS_FILE);
  let tensors: Map<string, StoredTensor>;
  try {
    tensors = readSafetensors(file).tensors;
  } catch (error) {
    if (error instanceof SafetensorsError) throw new ModelFolderError(error.message);
    throw error;
  }
  assignParameters(model, tensors, file);
  return model.eval();
}

/** The folder's tokenizer, or null when it has no tokenizer.json. */
export async function loadTokenizer(dir: string): Promise<Tokenizer | null> {
  const path = join(dir, TOKENIZER_FILE);
  if (!existsSync(path)) return null;
  try {
    return await Tokenizer.load(path);
  } catch (error) {
    throw new ModelFolderError((error as Error).message);
  }
}

/** Reads and validates config.json: the format marker and version, then every config key. */
export function readModelConfig(dir: string): ModelConfig {
  const path = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ModelFolderError(
      `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is ${dir} a model folder?`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFolderError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new ModelFolderError(`${path}: not a JSON object`);
  const { format, version, ...config } = json as Record<string, unknown>;
  if (format !== MODEL_FORMAT)
    throw new ModelFolderError(`${path}: "format" must be "${MODEL_FORMAT}", got ${JSON.stringify(format)}`);
  if (version !== MODEL_FORMAT_VERSION) {
    throw new ModelFolderError(
      `${path}: "version" ${JSON.stringify(version)} is not one this program reads (${MODEL_FORMAT_VERSION})`,
    );
  }
  try {
    return validateConfig(config, path);
  } catch (error) {
    if (error instanceof ConfigError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/**
 * Copies every stored tensor into the parameter of the same name. Any missing, unexpected, mis-shaped
 * or integer tensor is reported, all of them in one error, before a single parameter is touched.
 */
export function assignParameters(model: Module, tensors: ReadonlyMap<string, StoredTensor>, file: string): void {
  const expected = model.namedParameters();
  const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
  const missing: string[] = [];
  const misShaped: string[] = [];
  const unexpected: string[] = [];
  for (const [name, p] of expected) {
    const t = tensors.get(name);
    if (t === undefined) missing.push(`missing ${name} ${shape(p.shape)}`);
    else if (shape(t.shape) !== shape(p.shape))
      misShaped.push(`wrong shape ${name}: expected ${shape(p.shape)}, found ${shape(t.shape)}`);
    else if (t.dtype === 'I32') misShaped.push(`wrong dtype ${name}: expected a float dtype, found I32`);
  }
  for (const [name, t] of tensors) if (!expected.has(name)) unexpected.push(`unexpected ${name} ${shape(t.shape)}`);
  const problems = [...missing, ...misShaped, ...unexpected];
  if (problems.length > 0) {
    throw new ModelFolderError(
      `${file} does not fit the model of its config (${problems.length} problems):\n  ${problems.join('\n  ')}`,
    );
  }
  for (const [name, p] of expected) p.dense().set(tensors.get(name)!.data);
}
