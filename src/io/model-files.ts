// Our model folder's files (docs/model-folder.md) read from any FolderSource: config.json, then
// model.safetensors checked against it, and tokenizer.json when present. Node opens folders on disk with
// these (model-folder.ts), pages open fetched or picked files with them (open-source.ts).

import { InputError } from '../errors.js';
import { ConfigError, createModel, validateConfig, type Model, type ModelConfig } from '../model/index.js';
import type { Module } from '../nn/module.js';
import { withoutRandomInit } from '../nn/init.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { unreadableTokenizer } from '../tokenizer/format.js';
import { decodeText, readOptional, readRequired, type FolderSource } from './folder-source.js';
import { parseJson } from './json.js';
import { oneLine, quoteJson } from '../quote.js';
import { parameterShapes } from './parameter-shapes.js';
import { adoptInt8, parameterEntries, splitInt8 } from './int8-weights.js';
import {
  parseSafetensors,
  parseSafetensorsHeader,
  requireFinite,
  SafetensorsError,
  sameShape,
  shapeText,
  type StoredTensor,
  type TensorEntry,
} from './safetensors-format.js';

export const MODEL_FORMAT = 'transformer-ts/model';
export const MODEL_FORMAT_VERSION = 1;
export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const TOKENIZER_FILE = 'tokenizer.json';

/** A model folder that cannot be read; the message names the file. */
export class ModelFolderError extends InputError {}

/** config.json's bytes; absent or unreadable, an error that asks whether this is a model folder. */
export async function readConfigBytes(source: FolderSource): Promise<Uint8Array> {
  return readRequired(source, CONFIG_FILE, (reason) => unreadableConfig(source, reason));
}

export function unreadableConfig(source: FolderSource, reason: string): ModelFolderError {
  return new ModelFolderError(
    `${source.pathOf(CONFIG_FILE)}: cannot read it (${reason}); is ${source.folder} a model folder?`,
  );
}

/** Validates config.json's text (`path` names it): the format marker and version, then every config key. */
export function parseModelConfig(text: string, path: string): ModelConfig {
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
 * Builds the model config.json describes and fills it with model.safetensors; it comes back in eval
 * mode. The file's header is checked against the config before anything is allocated: a config that
 * asks for another (or a huge) model is refused by the header, not discovered after building it.
 */
export async function loadModelFrom(source: FolderSource): Promise<Model> {
  const config = parseModelConfig(decodeText(await readConfigBytes(source)), source.pathOf(CONFIG_FILE));
  const file = source.pathOf(WEIGHTS_FILE);
  try {
    const bytes = await readRequired(source, WEIGHTS_FILE, (reason) => {
      return new SafetensorsError(file, `cannot open it (${reason})`);
    });
    const entries = parameterEntries(parseSafetensorsHeader(bytes, file).entries);
    const layout = layoutProblems(parameterShapes(config), entries);
    if (layout.length > 0) throw misfit(file, layout, configHints(config, entries));
    const model = withoutRandomInit(() => createModel(config)); // every parameter is assigned next
    const { tensors, int8 } = splitInt8(parseSafetensors(bytes, file).tensors, file);
    assignParameters(model, tensors, file);
    adoptInt8(model, int8); // an int8 folder: inference multiplies the stored integers
    return model.eval();
  } catch (error) {
    if (error instanceof SafetensorsError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/** The folder's tokenizer, or null when it has no tokenizer.json. */
export async function loadTokenizerFrom(source: FolderSource): Promise<Tokenizer | null> {
  const path = source.pathOf(TOKENIZER_FILE);
  try {
    const bytes = await readOptional(source, TOKENIZER_FILE, (reason) => unreadableTokenizer(path, reason));
    return bytes === null ? null : Tokenizer.fromJson(decodeText(bytes), path);
  } catch (error) {
    if (error instanceof InputError) throw new ModelFolderError(error.message);
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
