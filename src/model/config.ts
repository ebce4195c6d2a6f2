// The model's configuration: plain typed data with the paper's presets (Table 3: base and big) and
// smaller ones. Unknown keys and inconsistent values are errors that name the key.

export type ModelKind = 'encoder-decoder' | 'encoder-only' | 'decoder-only';
export type NormPosition = 'post' | 'pre';
export type Activation = 'relu' | 'gelu' | 'swish';
/** sinusoidal: the paper's interleaved sin/cos; sinusoidal-halves: sines then cosines (Marian); learned. */
export type PositionalEncodingKind = 'sinusoidal' | 'sinusoidal-halves' | 'learned';
export type EncoderHead = 'masked-lm' | 'sequence-classification' | 'token-classification';

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
};

export type PresetName = 'base' | 'big' | 'small' | 'tiny';

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
};

export class ConfigError extends Error {}

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
    if (!(key in defaults)) throw new ConfigError(`unknown config key "${key}"`);
    merged[key] = value;
  }
  return validateConfig(merged);
}

/** Checks types and consistency of a config read from a file or built in code. */
export function validateConfig(raw: Record<string, unknown>, where = 'config'): ModelConfig {
  for (const key of Object.keys(raw)) if (!(key in defaults)) throw new ConfigError(`${where}: unknown key "${key}"`);
  const c = { ...defaults, ...raw } as Record<string, unknown>;
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = c[key];
    const list = choices[key as keyof ModelConfig];
    if (list !== undefined && !list.includes(value as string)) {
      throw new ConfigError(`${where}: "${key}" must be one of ${list.join(', ')}, got ${JSON.stringify(value)}`);
    }
    if (typeof value !== typeof fallback)
      throw new ConfigError(`${where}: "${key}" must be a ${typeof fallback}, got ${JSON.stringify(value)}`);
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
  return { ...config };
}
