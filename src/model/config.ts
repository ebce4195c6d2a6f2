// The model's configuration: plain typed data with the paper's presets (Table 3: base and big) and
// smaller ones. Unknown keys and inconsistent values are errors that name the key.

import { InputError } from '../errors.js';
import { oneLine, quoteJson } from '../quote.js';
import { AttentionSpecError, CAUSAL_KINDS, validateAttentionSpec, type AttentionSpec } from './efficient/spec.js';

/** The three model shapes: encoder-decoder (translation), encoder-only, decoder-only. */
export type ModelKind = 'encoder-decoder' | 'encoder-only' | 'decoder-only';
/** Where layer normalization sits: after each sublayer (the paper's post-norm) or before it. */
export type NormPosition = 'post' | 'pre';
/** The feed-forward activation: the paper's relu, or gelu / swish. */
export type Activation = 'relu' | 'gelu' | 'swish';
/** sinusoidal: the paper's interleaved sin/cos; sinusoidal-halves: sines then cosines (Marian); learned. */
export type PositionalEncodingKind = 'sinusoidal' | 'sinusoidal-halves' | 'learned';
/** The head of an encoder-only model. */
export type EncoderHead = 'masked-lm' | 'sequence-classification' | 'token-classification';
/**
 * What the sequence classifier reads: the first position's state (BERT's [CLS]: the <s> every sequence
 * starts with), or the mean over the sequence's tokens, padding left out (what Long Range Arena's models
 * use, and what attention kinds that never let the first position see the whole input need).
 */
export type Pooling = 'first' | 'mean';

/** A model's every setting: kind, sizes (N, d_model, d_ff, h), dropout, vocabularies, special ids, attention kinds. */
export interface ModelConfig {
  kind: ModelKind;
  /** Target vocabulary (the only one for encoder-only and decoder-only models). */
  vocabSize: number;
  /** Source vocabulary of an encoder-decoder model. */
  sourceVocabSize: number;
  encoderLayers: number; // N
  decoderLayers: number; // N
  dModel: number;
  dFF: number;
  h: number;
  /** P_drop on every sub-layer output and on the embedding sums (the paper's section 5.4). */
  pDrop: number;
  /** Dropout on the attention weights. */
  attentionDropout: number;
  /** Dropout on the feed-forward hidden activation. */
  activationDropout: number;
  normPosition: NormPosition;
  activation: Activation;
  positionalEncoding: PositionalEncodingKind;
  /** Longest sequence the positional encoding covers. */
  maxLength: number;
  /** Multiply embeddings by sqrt(d_model) (the paper's section 3.4). */
  scaleEmbedding: boolean;
  /** One embedding table for source and target (needs equal vocabularies). */
  shareEmbeddings: boolean;
  /** The output projection is the target embedding matrix (the paper's section 3.4). */
  tieOutput: boolean;
  finalLogitsBias: boolean;
  layerNormEps: number;
  padId: number;
  /** The decoder-start token: the target is shifted right behind it. */
  bosId: number;
  eosId: number;
  /** Encoder-only models: which head sits on the encoder. */
  head: EncoderHead;
  /** Classes of the classification heads. */
  numLabels: number;
  /** The sequence classifier's pooling (see Pooling). */
  pooling: Pooling;
  /** The classes' names by id ("0" -> "POS"), as Hugging Face configs hold them; empty when unnamed. */
  id2label: Record<string, string>;
  /** The inverse of id2label. */
  label2id: Record<string, number>;
  /** The attention of every self-attention layer: full (the paper's) or an efficient kind. */
  attention: AttentionSpec;
  /** Per-layer overrides, keyed "encoder.N" or "decoder.N" (0-based), e.g. {"encoder.0": {"kind": "full"}}. */
  layerAttention: Record<string, AttentionSpec>;
}

