// Section 3.1: the encoder (N identical layers) and the decoder (N identical layers), each applied to
// embeddings plus positional encodings with dropout (section 5.4), with a final layer norm when the
// norms come before the sub-layers. A decoder-only model stacks causal Blocks the same way.

import * as T from '../tensor/index.js';
import { tidy, type Tensor } from '../tensor/tensor.js';
import { LayerNorm } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { KVCache } from './attention.js';
import type { ModelConfig } from './config.js';
import { PositionalEncoding } from './embeddings.js';
import { Block, DecoderLayer, EncoderLayer, type DecoderLayerCache, type FixedSelfCache } from './layers.js';
import type { FixedLayerCache } from './decoding-cache.js';

/** What every stack shares: positions and dropout before the layers, the final norm after them. */
abstract class Layers<L extends Module> extends Module {
  readonly positional: PositionalEncoding;
  readonly layers: L[];
  readonly finalNorm: LayerNorm | null;

  constructor(
    readonly config: ModelConfig,
    count: number,
    layer: (index: number) => L,
  ) {
    super();
    const c = config;
    this.positional = this.module('positional', new PositionalEncoding(c.positionalEncoding, c.maxLength, c.dModel));
    this.layers = this.modules(
      'layers',
      Array.from({ length: count }, (_, i) => layer(i)),
    );
    this.finalNorm =
      c.normPosition === 'pre' ? this.module('finalNorm', new LayerNorm(c.dModel, c.layerNormEps)) : null;
  }

  /** embedded (B, T, d) plus the encodings of positions offset, offset + 1, ... (or each token's own, (B * T)), with dropout: the first layer's input. */
  positions(embedded: Tensor, offset: number | Int32Array): Tensor {
    return T.dropout(this.positional.forward(embedded, offset), this.config.pDrop, this.training);
  }

  /**
   * embedded (B, T, d) at positions offset, offset + 1, ... (or each token's own position, (B * T), when
   * the rows of a batch are at different positions) -> (B, T, d), each layer applied by `apply`.
   */
  protected run(
    embedded: Tensor,
    offset: number | Int32Array,
    apply: (layer: L, x: Tensor, index: number) => Tensor,
  ): Tensor {
    let x = this.positions(embedded, offset);
    // Without gradients nothing needs a layer's intermediates once it is done: free them layer by
    // layer, so that encoding a long batch holds one layer's activations at a time, not N.
    const inference = !T.isGradEnabled();
    this.layers.forEach((layer, i) => (x = inference ? tidy(() => apply(layer, x, i)) : apply(layer, x, i)));
    return this.finalNorm === null ? x : this.finalNorm.forward(x);
  }
}

/** Blocks one after the other: the encoder, and (causal Blocks) a decoder-only model. */
export class Stack<B extends Block = Block> extends Layers<B> {
  /** embedded (B, T, d) -> (B, T, d). caches (one per block) and offset (see run) serve incremental decoding. */
  forward(
    embedded: Tensor,
    mask: Tensor | null,
    caches?: readonly (KVCache | FixedSelfCache)[],
    offset: number | Int32Array = 0,
  ): Tensor {
    return this.run(embedded, offset, (block, x, i) => block.forward(x, mask, caches?.[i]));
  }
}

export class Encoder extends Stack<EncoderLayer> {
  constructor(config: ModelConfig, layers: number) {
    super(config, layers, (i) => new EncoderLayer(config, i));
  }
}

export class Decoder extends Layers<DecoderLayer> {
  constructor(config: ModelConfig) {
    super(config, config.decoderLayers, (i) => new DecoderLayer(config, i));
  }

  /** embedded (B, T, d), memory (B, S, d) -> (B, T, d), starting at position `offset` when caching. */
  forward(
    embedded: Tensor,
    memory: Tensor,
    memoryMask: Tensor | null,
    caches?: DecoderLayerCache[] | FixedLayerCache[],
    offset = 0,
  ): Tensor {
    return this.run(embedded, offset, (layer, x, i) => layer.forward(x, memory, memoryMask, caches?.[i]));
  }
}

export function newDecoderCaches(layers: number): DecoderLayerCache[] {
  return Array.from({ length: layers }, () => ({ self: new KVCache(), cross: new KVCache() }));
}
