// A Hugging Face MarianMT folder read from any FolderSource: config.json, generation_config.json when
// present, the tokenizer (tokenizer_config.json, vocab.json, source.spm, target.spm), then the weights,
// each checked against the others. Node opens folders on disk with it (marian.ts), pages open fetched or
// picked files (open-source.ts). docs: docs/marian.md.

import { InputError } from '../errors.js';
import type { ModelConfig } from '../model/config.js';
import {
  marianTokenizerSettings,
  MarianTokenizer,
  MarianTokenizerError,
  MarianVocabulary,
  MARIAN_SOURCE_SPM,
  MARIAN_TARGET_SPM,
  MARIAN_TARGET_VOCAB_FILE,
  MARIAN_TOKENIZER_CONFIG,
  MARIAN_VOCAB_FILE,
  parseJsonObject,
  type SpmFile,
} from '../tokenizer/marian-tokenizer.js';
import { SentencePieceModel } from '../tokenizer/sentencepiece/index.js';
import { decodeText, readOptional, readRequired, type FolderSource } from './folder-source.js';
import { parseJson } from './json.js';
import {
  MARIAN_CONFIG_FILE,
  MARIAN_GENERATION_FILE,
  marianConfigFromJson,
  marianGenerationFromJson,
  type MarianGeneration,
} from './marian-config.js';
import { MarianModel } from './marian-model.js';
import { assignMarianWeights, marianLayoutProblems, marianMisfit } from './marian-weights.js';
import { withoutRandomInit } from '../nn/init.js';
import { ModelFolderError } from './model-files.js';
import { parameterShapes } from './parameter-shapes.js';
import { PytorchError } from './pytorch/pickle.js';
import { parsePytorchCheckpoint, PYTORCH_WEIGHTS_FILE } from './pytorch/checkpoint.js';
import { parseSafetensors, parseSafetensorsHeader, SafetensorsError } from './safetensors-format.js';

export const MARIAN_WEIGHTS_FILE = 'model.safetensors';

/** A Marian folder's model, tokenizer and generation settings. */
export interface LoadedMarian {
  model: MarianModel;
  tokenizer: MarianTokenizer;
  generation: MarianGeneration;
}

/** True when config.json's bytes (null: the folder has none) name a Marian model (model_type "marian"). */
export function isMarianConfigBytes(bytes: Uint8Array | null): boolean {
  if (bytes === null) return false;
  try {
    const json = parseJson(decodeText(bytes), (problem) => new InputError(problem));
    return (json as { model_type?: unknown } | null)?.model_type === 'marian';
  } catch {
    return false;
  }
}

/** Reads a Marian folder; any missing file or key, or a weight or id that does not fit, is a ModelFolderError naming it. */
export async function loadMarianFrom(source: FolderSource): Promise<LoadedMarian> {
  const configPath = source.pathOf(MARIAN_CONFIG_FILE);
  const json = await asFolderError(readJsonFile(source, MARIAN_CONFIG_FILE));
  const config = marianConfigFromJson(json, configPath);
  const generationFile = await asFolderError(readJsonFile(source, MARIAN_GENERATION_FILE, { optional: true }));
  const generation =
    generationFile === null
      ? marianGenerationFromJson(json, configPath, config.vocabSize)
      : marianGenerationFromJson(generationFile, source.pathOf(MARIAN_GENERATION_FILE), config.vocabSize);
  const tokenizer = await asFolderError(loadMarianTokenizerFrom(source));
  checkTokenizer(tokenizer, config, source);
  const model = await marianWeightsFrom(source, config, generation);
  return { model, tokenizer, generation };
}

/**
 * The Marian model filled with the folder's weights, in eval mode: model.safetensors, or else the
 * pytorch_model.bin that published opus-mt folders carry (read by an unpickler that runs nothing).
 */
