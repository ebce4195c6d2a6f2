// Hugging Face MarianMT folders (config.json, model.safetensors, vocab.json, source.spm, target.spm):
// loaded as our encoder-decoder with Marian's conventions (post-norm, swish, sines-then-cosines
// positions, scaled embeddings, final logits bias, the pad token as decoder start and never generated),
// and our encoder-decoder models written as such folders. This file is Node's side: folders on disk,
// read through marian-files.ts as pages read theirs. docs: docs/marian.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InputError } from '../errors.js';
import type { EncoderDecoder } from '../model/encoder-decoder.js';
import type { ModelConfig } from '../model/config.js';
import {
  MarianTokenizer,
  MARIAN_SOURCE_SPM,
  MARIAN_TARGET_SPM,
  MARIAN_VOCAB_FILE,
  parseJsonObject,
} from '../tokenizer/marian-tokenizer.js';
import { DirectorySource } from './directory-source.js';
import { ABSENT, decodeText, FolderReadError } from './folder-source.js';
import {
  exportProblem,
  marianConfigFromJson,
  marianConfigJson,
  MARIAN_CONFIG_FILE,
  type MarianGeneration,
} from './marian-config.js';
import {
  isMarianConfigBytes,
  loadMarianFrom,
  loadMarianTokenizerFrom,
  MARIAN_WEIGHTS_FILE,
  type LoadedMarian,
} from './marian-files.js';
import { MarianModel } from './marian-model.js';
import { marianTensors, toHalvesOrder } from './marian-weights.js';
import { ModelFolderError } from './model-files.js';
import { writeSafetensors } from './safetensors.js';
import { writeFileAtomic } from './atomic.js';

export { marianSearchDefaults, type MarianGeneration } from './marian-config.js';
export { MARIAN_WEIGHTS_FILE, type LoadedMarian } from './marian-files.js';
export { MarianModel } from './marian-model.js';

/** True when `dir` holds a Hugging Face Marian folder (config.json with model_type "marian"). */
export function isMarianFolder(dir: string): boolean {
  try {
    return isMarianConfigBytes(new DirectorySource(dir).readSync(MARIAN_CONFIG_FILE));
  } catch {
    return false;
  }
}

/** Reads a Marian folder; any missing file or key, or a weight or id that does not fit, is a ModelFolderError naming it. */
export async function loadMarian(dir: string): Promise<LoadedMarian> {
  return loadMarianFrom(new DirectorySource(dir));
}

/** The folder's tokenizer alone (vocab.json, source.spm, target.spm); errors are MarianTokenizerErrors. */
export async function loadMarianTokenizer(dir: string): Promise<MarianTokenizer> {
  return loadMarianTokenizerFrom(new DirectorySource(dir));
}

/** config.json of a Marian folder as our config, read at once (for pictures and summaries). */
export function readMarianConfig(dir: string): ModelConfig {
  const source = new DirectorySource(dir);
  const path = source.pathOf(MARIAN_CONFIG_FILE);
  let bytes: Uint8Array | null;
  try {
    bytes = source.readSync(MARIAN_CONFIG_FILE);
  } catch (error) {
    if (error instanceof FolderReadError) throw new ModelFolderError(`${path}: cannot read it (${error.reason})`);
    throw error;
  }
  if (bytes === null) throw new ModelFolderError(`${path}: cannot read it (${ABSENT})`);
  let json: Record<string, unknown>;
  try {
    json = parseJsonObject(decodeText(bytes), path);
  } catch (error) {
    if (error instanceof InputError) throw new ModelFolderError(error.message);
    throw error;
  }
  return marianConfigFromJson(json, path);
}

/** What saveMarian writes beside the weights: tokenizer files and generation settings. */
export interface SaveMarianOptions {
  /** The folder's tokenizer: vocab.json and the two .spm files come from it. */
  tokenizer?: MarianTokenizer;
  /** Decoding settings to record; by default beam 4, max_length maxLength, no banned ids (a MarianModel keeps its own). */
  generation?: MarianGeneration;
}

/**
 * Writes our encoder-decoder as a Marian folder: config.json (MarianConfig), model.safetensors (HF
 * names, float32), and with a MarianTokenizer its vocab.json, source.spm and target.spm. A model with
 * the paper's interleaved sinusoids is written in the halves order (the same function; see
 * toHalvesOrder). Models Marian cannot express (pre-norm, learned positions, efficient attention,
 * another layer-norm eps) are refused with the reason.
 */
export function saveMarian(dir: string, model: EncoderDecoder, options: SaveMarianOptions = {}): void {
  const config = model.config;
  const problem = exportProblem(config);
  if (problem !== null) throw new ModelFolderError(`cannot export as a Marian folder: ${problem}`);
  const generation = options.generation ?? {
    beam: 4,
    maxLength: config.maxLength,
    bannedIds: model instanceof MarianModel ? [...model.bannedIds] : [],
  };
  const params = model.namedParameters();
  const interleaved = config.positionalEncoding === 'sinusoidal';
  const values = (name: string): Float32Array => {
    const p = params.get(name)!;
    const dense = p.dense();
    const data = dense instanceof Float32Array ? dense : Float32Array.from(dense);
    return interleaved ? toHalvesOrder(name, data, p.shape) : data;
  };
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, MARIAN_WEIGHTS_FILE), marianTensors(params, config, values), { format: 'pt' });
  const json = marianConfigJson(config, generation);
  writeFileAtomic(join(dir, MARIAN_CONFIG_FILE), [Buffer.from(`${JSON.stringify(json, null, 2)}\n`)]);
  const tokenizer = options.tokenizer;
  if (tokenizer === undefined) return;
  if (tokenizer.separateVocabs)
    throw new ModelFolderError('cannot export a tokenizer with separate source and target vocabularies');
  writeFileSync(join(dir, MARIAN_VOCAB_FILE), `${JSON.stringify(tokenizer.vocabJson(), null, 2)}\n`);
  writeFileSync(join(dir, MARIAN_SOURCE_SPM), tokenizer.sourceSpmBytes);
  writeFileSync(join(dir, MARIAN_TARGET_SPM), tokenizer.targetSpmBytes);
}
