// The models, built from a config.

import type { ModelConfig } from './config.js';
import { DecoderOnly } from './decoder-only.js';
import { EncoderDecoder } from './encoder-decoder.js';
import { EncoderOnly } from './encoder-only.js';

/** Any of the three model kinds. */
export type Model = EncoderDecoder | EncoderOnly | DecoderOnly;

/** The model a config describes, with freshly initialized weights. */
export function createModel(config: ModelConfig): Model {
  if (config.kind === 'encoder-decoder') return new EncoderDecoder(config);
  if (config.kind === 'encoder-only') return new EncoderOnly(config);
  return new DecoderOnly(config);
}

export * from './config.js';
export { EncoderDecoder, shiftRight, type DecodingState } from './encoder-decoder.js';
export { EncoderOnly } from './encoder-only.js';
export { DecoderOnly, type LanguageModelState, type StartLanguageModelOptions } from './decoder-only.js';
export { paddingMask, lengthsMask, causalMask } from './masks.js';
export { sinusoidTable } from './embeddings.js';
export { observeAttention } from './observe.js';
export { quantizeModel } from './quantize.js';