async function marianWeightsFrom(
  source: FolderSource,
  config: ModelConfig,
  generation: MarianGeneration,
): Promise<MarianModel> {
  const unreadable = (file: string) => (reason: string) => new ModelFolderError(`${file}: cannot read it (${reason})`);
  const safetensorsPath = source.pathOf(MARIAN_WEIGHTS_FILE);
  let file = safetensorsPath;
  let bytes = await readOptional(source, MARIAN_WEIGHTS_FILE, unreadable(file));
  let pytorch = false;
  if (bytes === null) {
    file = source.pathOf(PYTORCH_WEIGHTS_FILE);
    bytes = await readOptional(source, PYTORCH_WEIGHTS_FILE, unreadable(file));
    pytorch = true;
  }
  if (bytes === null)
    throw new ModelFolderError(`${safetensorsPath}: missing, and there is no ${PYTORCH_WEIGHTS_FILE} either`);
  try {
    // The header against the config first: nothing is allocated for a config the file does not bear out.
    // (A PyTorch checkpoint has no header apart from its tensors: it is read whole.)
    const stored = pytorch ? parsePytorchCheckpoint(bytes, file) : null;
    const header = stored ?? new Map(parseSafetensorsHeader(bytes, file).entries.map((e) => [e.name, e]));
    const layout = marianLayoutProblems(parameterShapes(config), header, config);
    if (layout.length > 0) throw marianMisfit(file, layout);
    const tensors = stored ?? parseSafetensors(bytes, file).tensors;
    const model = withoutRandomInit(() => new MarianModel(config, generation.bannedIds)); // every weight is assigned next
    assignMarianWeights(model.namedParameters(), tensors, config, file);
    return model.eval();
  } catch (error) {
    if (error instanceof SafetensorsError || error instanceof PytorchError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/**
 * The folder's tokenizer: vocab.json (and target_vocab.json when tokenizer_config.json says
 * separate_vocabs), source.spm, target.spm. Its errors are MarianTokenizerErrors naming the file.
 */
export async function loadMarianTokenizerFrom(source: FolderSource): Promise<MarianTokenizer> {
  const settingsJson = await readJsonFile(source, MARIAN_TOKENIZER_CONFIG, { optional: true });
  const settings = marianTokenizerSettings(settingsJson, source.pathOf(MARIAN_TOKENIZER_CONFIG));
  const vocabPath = source.pathOf(MARIAN_VOCAB_FILE);
  const sourceVocab = new MarianVocabulary(await readJsonFile(source, MARIAN_VOCAB_FILE), vocabPath);
  let targetVocab = sourceVocab;
  if (settings.separateVocabs) {
    const json = await readJsonFile(source, MARIAN_TARGET_VOCAB_FILE);
    targetVocab = new MarianVocabulary(json, source.pathOf(MARIAN_TARGET_VOCAB_FILE));
  }
  const [sourceSpm, targetSpm] = await Promise.all(
    [MARIAN_SOURCE_SPM, MARIAN_TARGET_SPM].map((name) => spmFile(source, name)),
  );
  return new MarianTokenizer(sourceSpm, targetSpm, sourceVocab, targetVocab, settings.special, vocabPath);
}

async function spmFile(source: FolderSource, name: string): Promise<SpmFile> {
  const path = source.pathOf(name);
  const unreadable = (reason: string) => new MarianTokenizerError(`${path}: cannot read it (${reason})`);
  const bytes = await readOptional(source, name, unreadable);
  if (bytes === null) throw new MarianTokenizerError(`${path}: missing; a Marian folder needs ${name}`);
  try {
    return { model: SentencePieceModel.fromBytes(bytes, path), bytes };
  } catch (error) {
    if (error instanceof InputError) throw new MarianTokenizerError(error.message);
    throw error;
  }
}

/** The ids the config names must be the tokenizer's, and every vocabulary id must have an embedding. */
function checkTokenizer(tokenizer: MarianTokenizer, config: ModelConfig, source: FolderSource): void {
  const vocab = source.pathOf(MARIAN_VOCAB_FILE);
  const configPath = source.pathOf(MARIAN_CONFIG_FILE);
  const pairs: [string, number, string, number][] = [
    ['eos_token_id', config.eosId, tokenizer.specialTokens.eos, tokenizer.eosId],
    ['pad_token_id', config.padId, tokenizer.specialTokens.pad, tokenizer.padId],
  ];
  for (const [key, id, piece, vocabId] of pairs)
    if (id !== vocabId)
      throw new ModelFolderError(`${configPath}: "${key}" is ${id}, but ${vocab} gives ${piece} the id ${vocabId}`);
  const limits = tokenizer.idLimits();
  if (limits.source > config.sourceVocabSize)
    throw new ModelFolderError(
      `${vocab}: ids reach ${limits.source - 1}, beyond "vocab_size" ${config.sourceVocabSize} of ${configPath}`,
    );
  if (limits.target > config.vocabSize)
    throw new ModelFolderError(
      `target vocabulary ids reach ${limits.target - 1}, beyond the decoder's ${config.vocabSize} of ${configPath}`,
    );
}

/** A JSON object file of the folder (null when optional and absent); errors are MarianTokenizerErrors naming it. */
async function readJsonFile(source: FolderSource, name: string): Promise<Record<string, unknown>>;
async function readJsonFile(
  source: FolderSource,
  name: string,
  options: { optional: true },
): Promise<Record<string, unknown> | null>;
async function readJsonFile(
  source: FolderSource,
  name: string,
  options: { optional?: boolean } = {},
): Promise<Record<string, unknown> | null> {
  const path = source.pathOf(name);
  const unreadable = (reason: string) => new MarianTokenizerError(`${path}: cannot read it (${reason})`);
  const bytes = options.optional
    ? await readOptional(source, name, unreadable)
    : await readRequired(source, name, unreadable);
  return bytes === null ? null : parseJsonObject(decodeText(bytes), path);
}

/** The folder's own files are the model folder's: their errors become ModelFolderErrors with the same message. */
async function asFolderError<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof MarianTokenizerError) throw new ModelFolderError(error.message);
    throw error;
  }
}
