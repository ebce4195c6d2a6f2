// Section 3.1, Encoder and Decoder Stacks: each sub-layer is wrapped as LayerNorm(x + Dropout(Sublayer(x)))
// ("post", the paper) or x + Dropout(Sublayer(LayerNorm(x))) ("pre", which then needs a final norm).

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { LayerNorm, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { CrossAttention, KVCache, SelfAttention } from './attention.js';
import { layerAttentionSpec, type ModelConfig } from './config.js';
import { createMechanism } from './efficient/registry.js';
import { FeedForward } from './feed-forward.js';
import type { DecodingRows, FixedKVCache, FixedLayerCache } from './decoding-cache.js';

/** A Block's self-attention cache that does not move, and the batch rows on it. */
export interface FixedSelfCache {
  cache: FixedKVCache;
  rows: DecodingRows;
}

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

/** Which layer of which stack: the key of its attention spec in the config ("decoder.3"). */
export interface LayerPlace {
  stack: 'encoder' | 'decoder';
  index: number;
}

/** The self-attention of a layer, with the mechanism its config names. */
function selfAttention(c: ModelConfig, place: LayerPlace, causal: boolean): SelfAttention {
  const spec = layerAttentionSpec(c, place.stack, place.index);
  const context = { dModel: c.dModel, h: c.h, maxLength: c.maxLength, causal };
  const mechanism = createMechanism(spec, context, `${place.stack}.${place.index}`);
  return new SelfAttention(c.dModel, c.h, c.attentionDropout, mechanism);
}

/** Whether a layer keeps its feed-forward sub-layer: its attention's mechanism may take its place. */
function hasFeedForward(attention: SelfAttention): boolean {
  return attention.mechanism?.replacesFeedForward !== true;
}

/**
 * Self-attention then feed-forward: the encoder's layer and, causal, the layer of a decoder-only
 * model (nanoGPT's Block).
 */
export class Block extends Module {
  readonly selfAttention: SelfAttention;
  readonly norm1: LayerNorm;
  readonly ffn: FeedForward | null;
  readonly norm2: LayerNorm | null;

  constructor(
    readonly config: ModelConfig,
    place: LayerPlace,
    readonly causal: boolean,
  ) {
    super();
    const c = config;
    this.selfAttention = this.module('selfAttention', selfAttention(c, place, causal));
    this.norm1 = this.module('norm1', new LayerNorm(c.dModel, c.layerNormEps));
    const ffn = hasFeedForward(this.selfAttention);
    this.ffn = ffn ? this.module('ffn', new FeedForward(c.dModel, c.dFF, c.activation, c.activationDropout)) : null;
    this.norm2 = ffn ? this.module('norm2', new LayerNorm(c.dModel, c.layerNormEps)) : null;
  }

  /**
   * x (B, T, d) -> (B, T, d); mask broadcastable to (B, h, T, T); a cache for decoding step by step,
   * growing or (the paper's attention) one that does not move.
   */
  forward(x: Tensor, mask: Tensor | null, cache?: KVCache | FixedSelfCache): Tensor {
    const call = cache === undefined || cache instanceof KVCache ? { cache } : { fixed: cache };
    const attend = (y: Tensor) => this.selfAttention.forward(y, { mask, causal: this.causal, ...call }).output;
    const y = residual(x, this.norm1, attend, this.config, this.training);
    const { ffn, norm2 } = this;
    if (ffn === null || norm2 === null) return y;
    return residual(y, norm2, (z) => ffn.forward(z), this.config, this.training);
  }
}

/** The paper's encoder layer: a Block whose queries see every key. */
export class EncoderLayer extends Block {
  constructor(config: ModelConfig, index = 0) {
    super(config, { stack: 'encoder', index }, false);
    // It runs once per sentence, over every source position: no packed copies of its weights.
    for (const m of this.namedModules().values()) if (m instanceof Linear) m.packable = false;
  }
}

/** The decoder's per-layer state while decoding one token at a time. */
export interface DecoderLayerCache {
  self: KVCache;
  cross: KVCache;
}

/** Masked self-attention, attention over the encoder output, feed-forward. */
export class DecoderLayer extends Module {
  readonly selfAttention: SelfAttention;
  readonly norm1: LayerNorm;
  readonly crossAttention: CrossAttention;
  readonly norm2: LayerNorm;
  readonly ffn: FeedForward | null;
  readonly norm3: LayerNorm | null;

  constructor(
    readonly config: ModelConfig,
    index = 0,
  ) {
    super();
    const c = config;
    this.selfAttention = this.module('selfAttention', selfAttention(c, { stack: 'decoder', index }, true));
    this.norm1 = this.module('norm1', new LayerNorm(c.dModel, c.layerNormEps));
    this.crossAttention = this.module('crossAttention', new CrossAttention(c.dModel, c.h, c.attentionDropout));
    this.norm2 = this.module('norm2', new LayerNorm(c.dModel, c.layerNormEps));
    const ffn = hasFeedForward(this.selfAttention);
    this.ffn = ffn ? this.module('ffn', new FeedForward(c.dModel, c.dFF, c.activation, c.activationDropout)) : null;
    this.norm3 = ffn ? this.module('norm3', new LayerNorm(c.dModel, c.layerNormEps)) : null;
  }

  /**
   * x (B, T, d), memory (B, S, d), memoryMask broadcastable to (B, h, T, S) -> (B, T, d). On a fixed
   * cache, x has one row per batch row of cache.rows, and the memory and its mask stay per sentence.
   */
  forward(x: Tensor, memory: Tensor, memoryMask: Tensor | null, cache?: DecoderLayerCache | FixedLayerCache): Tensor {
    const c = this.config;
    const fixed = cache !== undefined && 'rows' in cache ? cache : null;
    const growing = fixed === null ? (cache as DecoderLayerCache | undefined) : undefined;
    const selfCall = fixed === null ? { cache: growing?.self } : { fixed: { cache: fixed.self, rows: fixed.rows } };
    const crossCall = fixed === null ? { cache: growing?.cross } : { fixed: { cache: fixed.cross, rows: fixed.rows } };
    const attendSelf = (y: Tensor) => this.selfAttention.forward(y, { causal: true, ...selfCall }).output;
    const attendMemory = (y: Tensor) =>
      this.crossAttention.forward(y, { memory, mask: memoryMask, ...crossCall }).output;
    const y = residual(x, this.norm1, attendSelf, c, this.training);
    const z = residual(y, this.norm2, attendMemory, c, this.training);
    const { ffn, norm3 } = this;
    if (ffn === null || norm3 === null) return z;
    return residual(z, norm3, (w) => ffn.forward(w), c, this.training);
  }
}