const defaults: ModelConfig = {
  kind: 'encoder-decoder',
  vocabSize: 8000,
  sourceVocabSize: 8000,
  encoderLayers: 6,
  decoderLayers: 6,
  dModel: 512,
  dFF: 2048,
  h: 8,
  pDrop: 0.1,
  attentionDropout: 0,
  activationDropout: 0,
  normPosition: 'post',
  activation: 'relu',
  positionalEncoding: 'sinusoidal',
  maxLength: 1024,
  scaleEmbedding: true,
  shareEmbeddings: true,
  tieOutput: true,
  finalLogitsBias: false,
  layerNormEps: 1e-5,
  padId: 0,
  bosId: 1,
  eosId: 2,
  head: 'masked-lm',
  numLabels: 2,
  pooling: 'first',
  id2label: {},
  label2id: {},
  attention: { kind: 'full' },
  layerAttention: {},
};

/** The named configs: the paper's base and big, and the smaller small and tiny. */
export type PresetName = 'base' | 'big' | 'small' | 'tiny';

/** The named configs (base and big are the rows of the paper's Table 3). */
export const presets: Record<PresetName, Partial<ModelConfig>> = {
  base: { encoderLayers: 6, decoderLayers: 6, dModel: 512, dFF: 2048, h: 8, pDrop: 0.1 },
  big: { encoderLayers: 6, decoderLayers: 6, dModel: 1024, dFF: 4096, h: 16, pDrop: 0.3 },
  small: { encoderLayers: 3, decoderLayers: 3, dModel: 256, dFF: 1024, h: 4, pDrop: 0.1 },
  tiny: {
    encoderLayers: 2,
    decoderLayers: 2,
    dModel: 16,
    dFF: 32,
    h: 4,
    pDrop: 0,
    vocabSize: 13,
    sourceVocabSize: 13,
    maxLength: 64,
  },
};

const choices: Partial<Record<keyof ModelConfig, readonly string[]>> = {
  kind: ['encoder-decoder', 'encoder-only', 'decoder-only'],
  normPosition: ['post', 'pre'],
  activation: ['relu', 'gelu', 'swish'],
  positionalEncoding: ['sinusoidal', 'sinusoidal-halves', 'learned'],
  head: ['masked-lm', 'sequence-classification', 'token-classification'],
  pooling: ['first', 'mean'],
};

export class ConfigError extends InputError {}

/**
 * The largest sizes a config may ask for. They sit far above the paper's big model (N = 6, dModel 1024,
 * dFF 4096, h 16, a 37,000-token vocabulary) and above any published translation model, so no real
 * config meets them; they exist so that a corrupt or hostile config.json (10^6 layers, dModel 10^9) is
 * refused by name before a single tensor is allocated for it.
 */
export const CONFIG_LIMITS = {
  encoderLayers: 256,
  decoderLayers: 256,
  dModel: 65_536,
  dFF: 262_144,
  h: 1024,
  vocabSize: 4_194_304,
  sourceVocabSize: 4_194_304,
  maxLength: 1_048_576,
  numLabels: 4_194_304,
} as const satisfies Partial<Record<keyof ModelConfig, number>>;

/** The positional table (maxLength x dModel floats) is built with the model: at most 1 GiB of it. */
export const MAX_POSITION_TABLE = 2 ** 28;

/** The keys every config holds, in their usual order. */
export const CONFIG_KEYS = Object.keys(defaults) as (keyof ModelConfig)[];

/** Keys a complete config file may leave out: they came later (files written before them read as their defaults). */
const OPTIONAL_KEYS: ReadonlySet<string> = new Set(['id2label', 'label2id', 'pooling']);

/** A complete, validated config: defaults, then a preset, then overrides (which may not add keys). */
export function makeConfig(preset: PresetName | null, overrides: Record<string, unknown> = {}): ModelConfig {
  if (preset !== null && !(preset in presets)) {
    throw new ConfigError(`unknown preset "${preset}"; expected one of ${Object.keys(presets).join(', ')}`);
  }
  const merged: Record<string, unknown> = { ...defaults, ...(preset ? presets[preset] : {}) };
  if (
    overrides.vocabSize !== undefined &&
    overrides.sourceVocabSize === undefined &&
    (merged.shareEmbeddings || overrides.shareEmbeddings)
  ) {
    merged.sourceVocabSize = overrides.vocabSize;
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in defaults)) throw new ConfigError(`unknown config key ${quoteJson(key)}`);
    merged[key] = value;
  }
  return validateConfig(merged);
}

