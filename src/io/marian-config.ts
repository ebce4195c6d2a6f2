// A MarianMT config.json (Hugging Face's MarianConfig) as our ModelConfig and back, with the generation
// settings (generation_config.json, else config.json) that translate and serve honour. From parsed JSON:
// reading the files is marian-files.ts's part.

import { CONFIG_LIMITS, ConfigError, validateConfig, type Activation, type ModelConfig } from '../model/config.js';
import { quoteJson } from '../quote.js';
import { ModelFolderError } from './model-files.js';

export const MARIAN_CONFIG_FILE = 'config.json';
export const MARIAN_GENERATION_FILE = 'generation_config.json';

/** How a Marian folder asks to be decoded. */
export interface MarianGeneration {
  /** num_beams (1, greedy, when neither file says). */
  beam: number;
  /** max_length: decoder positions of an output, the start token and EOS included (HF's default 20). */
  maxLength: number;
  /** Single-token bad_words_ids: never generated (Marian bans its pad token, the decoder start). */
  bannedIds: number[];
}

/** Far above any beam used in translation (the paper: 4; Marian's defaults: 4 to 12). */
const MAX_BEAMS = 1024;

/** HF's names for our activations; "silu" is another name of swish. */
const ACTIVATIONS: Record<string, Activation> = { swish: 'swish', silu: 'swish', relu: 'relu', gelu: 'gelu' };

/**
 * Keys a MarianConfig always holds once saved. transformers defaults them too, but to the sizes and ids
 * of one model (opus-mt-en-de, and of another in older releases), so a folder without them is refused
 * by name rather than read as that model. Every other key read below takes transformers' own default
 * when missing (dropout 0.1, gelu, no embedding scaling, shared and tied embeddings, beam 1, length 20).
 */
const REQUIRED = [
  'd_model',
  'encoder_layers',
  'decoder_layers',
  'encoder_attention_heads',
  'decoder_attention_heads',
  'encoder_ffn_dim',
  'decoder_ffn_dim',
  'vocab_size',
  'max_position_embeddings',
  'pad_token_id',
  'eos_token_id',
  'decoder_start_token_id',
] as const;

/** Our size limits (CONFIG_LIMITS) under MarianConfig's names, so that the error names the key of this file. */
const LIMITS: Record<string, number> = {
  d_model: CONFIG_LIMITS.dModel,
  encoder_layers: CONFIG_LIMITS.encoderLayers,
  decoder_layers: CONFIG_LIMITS.decoderLayers,
  encoder_attention_heads: CONFIG_LIMITS.h,
  decoder_attention_heads: CONFIG_LIMITS.h,
  encoder_ffn_dim: CONFIG_LIMITS.dFF,
  decoder_ffn_dim: CONFIG_LIMITS.dFF,
  vocab_size: CONFIG_LIMITS.sourceVocabSize,
  decoder_vocab_size: CONFIG_LIMITS.vocabSize,
  max_position_embeddings: CONFIG_LIMITS.maxLength,
};

