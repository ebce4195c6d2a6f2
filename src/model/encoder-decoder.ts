// The translation model of the paper (Figure 1): encoder over the source, decoder over the target
// shifted right, shared embeddings and output projection when the vocabulary is shared.

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import type { ModelConfig } from './config.js';
import { Embeddings } from './embeddings.js';
import { paddingMask } from './masks.js';
import { OutputProjection } from './output.js';
import { Decoder, Encoder, newDecoderCaches } from './stacks.js';
import type { DecoderLayerCache } from './layers.js';
import { DecodingRows, FixedKVCache, type FixedLayerCache } from './decoding-cache.js';
import { StepScratch, canFuseStep, fusedDecoderStep } from './decoder-step.js';

/** What incremental decoding keeps between steps for a batch of sources. */
export interface DecodingState {
  memory: Tensor; // (B, S, d)
  memoryMask: Tensor; // (B, 1, 1, S)
  /** Caches that do not move (the paper's attention), or growing ones (efficient attention kinds). */
  caches: DecoderLayerCache[] | FixedLayerCache[];
  /** The batch rows on the fixed caches (memory and mask stay per sentence); null on growing ones. */
  rows: DecodingRows | null;
  /** Target positions decoded so far. */
  position: number;
  /** The buffers of the fused step (decoder-step.ts) on fixed caches; absent when every op runs as a tensor op. */
  scratch?: StepScratch;
}

/** How startDecoding sizes and lays out the key/value caches. */
export interface StartDecodingOptions {
  /** Target positions the decoding will likely need: the fixed caches start this long (they grow if need be). */
  positions?: number;
  /**
   * 'growing': caches that grow by concatenation and rows reordered by copying, which efficient
   * attention kinds need anyway; the fixed caches' reference in tests. 'fixed' (the default) when the
   * model allows it.
   */
  cache?: 'fixed' | 'growing';
  /**
   * On the fixed caches, a step of one position runs as straight kernel calls on kept buffers (true,
   * the default) or op by op on tensors (false: the reference the fused step is tested against).
   */
  fused?: boolean;
}

/** The paper's encoder-decoder Transformer (section 3): forward for training, startDecoding / step for cached decoding. */
export class EncoderDecoder extends Module {
  readonly sourceEmbedding: Embeddings;
  readonly targetEmbedding: Embeddings;
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  readonly output: OutputProjection;

  constructor(readonly config: ModelConfig) {
    super();
    const c = config;
    this.sourceEmbedding = this.module(
      'sourceEmbedding',
      new Embeddings(c.sourceVocabSize, c.dModel, c.scaleEmbedding),
    );
    this.targetEmbedding = c.shareEmbeddings
      ? this.sourceEmbedding
      : this.module('targetEmbedding', new Embeddings(c.vocabSize, c.dModel, c.scaleEmbedding));
    this.encoder = this.module('encoder', new Encoder(c, c.encoderLayers));
    this.decoder = this.module('decoder', new Decoder(c));
    this.output = this.module('output', new OutputProjection(this.targetEmbedding, c.tieOutput, c.finalLogitsBias));
  }

  /** source ids (B, S) -> memory (B, S, d) and its padding mask (B, 1, 1, S). */
  encode(source: Tensor): { memory: Tensor; memoryMask: Tensor } {
    const memoryMask = paddingMask(source, this.config.padId);
    const memory = this.encoder.forward(this.sourceEmbedding.forward(source), memoryMask);
    return { memory, memoryMask };
  }

  /** Teacher forcing: source (B, S) and decoder input (B, T) -> logits (B, T, V). */
  forward(source: Tensor, targetInput: Tensor): Tensor {
    const { memory, memoryMask } = this.encode(source);
    const x = this.decoder.forward(this.targetEmbedding.forward(targetInput), memory, memoryMask);
    return this.output.forward(x);
  }

  /**
   * Encodes the sources once and prepares empty key/value caches for step(): caches that do not move
   * when every decoder layer has the paper's attention, growing ones otherwise.
   */
  startDecoding(source: Tensor, options: StartDecodingOptions = {}): DecodingState {
    const { memory, memoryMask } = this.encode(source);
    const state = { memory: memory.keep(), memoryMask: memoryMask.keep(), position: 0 };
    if (options.cache === 'growing' || this.decoder.layers.some((layer) => layer.selfAttention.mechanism !== null))
      return { ...state, caches: newDecoderCaches(this.decoder.layers.length), rows: null };
    const rows = new DecodingRows(state.memoryMask, options.positions);
    const caches = this.decoder.layers.map(() => ({ self: new FixedKVCache(), cross: new FixedKVCache(), rows }));
    const { dModel, dFF } = this.config;
    return { ...state, caches, rows, ...(options.fused === false ? {} : { scratch: new StepScratch(dModel, dFF) }) };
  }

  /** The next target tokens (N, t) -> their logits (N, t, V), reusing and extending the caches. */
  step(state: DecodingState, tokens: Tensor): Tensor {
    const t = tokens.shape[1];
    state.rows?.begin(t);
    const embedded = this.targetEmbedding.forward(tokens);
    const { rows, scratch } = state;
    const x =
      rows !== null && scratch !== undefined && canFuseStep(this.decoder, embedded, state.caches, rows)
        ? fusedDecoderStep(
            this.decoder,
            this.decoder.positions(embedded, state.position),
            state.memory,
            state.caches as FixedLayerCache[],
            scratch,
          )
        : this.decoder.forward(embedded, state.memory, state.memoryMask, state.caches, state.position);
    state.rows?.end(t);
    state.position += t;
    return this.output.forward(x);
  }

  /** Frees the tensors a decoding state keeps. */
  endDecoding(state: DecodingState): void {
    state.memory.dispose();
    state.memoryMask.dispose();
    state.rows?.dispose();
    state.scratch?.dispose();
    for (const c of state.caches) {
      c.self.dispose();
      c.cross.dispose();
    }
  }
}

/** The decoder input for a target: the decoder-start token followed by the target without its last token. */
export function shiftRight(target: Tensor, bosId: number): Tensor {
  const [B, L] = target.shape;
  const ids = target.ints('target');
  const shifted = new Int32Array(B * L);
  for (let b = 0; b < B; b++) {
    shifted[b * L] = bosId;
    shifted.set(ids.subarray(b * L, b * L + L - 1), b * L + 1);
  }
  return T.tensor(shifted, [B, L], 'int32');
}