/** How validateConfig treats a partial config. */
export interface ValidateOptions {
  /** Every key must be given (a config file): a missing one is an error naming it, not a default. */
  complete?: boolean;
}

/** Checks types, ranges and consistency of a config read from a file or built in code. */
export function validateConfig(
  raw: Record<string, unknown>,
  where = 'config',
  options: ValidateOptions = {},
): ModelConfig {
  for (const key of Object.keys(raw))
    if (!(key in defaults)) throw new ConfigError(`${where}: unknown key ${quoteJson(key)}`);
  if (options.complete) {
    const missing = CONFIG_KEYS.filter((key) => !Object.hasOwn(raw, key) && !OPTIONAL_KEYS.has(key));
    if (missing.length > 0)
      throw new ConfigError(`${where}: ${missing.map((k) => `"${k}"`).join(', ')} missing; every key must be given`);
  }
  const c = { ...defaults, ...raw } as Record<string, unknown>;
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = c[key];
    const list = choices[key as keyof ModelConfig];
    if (list !== undefined && !list.includes(value as string)) {
      throw new ConfigError(`${where}: "${key}" must be one of ${list.join(', ')}, got ${quoteJson(value)}`);
    }
    if (key === 'attention' || key === 'layerAttention' || OPTIONAL_KEYS.has(key)) continue; // checked below
    if (typeof value !== typeof fallback)
      throw new ConfigError(`${where}: "${key}" must be a ${typeof fallback}, got ${quoteJson(value)}`);
  }
  const config = c as unknown as ModelConfig;
  const positive = ['vocabSize', 'sourceVocabSize', 'dModel', 'dFF', 'h', 'maxLength', 'numLabels'] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] < 1)
      throw new ConfigError(`${where}: "${key}" must be a positive integer, got ${config[key]}`);
  }
  for (const key of ['encoderLayers', 'decoderLayers'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0)
      throw new ConfigError(`${where}: "${key}" must be a non-negative integer, got ${config[key]}`);
  }
  for (const [key, limit] of Object.entries(CONFIG_LIMITS) as [keyof typeof CONFIG_LIMITS, number][]) {
    if (config[key] > limit) throw new ConfigError(`${where}: "${key}" ${config[key]} is above the limit of ${limit}`);
  }
  if (config.maxLength * config.dModel > MAX_POSITION_TABLE)
    throw new ConfigError(
      `${where}: "maxLength" ${config.maxLength} times "dModel" ${config.dModel} is above the limit of ${MAX_POSITION_TABLE} positional-table entries`,
    );
  for (const key of ['pDrop', 'attentionDropout', 'activationDropout'] as const) {
    if (!(config[key] >= 0 && config[key] < 1))
      throw new ConfigError(`${where}: "${key}" must be in [0, 1), got ${config[key]}`);
  }
  if (config.dModel % config.h !== 0)
    throw new ConfigError(`${where}: dModel ${config.dModel} is not divisible by h ${config.h}`);
  if (config.positionalEncoding !== 'learned' && config.dModel % 2 !== 0) {
    throw new ConfigError(`${where}: sinusoidal positional encodings need an even dModel, got ${config.dModel}`);
  }
  if (config.kind === 'encoder-decoder' && config.shareEmbeddings && config.sourceVocabSize !== config.vocabSize) {
    throw new ConfigError(
      `${where}: shareEmbeddings needs sourceVocabSize (${config.sourceVocabSize}) equal to vocabSize (${config.vocabSize})`,
    );
  }
  for (const key of ['padId', 'bosId', 'eosId'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0 || config[key] >= config.vocabSize) {
      throw new ConfigError(
        `${where}: "${key}" must be a token id below vocabSize ${config.vocabSize}, got ${config[key]}`,
      );
    }
  }
  if (!(config.layerNormEps > 0))
    throw new ConfigError(`${where}: "layerNormEps" must be positive, got ${config.layerNormEps}`);
  checkLabels(config, where);
  config.attention = checkedSpec(config.attention, `${where}: "attention"`, false);
  config.layerAttention = checkedLayerAttention(config, where);
  return { ...config };
}

