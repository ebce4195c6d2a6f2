// Section 3.1, Encoder and Decoder Stacks: each sub-layer is wrapped as LayerNorm(x + Dropout(Sublayer(x)))
// ("post", the paper) or x + Dropout(Sublayer(LayerNorm(x))) ("pre", which then needs a final norm).

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { LayerNorm } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { KVCache, MultiHeadAttention } from './attention.js';
import { layerAttentionSpec, type ModelConfig } from './config.js';
import { createMechanism } from './efficient/registry.js';
import { FeedForward } from './feed-forward.js';

/** One residual sub-layer with its norm, in the configured position. */
function residual(
  x: Tensor,
  norm: LayerNorm,
  sublayer: (y: Tensor) => Tensor,
  c: ModelConfig,
  training: boolean,
): Tensor {
  if (c.normPosition === 'pre') return T.add(x, T.dropout(sublayer(norm.forward(x)), c.pDrop, training));
  return norm.forward(T.add(x, T.dropout(sublayer(x), c.pDrop, training)));
}

/** The self-attention of layer `index` of a stack, with the mechanism its config names. */
function selfAttention(c: ModelConfig, stack: 'encoder' | 'decoder', index: number): MultiHeadAttention {
  const spec = layerAttentionSpec(c, stack, index);
  const context = { dModel: c.dModel, h: c.h, maxLength: c.maxLength, causal: stack === 'decoder' };
  const mechanism = createMechanism(spec, context, `${stack}.${index}`);
  return new MultiHeadAttention(c.dModel, c.h, c.attentionDropout, 'self', mechanism);
}

/** Persistent memory with noFeedForward ("all-attention") replaces the feed-forward sub-layer. */
function hasFeedForward(c: ModelConfig, stack: 'encoder' | 'decoder', index: number): boolean {
  const spec = layerAttentionSpec(c, stack, index);
  return !(spec.kind === 'persistent-memory' && spec.noFeedForward === true);
}

/** Self-attention then feed-forward: the encoder's layer, and (causal) the decoder-only model's. */
export class EncoderLayer extends Module {
  readonly selfAttention: MultiHeadAttention;
  readonly norm1: LayerNorm;
  readonly ffn: FeedForward | null;
  readonly norm2: LayerNorm | null;

  constructor(
    readonly config: ModelConfig,
    stack: 'encoder' | 'decoder' = 'encoder',
    index = 0,
  ) {
    super();
    const c = config;
    this.selfAttention = this.module('selfAttention', selfAttention(c, stack, index));
    this.norm1 = this.module('norm1', new LayerNorm(c.dModel, c.layerNormEps));
    const ffn = hasFeedForward(c, stack, index);
    this.ffn = ffn ? this.module('ffn', new FeedForward(c.dModel, c.dFF, c.activation, c.activationDropout)) : null;
    this.norm2 = ffn ? this.module('norm2', new LayerNorm(c.dModel, c.layerNormEps)) : null;
  }

  /** x (B, T, d) -> (B, T, d); mask broadcastable to (B, h, T, T). */
  forward(x: Tensor, mask: Tensor | null, causal = false, cache?: KVCache): Tensor {
    const attend = (y: Tensor) => this.selfAttention.forward(y, { mask, causal, cache }).output;
    const y = residual(x, this.norm1, attend, this.config, this.training);
    if (this.ffn === null) return y;
    return residual(y, this.norm2!, (z) => this.ffn!.forward(z), this.config, this.training);
  }
}

/** The decoder's per-layer state while decoding one token at a time. */
export interface DecoderLayerCache {
  self: KVCache;
  cross: KVCache;
}

/** Masked self-attention, attention over the encoder output, feed-forward. */
export class DecoderLayer extends Module {
  readonly selfAttention: MultiHeadAttention;
  readonly norm1: LayerNorm;
  readonly crossAttention: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly ffn: FeedForward | null;
  readonly norm3: LayerNorm | null;

  constructor(
    readonly config: ModelConfig,
    index = 0,
  ) {
    super();
    const c = config;
    this.selfAttention = this.module('selfAttention', selfAttention(c, 'decoder', index));
    this.norm1 = this.module('norm1', new LayerNorm(c.dModel, c.layerNormEps));
    this.crossAttention = this.module(
      'crossAttention',
      new MultiHeadAttention(c.dModel, c.h, c.attentionDropout, 'cross'),
    );
    this.norm2 = this.module('norm2', new LayerNorm(c.dModel, c.layerNormEps));
    const ffn = hasFeedForward(c, 'decoder', index);
    this.ffn = ffn ? this.module('ffn', new FeedForward(c.dModel, c.dFF, c.activation, c.activationDropout)) : null;
    this.norm3 = ffn ? this.module('norm3', new LayerNorm(c.dModel, c.layerNormEps)) : null;
  }

  /** x (B, T, d), memory (B, S, d), memoryMask broadcastable to (B, h, T, S) -> (B, T, d). */
  forward(x: Tensor, memory: Tensor, memoryMask: Tensor | null, cache?: DecoderLayerCache): Tensor {
    const c = this.config;
    const attendSelf = (y: Tensor) => this.selfAttention.forward(y, { causal: true, cache: cache?.self }).output;
    const attendMemory = (y: Tensor) =>
      this.crossAttention.forward(y, { memory, mask: memoryMask, cache: cache?.cross }).output;
    const y = residual(x, this.norm1, attendSelf, c, this.training);
    const z = residual(y, this.norm2, attendMemory, c, this.training);
    if (this.ffn === null) return z;
    return residual(z, this.norm3!, (w) => this.ffn!.forward(w), c, this.training);
  }
}
