// Section 3.1: the encoder (N identical layers) and the decoder (N identical layers), each applied to
// embeddings plus positional encodings with dropout (section 5.4), with a final layer norm when the
// norms come before the sub-layers.

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { LayerNorm } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { KVCache } from './attention.js';
import type { ModelConfig } from './config.js';
import { PositionalEncoding } from './embeddings.js';
import { DecoderLayer, EncoderLayer, type DecoderLayerCache } from './layers.js';

export class Encoder extends Module {
  readonly positional: PositionalEncoding;
  readonly layers: EncoderLayer[];
  readonly finalNorm: LayerNorm | null;

  /** `causal` makes it the stack of a decoder-only model. */
  constructor(
    readonly config: ModelConfig,
    layers: number,
    readonly causal = false,
  ) {
    super();
    const c = config;
    this.positional = this.module('positional', new PositionalEncoding(c.positionalEncoding, c.maxLength, c.dModel));
    this.layers = this.modules(
      'layers',
      Array.from({ length: layers }, (_, i) => new EncoderLayer(c, causal ? 'decoder' : 'encoder', i)),
    );
    this.finalNorm =
      c.normPosition === 'pre' ? this.module('finalNorm', new LayerNorm(c.dModel, c.layerNormEps)) : null;
  }

  /** embedded (B, T, d) -> (B, T, d). caches (one per layer) and offset serve incremental decoding. */
  forward(embedded: Tensor, mask: Tensor | null, caches?: KVCache[], offset = 0): Tensor {
    let x = T.dropout(this.positional.forward(embedded, offset), this.config.pDrop, this.training);
    this.layers.forEach((layer, i) => (x = layer.forward(x, mask, this.causal, caches?.[i])));
    return this.finalNorm === null ? x : this.finalNorm.forward(x);
  }
}

export class Decoder extends Module {
  readonly positional: PositionalEncoding;
  readonly layers: DecoderLayer[];
  readonly finalNorm: LayerNorm | null;

  constructor(readonly config: ModelConfig) {
    super();
    const c = config;
    this.positional = this.module('positional', new PositionalEncoding(c.positionalEncoding, c.maxLength, c.dModel));
    this.layers = this.modules(
      'layers',
      Array.from({ length: c.decoderLayers }, (_, i) => new DecoderLayer(c, i)),
    );
    this.finalNorm =
      c.normPosition === 'pre' ? this.module('finalNorm', new LayerNorm(c.dModel, c.layerNormEps)) : null;
  }

  /** embedded (B, T, d), memory (B, S, d) -> (B, T, d), starting at position `offset` when caching. */
  forward(
    embedded: Tensor,
    memory: Tensor,
    memoryMask: Tensor | null,
    caches?: DecoderLayerCache[],
    offset = 0,
  ): Tensor {
    let x = T.dropout(this.positional.forward(embedded, offset), this.config.pDrop, this.training);
    this.layers.forEach((layer, i) => (x = layer.forward(x, memory, memoryMask, caches?.[i])));
    return this.finalNorm === null ? x : this.finalNorm.forward(x);
  }
}

export function newDecoderCaches(layers: number): DecoderLayerCache[] {
  return Array.from({ length: layers }, () => ({ self: new KVCache(), cross: new KVCache() }));
}