/** id2label names every class 0..numLabels-1 once, and label2id is its inverse (or both are empty). */
function checkLabels(config: ModelConfig, where: string): void {
  const { id2label, label2id } = config as { id2label: unknown; label2id: unknown };
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(id2label) || !isObject(label2id))
    throw new ConfigError(`${where}: "id2label" and "label2id" must be objects like {"0": "NEG"} and {"NEG": 0}`);
  const names = Object.entries(id2label as Record<string, unknown>);
  const ids = Object.entries(label2id as Record<string, unknown>);
  if (names.length === 0 && ids.length === 0) return;
  if (names.length !== config.numLabels || ids.length !== config.numLabels)
    throw new ConfigError(
      `${where}: "id2label" and "label2id" must name all ${config.numLabels} labels ("numLabels"), got ${names.length} and ${ids.length}`,
    );
  for (let id = 0; id < config.numLabels; id++) {
    const name = (id2label as Record<string, unknown>)[String(id)];
    if (typeof name !== 'string' || (label2id as Record<string, unknown>)[name] !== id)
      throw new ConfigError(
        `${where}: "id2label" and "label2id" disagree at label ${id} (${quoteJson(name)}); each must be the other's inverse`,
      );
  }
}

/** A stack's layers, as layerAttention names them; decoder layers attend causally. */
function stacks(config: ModelConfig): { name: 'encoder' | 'decoder'; layers: number; causal: boolean }[] {
  if (config.kind === 'decoder-only') return [{ name: 'decoder', layers: config.decoderLayers, causal: true }];
  if (config.kind === 'encoder-only') return [{ name: 'encoder', layers: config.encoderLayers, causal: false }];
  return [
    { name: 'encoder', layers: config.encoderLayers, causal: false },
    { name: 'decoder', layers: config.decoderLayers, causal: true },
  ];
}

function checkedSpec(raw: unknown, where: string, causal: boolean): AttentionSpec {
  let spec: AttentionSpec;
  try {
    spec = validateAttentionSpec(raw, where);
  } catch (error) {
    // Its messages quote the value as it was given: cut to one short line.
    if (error instanceof AttentionSpecError) throw new ConfigError(oneLine(error.message, 300));
    throw error;
  }
  if (causal && !CAUSAL_KINDS.has(spec.kind))
    throw new ConfigError(`${where}: "${spec.kind}" attention cannot be causal; use it in encoder layers only`);
  return spec;
}

function checkedLayerAttention(config: ModelConfig, where: string): Record<string, AttentionSpec> {
  const raw = config.layerAttention as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${where}: "layerAttention" must be an object like {"encoder.0": {"kind": "local"}}`);
  const out: Record<string, AttentionSpec> = {};
  const all = stacks(config);
  for (const [key, value] of Object.entries(raw)) {
    const match = /^(encoder|decoder)\.(\d+)$/.exec(key);
    const stack = all.find((s) => s.name === match?.[1]);
    if (match === null || stack === undefined || Number(match[2]) >= stack.layers)
      throw new ConfigError(
        `${where}: "layerAttention" key ${quoteJson(key)} names no layer; expected ${all.map((s) => `${s.name}.0..${s.layers - 1}`).join(' or ')}`,
      );
    out[key] = checkedSpec(value, `${where}: "layerAttention.${key}"`, stack.causal);
  }
  // The model-wide spec applies to the causal stack too: refuse it there unless every layer overrides it.
  for (const stack of all)
    for (let i = 0; i < stack.layers; i++)
      if (stack.causal && out[`${stack.name}.${i}`] === undefined && !CAUSAL_KINDS.has(config.attention.kind))
        throw new ConfigError(
          `${where}: "attention" kind "${config.attention.kind}" cannot be causal, and ${stack.name}.${i} uses it; ` +
            `override the ${stack.name} layers in "layerAttention"`,
        );
  return out;
}

/** The attention spec of one self-attention layer. */
export function layerAttentionSpec(config: ModelConfig, stack: 'encoder' | 'decoder', layer: number): AttentionSpec {
  return config.layerAttention[`${stack}.${layer}`] ?? config.attention;
}
