// A model folder (docs/model-folder.md): config.json, model.safetensors and optionally tokenizer.json,
// laid out like a Hugging Face model folder so that models can travel to and from PyTorch.

import { InputError } from '../errors.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ConfigError, createModel, validateConfig, type Model, type ModelConfig } from '../model/index.js';
import type { Module } from '../nn/module.js';
import { backend } from '../backend/registry.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { writeFileAtomic } from './atomic.js';
import { parseJson } from './json.js';
import { oneLine, quoteJson } from '../quote.js';
import { parameterShapes } from './parameter-shapes.js';
import {
  readSafetensors,
  readSafetensorsHeader,
  requireFinite,
  SafetensorsError,
  sameShape,
  shapeText,
  writeSafetensors,
  type StoredTensor,
  type TensorEntry,
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
  /** The weights' dtype on disk: float32 (F32), or bf16 (BF16: half the size; read back as float32). */
  dtype?: WeightsDType;
}

export type WeightsDType = 'float32' | 'bf16';

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

/** Writes config.json, model.safetensors (every parameter, float32 or bf16) and tokenizer.json, each atomically. */
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
  writeSafetensors(join(dir, WEIGHTS_FILE), options.dtype === 'bf16' ? toBf16Weights(tensors) : tensors, metadata);
  const config = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, ...model.config };
  writeFileAtomic(join(dir, CONFIG_FILE), [Buffer.from(`${JSON.stringify(config, null, 2)}\n`)]);
  if (tokenizer !== null) writeFileAtomic(join(dir, TOKENIZER_FILE), [tokenizer]);
}

/**
 * Builds the model config.json describes and fills it with model.safetensors; it comes back in eval
 * mode. The file's header is checked against the config before anything is allocated: a config that
 * asks for another (or a huge) model is refused by the header, not discovered after building it.
 */
export async function loadModel(dir: string): Promise<Model> {
  const config = readModelConfig(dir);
  const file = join(dir, WEIGHTS_FILE);
  try {
    const entries = readSafetensorsHeader(file).entries;
    const layout = layoutProblems(parameterShapes(config), entries);
    if (layout.length > 0) throw misfit(file, layout, configHints(config, entries));
    const tensors = readSafetensors(file).tensors;
    const model = createModel(config);
    assignParameters(model, tensors, file);
    return model.eval();
  } catch (error) {
    if (error instanceof SafetensorsError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/** The folder's tokenizer, or null when it has no tokenizer.json. */
export async function loadTokenizer(dir: string): Promise<Tokenizer | null> {
  const path = join(dir, TOKENIZER_FILE);
  if (!existsSync(path)) return null;
  try {
    return await Tokenizer.load(path);
  } catch (error) {
    if (error instanceof InputError) throw new ModelFolderError(error.message);
    throw error;
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
  const json = parseJson(text, (problem) => new ModelFolderError(`${path}: ${problem}`));
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new ModelFolderError(`${path}: not a JSON object`);
  const { format, version, ...config } = json as Record<string, unknown>;
  if (format !== MODEL_FORMAT)
    throw new ModelFolderError(`${path}: "format" must be "${MODEL_FORMAT}", got ${quoteJson(format)}`);
  if (version !== MODEL_FORMAT_VERSION) {
    throw new ModelFolderError(
      `${path}: "version" ${quoteJson(version)} is not one this program reads (${MODEL_FORMAT_VERSION})`,
    );
  }
  try {
    return validateConfig(config, path, { complete: true });
  } catch (error) {
    if (error instanceof ConfigError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/**
 * Copies every stored tensor into the parameter of the same name. Any missing, unexpected, mis-shaped
 * or integer tensor is reported, all of them in one error, and so is a NaN or infinite value, before a
 * single parameter is touched.
 */
export function assignParameters(model: Module, tensors: ReadonlyMap<string, StoredTensor>, file: string): void {
  const expected = model.namedParameters();
  const shapes = new Map([...expected].map(([name, p]) => [name, p.shape] as const));
  const problems = layoutProblems(
    shapes,
    [...tensors].map(([name, t]) => ({ name, ...t })),
  );
  if (problems.length > 0) throw misfit(file, problems);
  requireFinite(tensors, file);
  for (const [name, p] of expected) p.dense().set(tensors.get(name)!.data);
}

/** Every tensor the model needs, with its shape and a float dtype, and nothing else: what is wrong, if anything. */
export function layoutProblems(
  expected: ReadonlyMap<string, readonly number[]>,
  stored: readonly { name: string; shape: readonly number[]; dtype: string }[],
): string[] {
  const byName = new Map(stored.map((t) => [t.name, t]));
  const missing: string[] = [];
  const misShaped: string[] = [];
  const unexpected: string[] = [];
  for (const [name, shape] of expected) {
    const t = byName.get(name);
    if (t === undefined) missing.push(`missing ${name} ${shapeText(shape)}`);
    else if (!sameShape(t.shape, shape))
      misShaped.push(`wrong shape ${name}: expected ${shapeText(shape)}, found ${shapeText(t.shape)}`);
    else if (t.dtype === 'I32') misShaped.push(`wrong dtype ${name}: expected a float dtype, found I32`);
  }
  for (const t of stored)
    if (!expected.has(t.name)) unexpected.push(`unexpected ${oneLine(t.name, 80)} ${shapeText(t.shape)}`);
  return [...misShaped, ...missing, ...unexpected];
}

/** The config keys the header contradicts (layer counts, the embeddings' width and rows), said first. */
function configHints(config: ModelConfig, entries: readonly TensorEntry[]): string[] {
  const hints: string[] = [];
  const stacks = { encoder: 'encoderLayers', decoder: 'decoderLayers' } as const;
  for (const [stack, key] of Object.entries(stacks)) {
    const layers = new Set(entries.map((e) => new RegExp(`^${stack}\\.layers\\.(\\d+)\\.`).exec(e.name)?.[1]));
    layers.delete(undefined);
    if (layers.size > 0 && layers.size !== config[key])
      hints.push(`"${key}" is ${config[key]}, the file has ${layers.size} ${stack} layers`);
  }
  const embedding = entries.find((e) => e.name === 'sourceEmbedding.weight' || e.name === 'embedding.weight');
  const rows = config.kind === 'encoder-decoder' ? 'sourceVocabSize' : 'vocabSize';
  if (embedding?.shape.length === 2) {
    if (embedding.shape[1] !== config.dModel)
      hints.push(`"dModel" is ${config.dModel}, the file's embeddings are ${embedding.shape[1]} wide`);
    if (embedding.shape[0] !== config[rows])
      hints.push(`"${rows}" is ${config[rows]}, the file's embeddings have ${embedding.shape[0]} rows`);
  }
  return hints;
}

/** The first problems are listed, the rest counted, so the message stays one line of bounded length. */
export function problemList(problems: readonly string[], shown = 8): string {
  const more = problems.length - shown;
  return problems.slice(0, shown).join('; ') + (more > 0 ? `; and ${more} more` : '');
}

function misfit(file: string, problems: readonly string[], hints: readonly string[] = []): ModelFolderError {
  const summary = [`${problems.length} problems`, ...hints].join('; ');
  return new ModelFolderError(`${file} does not fit the model of its config (${summary}): ${problemList(problems)}`);
}
