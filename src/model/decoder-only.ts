// A causal language model: a stack of causal Blocks (self-attention with the look-ahead mask, then
// feed-forward; the paper's decoder without cross-attention), predicting the next token.

import { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { KVCache } from './attention.js';
import type { ModelConfig } from './config.js';
import { DecodingRows, FixedKVCache } from './decoding-cache.js';
import { Embeddings } from './embeddings.js';
import { Block } from './layers.js';
import { OutputProjection } from './output.js';
import { Stack } from './stacks.js';

/**
 * A language model's key/value caches during decoding. Rows may hold prompts of different lengths,
 * left-padded: a pad is never attended to and each row counts its own positions (`counts`).
 */
export interface LanguageModelState {
  /** Caches that do not move (the paper's attention), or growing ones (efficient attention kinds, or when asked for). */
  layout: 'fixed' | 'growing';
  caches: KVCache[] | FixedKVCache[];
  /** Columns decoded so far, pads included (the same for every row). */
  position: number;
  /** The batch rows on caches that do not move (created at the first step); null on growing ones. */
  rows: DecodingRows | null;
  /** (B) real tokens each row has read: the position of its next token; null before the first step. */
  counts: Int32Array | null;
  /** Growing caches only: (B, position) non-zero = a real token; null while no pad was given. */
  keyPadding: Int32Array | null;
  /** Positions the fixed caches start with (they grow if need be). */
  capacityHint?: number;
}

/** How startDecoding lays out the caches (see StartDecodingOptions of the encoder-decoder). */
export interface StartLanguageModelOptions {
  /** Positions the decoding will likely need. */
  positions?: number;
  /** 'growing': caches that grow by concatenation, rows reordered by copying; 'fixed' (the default) when the model allows it. */
  cache?: 'fixed' | 'growing';
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

  /** An empty key/value cache for step-by-step decoding: one that does not move unless a layer's attention needs growing ones. */
  startDecoding(options: StartLanguageModelOptions = {}): LanguageModelState {
    const growing =
      options.cache === 'growing' || this.decoder.layers.some((layer) => layer.selfAttention.mechanism !== null);
    const layout = growing ? 'growing' : 'fixed';
    const layers = this.decoder.layers;
    const caches = growing ? layers.map(() => new KVCache()) : layers.map(() => new FixedKVCache());
    return { layout, caches, position: 0, rows: null, counts: null, keyPadding: null, capacityHint: options.positions };
  }

  /**
   * The next tokens (B, t) -> their logits (B, t, V), extending the caches. padding (B, t) int32,
   * non-zero = a real token, marks pads (the left padding of shorter prompts): no query attends to them
   * and they take no position; their own logits are meaningless.
   */
  step(state: LanguageModelState, tokens: Tensor, padding?: Tensor | null): Tensor {
    const [B, t] = tokens.shape;
    const real = padding == null ? undefined : padding.ints('padding');
    if (real !== undefined && real.length !== B * t)
      throw new RangeError(`step: padding of shape (${padding!.shape}) for tokens (${B}, ${t})`);
    state.counts ??= new Int32Array(B);
    if (state.counts.length !== B)
      throw new RangeError(`step: ${B} rows of tokens for a state of ${state.counts.length}`);
    const offset = this.positions(state.counts, state.position, t, real);
    if (state.layout === 'fixed') state.rows ??= new DecodingRows(B, state.capacityHint);
    const rows = state.rows;
    const mask = rows === null ? this.growPadding(state, B, t, real) : null;
    rows?.begin(t, real);
    const caches =
      rows === null ? (state.caches as KVCache[]) : (state.caches as FixedKVCache[]).map((cache) => ({ cache, rows }));
    const x = this.decoder.forward(this.embedding.forward(tokens), mask, caches, offset);
    rows?.end(t);
    state.position += t;
    return this.output.forward(x);
  }

  /** Frees the state of startDecoding. */
  endDecoding(state: LanguageModelState): void {
    for (const c of state.caches) c.dispose();
    state.rows?.dispose();
  }

  /**
   * Each token's position, advancing the rows' counts: a row's real tokens go on from its count; a pad
   * takes position 0 (it is never attended to). A plain offset when every row is at the same place.
   */
  private positions(counts: Int32Array, position: number, t: number, real?: Int32Array): number | Int32Array {
    if (real === undefined && counts.every((c) => c === position)) {
      counts.fill(position + t);
      return position;
    }
    const positions = new Int32Array(counts.length * t);
    counts.forEach((_, b) => {
      for (let j = 0; j < t; j++) if (real === undefined || real[b * t + j]) positions[b * t + j] = counts[b]++;
    });
    return positions;
  }

  /** Growing caches: the key padding so far (B, 1, 1, position + t) as a mask, or null while there is no pad. */
  private growPadding(state: LanguageModelState, B: number, t: number, real?: Int32Array): Tensor | null {
    if (state.keyPadding === null && (real === undefined || !real.includes(0))) return null;
    const Tk = state.position + t;
    const padding = new Int32Array(B * Tk).fill(1);
    for (let b = 0; b < B; b++) {
      if (state.keyPadding !== null)
        padding.set(state.keyPadding.subarray(b * state.position, (b + 1) * state.position), b * Tk);
      if (real !== undefined) padding.set(real.subarray(b * t, (b + 1) * t), b * Tk + state.position);
    }
    state.keyPadding = padding;
    return Tensor.from(padding, [B, 1, 1, Tk]);
  }
}
