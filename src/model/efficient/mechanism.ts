// The one attention interface behind MultiHeadAttention: the projections, heads, KV cache and output
// projection stay in MultiHeadAttention; a mechanism turns per-head queries, keys and values into
// per-head outputs. Full attention is the paper's; the others are its efficient descendants.

import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface AttendInputs {
  /** (B, h, Tq, dK) */
  q: Tensor;
  /** (B, h, Tk, dK); while decoding with a KV cache, the cached keys and values come first. */
  k: Tensor;
  v: Tensor;
  /** (B, Tk) int32, non-zero where the key is a real token; null when nothing is padded. */
  keyPadding: Tensor | null;
  /**
   * Query i (0-based within q) may attend key j only when j <= i + (Tk - Tq): bottom-right aligned,
   * as in T.attention, so that a decoding step's single query sees every cached key.
   */
  causal: boolean;
  /** Dropout on the attention weights, applied only when training. */
  dropout: number;
  training: boolean;
  /** Return the weights as a dense (B, h, Tq, Tk) tensor (for display; zeros where nothing is attended). */
  needWeights: boolean;
}

export interface AttendResult {
  /** (B, h, Tq, dV) */
  output: Tensor;
  /** (B, h, Tq, Tk) when asked for and the kind has per-key weights; null otherwise. */
  weights: Tensor | null;
}

/** A running state of constant size standing in for every past key and value while decoding, per batch row on axis 0. */
export type DecodingState = readonly Tensor[];

/** What a mechanism knows of its kind's declaration (kind.ts declares the rest: fields, settle, create). */
export interface MechanismKind {
  readonly name: string;
  readonly causal: boolean;
  readonly kvCache: boolean;
  replacesFeedForward(spec: object): boolean;
}

export abstract class AttentionMechanism extends Module {
  /** The spec it was built from, every setting present. */
  abstract readonly spec: { readonly kind: string };
  /** Its kind's declaration (see kind.ts). */
  abstract readonly kind: MechanismKind;
  abstract attend(inputs: AttendInputs): AttendResult;
  /** A term to add to the training loss (adaptive span's L1 penalty on the spans); null for most kinds. */
  penalty(): Tensor | null {
    return null;
  }

  /**
   * Kinds that decode over a running state (linear attention's sums) define this instead of attending
   * over the cached keys: one call's queries, keys and values (x.k and x.keyPadding cover this call's
   * keys only) and the state after the earlier calls (null at the first) give the output and the state
   * after this call.
   */
  attendStep?(x: AttendInputs, state: DecodingState | null): AttendResult & { state: DecodingState };

  /** Whether the layer drops its feed-forward sub-layer, this attention taking its place. */
  get replacesFeedForward(): boolean {
    return this.kind.replacesFeedForward(this.spec);
  }
}

/** What a mechanism is built from. */
export interface MechanismContext {
  dModel: number;
  h: number;
  /** The longest sequence the model takes (Linformer's projection covers it). */
  maxLength: number;
  /** Whether this layer's attention is causal (decoder self-attention). */
  causal: boolean;
  /** The parameters' type: float32 in models; float64 lets tests check gradients by finite differences. */
  dtype?: 'float32' | 'float64';
}
