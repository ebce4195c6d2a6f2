// Hugging Face MarianMT folders (config.json, model.safetensors, vocab.json, source.spm, target.spm):
// loaded as our encoder-decoder with Marian's conventions (post-norm, swish, sines-then-cosines
// positions, scaled embeddings, final logits bias, the pad token as decoder start and never generated),
// and our encoder-decoder models written as such folders. docs: docs/marian.md.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { EncoderDecoder, type DecodingState } from '../model/encoder-decoder.js';
import type { ModelConfig } from '../model/config.js';
import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import {
  MarianTokenizer,
  MarianTokenizerError,
  MARIAN_SOURCE_SPM,
  MARIAN_TARGET_SPM,
  MARIAN_VOCAB_FILE,
} from '../tokenizer/marian-tokenizer.js';
import {
  exportProblem,
  isMarianConfig,
  marianConfigJson,
  MARIAN_CONFIG_FILE,
  readMarianConfig,
  readMarianGeneration,
  type MarianGeneration,
} from './marian-config.js';
import {
  assignMarianWeights,
  marianLayoutProblems,
  marianMisfit,
  marianTensors,
  toHalvesOrder,
} from './marian-weights.js';
import { parameterShapes } from './parameter-shapes.js';
import { ModelFolderError } from './model-folder.js';
import { readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors } from './safetensors.js';
import { writeFileAtomic } from './atomic.js';

export const MARIAN_WEIGHTS_FILE = 'model.safetensors';
export { marianSearchDefaults, type MarianGeneration } from './marian-config.js';

/**
 * MarianMTModel: our encoder-decoder whose generation never emits the banned tokens (HF's
 * bad_words_ids, the pad token for Marian): their logits are -inf at every decoding step. forward()
 * is the plain model, so teacher-forced logits are HF's.
 */
export class MarianModel extends EncoderDecoder {
  private readonly ban: Tensor | null; // (V): 0, or -inf at a banned id

  constructor(
    config: ModelConfig,
    readonly bannedIds: readonly number[] = [],
  ) {
    super(config);
    for (const id of bannedIds)
      if (!(Number.isInteger(id) && id >= 0 && id < config.vocabSize))
        throw new RangeError(`banned token id ${id} is outside the vocabulary (0..${config.vocabSize - 1})`);
    const ban = new Float32Array(config.vocabSize);
    for (const id of bannedIds) ban[id] = -Infinity;
    this.ban = bannedIds.length === 0 ? null : Tensor.from(ban, [config.vocabSize]).keep();
  }

  override step(state: DecodingState, tokens: Tensor): Tensor {
    const logits = super.step(state, tokens); // (B, t, V)
    return this.ban === null ? logits : T.add(logits, this.ban);
  }
}

/** A Marian folder's model, tokenizer and generation settings. */
export interface LoadedMarian {
  model: MarianModel;
  tokenizer: MarianTokenizer;
  generation: MarianGeneration;
}

/** True when `dir` holds a Hugging Face Marian folder (config.json with model_type "marian"). */
export function isMarianFolder(dir: string): boolean {
  return isMarianConfig(dir);
}

/** Reads a Marian folder; any missing file or key, or a weight or id that does not fit, is a ModelFolderError naming it. */
export async function loadMarian(dir: string): Promise<LoadedMarian> {
  const { config, json } = readMarianConfig(dir);
  const generation = readMarianGeneration(dir, json, config.vocabSize);
  let tokenizer: MarianTokenizer;
  try {
    tokenizer = await MarianTokenizer.load(dir);
  } catch (error) {
    if (error instanceof MarianTokenizerError) throw new ModelFolderError(error.message);
    throw error;
  }
  checkTokenizer(tokenizer, config, dir);
  const file = join(dir, MARIAN_WEIGHTS_FILE);
  if (!existsSync(file))
    throw new ModelFolderError(`${file}: missing; only safetensors weights are read (not pytorch_model.bin)`);
  try {
    // The header against the config first: nothing is allocated for a config the file does not bear out.
    const header = new Map(readSafetensorsHeader(file).entries.map((e) => [e.name, e]));
    const layout = marianLayoutProblems(parameterShapes(config), header, config);
    if (layout.length > 0) throw marianMisfit(file, layout);
    const tensors = readSafetensors(file).tensors;
    const model = new MarianModel(config, generation.bannedIds);
    assignMarianWeights(model.namedParameters(), tensors, config, file);
    return { model: model.eval(), tokenizer, generation };
  } catch (error) {
    if (error instanceof SafetensorsError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/** The ids the config names must be the tokenizer's, and every vocabulary id must have an embedding. */
function checkTokenizer(tokenizer: MarianTokenizer, config: ModelConfig, dir: string): void {
  const vocab = join(dir, MARIAN_VOCAB_FILE);
  const configPath = join(dir, MARIAN_CONFIG_FILE);
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