/** config.json's object (`path` names the file) as our config, every Marian convention checked; the errors name the file and key. */
export function marianConfigFromJson(json: Record<string, unknown>, path: string): ModelConfig {
  const fail = (message: string): never => {
    throw new ModelFolderError(`${path}: ${message}`);
  };
  if (json.model_type !== 'marian') fail(`"model_type" must be "marian", got ${quoteJson(json.model_type)}`);
  const int = (key: string): number => {
    const value = json[key];
    if (value === undefined) fail(`"${key}" is missing`);
    if (!Number.isInteger(value)) fail(`"${key}" must be an integer, got ${quoteJson(value)}`);
    if (key in LIMITS && (value as number) > LIMITS[key])
      fail(`"${key}" ${value} is above the limit of ${LIMITS[key]}`);
    return value as number;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const value = json[key] ?? fallback;
    if (typeof value !== 'boolean') fail(`"${key}" must be true or false, got ${quoteJson(value)}`);
    return value as boolean;
  };
  const rate = (key: string, fallback: number): number => {
    const value = json[key] ?? fallback;
    if (typeof value !== 'number') fail(`"${key}" must be a number, got ${quoteJson(value)}`);
    return value as number;
  };
  for (const key of REQUIRED) int(key);
  for (const [a, b, ours] of [
    ['encoder_attention_heads', 'decoder_attention_heads', 'h'],
    ['encoder_ffn_dim', 'decoder_ffn_dim', 'dFF'],
  ]) {
    if (json[a] !== json[b]) fail(`"${a}" ${json[a]} differs from "${b}" ${json[b]}; our models have one ${ours}`);
  }
  // Variants of the BART family that MarianMTModel does not have.
  if (flag('normalize_before', false)) fail('"normalize_before" is true; Marian layers normalize after each sub-layer');
  if (flag('normalize_embedding', false)) fail('"normalize_embedding" is true; Marian has no embedding layer norm');
  if (flag('add_final_layer_norm', false)) fail('"add_final_layer_norm" is true; Marian has no final layer norm');
  if (!flag('static_position_embeddings', true))
    fail('"static_position_embeddings" is false; Marian positions are fixed sinusoids');
  const name = json.activation_function ?? 'gelu';
  const activation = ACTIVATIONS[name as string];
  if (activation === undefined)
    fail(`"activation_function" ${quoteJson(name)} is not one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  const shared = flag('share_encoder_decoder_embeddings', true);
  const vocabSize = int('vocab_size');
  const decoderVocabSize = json.decoder_vocab_size == null ? vocabSize : int('decoder_vocab_size');
  if (shared && decoderVocabSize !== vocabSize)
    fail(
      `"decoder_vocab_size" ${decoderVocabSize} differs from "vocab_size" ${vocabSize}, but "share_encoder_decoder_embeddings" is true`,
    );
  try {
    const config = validateConfig(
      {
        kind: 'encoder-decoder',
        vocabSize: decoderVocabSize,
        sourceVocabSize: vocabSize,
        encoderLayers: int('encoder_layers'),
        decoderLayers: int('decoder_layers'),
        dModel: int('d_model'),
        dFF: int('encoder_ffn_dim'),
        h: int('encoder_attention_heads'),
        pDrop: rate('dropout', 0.1),
        attentionDropout: rate('attention_dropout', 0),
        activationDropout: rate('activation_dropout', 0),
        normPosition: 'post',
        activation,
        positionalEncoding: 'sinusoidal-halves',
        maxLength: int('max_position_embeddings'),
        scaleEmbedding: flag('scale_embedding', false),
        shareEmbeddings: shared,
        tieOutput: flag('tie_word_embeddings', true),
        finalLogitsBias: true,
        layerNormEps: 1e-5, // torch.nn.LayerNorm's default, which MarianMTModel keeps
        padId: int('pad_token_id'),
        bosId: int('decoder_start_token_id'),
        eosId: int('eos_token_id'),
      },
      path,
    );
    return config;
  } catch (error) {
    if (error instanceof ConfigError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/**
 * Beam, maximum length and banned tokens from the object of generation_config.json when the folder has
 * one, else of config.json (`path` names the file it came from); a banned id must be inside the
 * decoder's vocabulary of `vocabSize`.
 */
export function marianGenerationFromJson(
  json: Record<string, unknown>,
  path: string,
  vocabSize: number,
): MarianGeneration {
  const positive = (key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = json[key] ?? fallback;
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max)
      throw new ModelFolderError(`${path}: "${key}" must be an integer from 1 to ${max}, got ${quoteJson(value)}`);
    return value as number;
  };
  const bad = json.bad_words_ids ?? [];
  const bannedIds: number[] = [];
  if (!Array.isArray(bad)) throw new ModelFolderError(`${path}: "bad_words_ids" must be a list of id lists`);
  for (const entry of bad) {
    if (!Array.isArray(entry) || entry.length !== 1 || !Number.isInteger(entry[0]))
      throw new ModelFolderError(
        `${path}: "bad_words_ids" entry ${quoteJson(entry)} is not a single token id; only single tokens can be banned`,
      );
    const id = entry[0] as number;
    if (id < 0 || id >= vocabSize)
      throw new ModelFolderError(`${path}: banned id ${id} is outside the vocabulary of ${vocabSize}`);
    bannedIds.push(id);
  }
  // A beam search keeps a copy of the decoder's caches per beam: a hostile num_beams must not size them.
  return { beam: positive('num_beams', 1, MAX_BEAMS), maxLength: positive('max_length', 20), bannedIds };
}

/** The search settings of a Marian folder as translateIds takes them: at most max_length - 2 tokens before EOS. */
export function marianSearchDefaults(generation: MarianGeneration): { beam: number; maxLenA: number; maxLenB: number } {
  return { beam: generation.beam, maxLenA: 0, maxLenB: Math.max(0, generation.maxLength - 2) };
}

/**
 * Our encoder-decoder config as a MarianConfig (config.json of an exported folder). The model must
 * already be expressible: checked by checkExportable.
 */
export function marianConfigJson(config: ModelConfig, generation: MarianGeneration): Record<string, unknown> {
  return {
    architectures: ['MarianMTModel'],
    model_type: 'marian',
    is_encoder_decoder: true,
    vocab_size: config.sourceVocabSize,
    decoder_vocab_size: config.vocabSize,
    share_encoder_decoder_embeddings: config.shareEmbeddings,
    tie_word_embeddings: config.tieOutput,
    d_model: config.dModel,
    encoder_layers: config.encoderLayers,
    decoder_layers: config.decoderLayers,
    encoder_attention_heads: config.h,
    decoder_attention_heads: config.h,
    encoder_ffn_dim: config.dFF,
    decoder_ffn_dim: config.dFF,
    activation_function: config.activation,
    max_position_embeddings: config.maxLength,
    scale_embedding: config.scaleEmbedding,
    static_position_embeddings: true,
    dropout: config.pDrop,
    attention_dropout: config.attentionDropout,
    activation_dropout: config.activationDropout,
    init_std: 0.02,
    pad_token_id: config.padId,
    eos_token_id: config.eosId,
    forced_eos_token_id: config.eosId,
    decoder_start_token_id: config.bosId,
    num_beams: generation.beam,
    max_length: generation.maxLength,
    ...(generation.bannedIds.length > 0 ? { bad_words_ids: generation.bannedIds.map((id) => [id]) } : {}),
    use_cache: true,
  };
}

/** Why a model cannot be written as a MarianMTModel, or null when it can. */
export function exportProblem(config: ModelConfig): string | null {
  if (config.kind !== 'encoder-decoder') return `a ${config.kind} model is not a translation model`;
  if (config.normPosition !== 'post') return 'MarianMTModel normalizes after each sub-layer; this model is pre-norm';
  if (config.positionalEncoding === 'learned')
    return 'MarianMTModel has fixed sinusoidal positions; this model learned its own';
  if (config.layerNormEps !== 1e-5)
    return `MarianMTModel's layer norms use eps 1e-5, this model ${config.layerNormEps}`;
  const kinds = [config.attention, ...Object.values(config.layerAttention)].map((s) => s.kind);
  const other = kinds.find((k) => k !== 'full');
  if (other !== undefined) return `MarianMTModel has full attention only; this model uses "${other}" attention`;
  return null;
}
