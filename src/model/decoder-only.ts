// A causal language model: a stack of causal Blocks (self-attention with the look-ahead mask, then
// feed-forward; the paper's decoder without cross-attention), predicting the next token.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { KVCache } from './attention.js';
import type { ModelConfig } from './config.js';
import { Embeddings } from './embeddings.js';
import { Block } from './layers.js';
import { OutputProjection } from './output.js';
import { Stack } from './stacks.js';

/** A language model's key/value caches during decoding. */
export interface LanguageModelState {
  caches: KVCache[];
  position: number;
}

/** A decoder-only Transformer (a language model): embeddings, N causal self-attention layers, the output projection. */
export class DecoderOnly extends Module {
  readonly embedding: Embeddings;
  /** Its Blocks, named "decoder" in model files. */
  readonly decoder: Stack;
  readonly output: OutputProjection;

  constructor(readonly config: ModelConfig) {
    super();
    const c = config;
    this.embedding = this.module('embedding', new Embeddings(c.vocabSize, c.dModel, c.scaleEmbedding));
    const block = (index: number) => new Block(c, { stack: 'decoder', index }, true);
    this.decoder = this.module('decoder', new Stack(c, c.decoderLayers, block));
    this.output = this.module('output', new OutputProjection(this.embedding, c.tieOutput, c.finalLogitsBias));
  }

  /** ids (B, T) -> next-token logits (B, T, V). */
  forward(ids: Tensor): Tensor {
    return this.output.forward(this.decoder.forward(this.embedding.forward(ids), null));
  }

  /** An empty key/value cache for step-by-step decoding. */
  startDecoding(): LanguageModelState {
    return { caches: this.decoder.layers.map(() => new KVCache()), position: 0 };
  }

  /** The next tokens (B, t) -> their logits (B, t, V), extending the caches. */
  step(state: LanguageModelState, tokens: Tensor): Tensor {
    const x = this.decoder.forward(this.embedding.forward(tokens), null, state.caches, state.position);
    state.position += tokens.shape[1];
    return this.output.forward(x);
  }

  /** Frees the state of startDecoding. */
  endDecoding(state: LanguageModelState): void {
    for (const c of state.caches) c.dispose();
  }
}
