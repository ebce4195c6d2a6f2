// Section 3.2.2, Multi-Head Attention: MultiHead(Q, K, V) = Concat(head_1..head_h) W^O with
// head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V). The h projections are fused: one (3d, d) matrix
// for self-attention, a (d, d) query and a (2d, d) key-value matrix for cross-attention. How the
// queries meet the keys is the layer's attention mechanism: the paper's, or an efficient kind.

import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { FullAttention } from './efficient/full.js';
import type { AttentionMechanism, AttendResult, DecodingState } from './efficient/mechanism.js';
import type { DecodingRows, FixedKVCache } from './decoding-cache.js';

/**
 * Keys and values of one attention layer kept between decoding steps; or, for a kind that decodes over
 * a running state (linear attention), that state alone, of the same size however many positions it holds.
 */
export class KVCache {
  k: Tensor | null = null; // (B, h, t, dK)
  v: Tensor | null = null; // (B, h, t, dK)
  /** The running state in place of k and v, every tensor per batch row on axis 0; null when k and v are kept. */
  state: DecodingState | null = null;
  /** Positions the running state has taken in. */
  private stateLength = 0;

  /** Replaces the cached tensors (kept across tidy scopes; the old ones are freed). */
  set(k: Tensor, v: Tensor): void {
    this.k?.dispose();
    this.v?.dispose();
    this.k = k.keep();
    this.v = v.keep();
  }

  /** Replaces the running state (kept across tidy scopes; the old one is freed), now over `length` positions. */
  setState(state: DecodingState, length: number): void {
    const old = this.state;
    this.state = state.map((t) => t.keep());
    for (const t of old ?? []) if (!state.includes(t)) t.dispose();
    this.stateLength = length;
  }

  get length(): number {
    return this.k?.shape[2] ?? this.stateLength;
  }

  /** Frees the cached keys and values, or the state. */
  dispose(): void {
    this.k?.dispose();
    this.v?.dispose();
    for (const t of this.state ?? []) t.dispose();
    this.k = this.v = this.state = null;
    this.stateLength = 0;
  }
}

export interface AttentionCall {
  /** Cross-attention: the keys and values come from here (the encoder output). */
  memory?: Tensor;
  /** Broadcastable to (B, h, Tq, Tk); int32 non-zero = may attend. */
  mask?: Tensor | null;
  causal?: boolean;
  /** Incremental decoding: self-attention appends to it, cross-attention fills it once. */
  cache?: KVCache;
  /** Incremental decoding on a cache that does not move (the paper's attention only): used instead of `cache`. */
  fixed?: { cache: FixedKVCache; rows: DecodingRows };
  needWeights?: boolean;
}

/** (B, T, n * d) -> n views (B, h, T, dK): one reshape and permute, no copies. */
function splitHeads(x: Tensor, n: number, h: number): Tensor[] {
  const [B, L, nd] = x.shape;
  const heads = T.permute(T.reshape(x, [B, L, n, h, nd / n / h]), [2, 0, 3, 1, 4]); // (n, B, h, T, dK)
  return T.split(heads, 1, 0).map((t) => T.squeeze(t, 0));
}

/** (B, h, T, dK) -> (B, T, d) */
function mergeHeads(x: Tensor): Tensor {
  const [B, h, L, dK] = x.shape;
  return T.reshape(T.permute(x, [0, 2, 1, 3]), [B, L, h * dK]);
}

/** A (B, 1, 1, Tk) padding mask as the (B, Tk) key padding the mechanisms take. */
function keyPadding(mask: Tensor | null, B: number, Tk: number, kind: string): Tensor | null {
  if (mask === null) return null;
  const [b, one, alsoOne, t] = mask.shape;
  if (mask.rank !== 4 || one !== 1 || alsoOne !== 1 || t !== Tk || (b !== B && b !== 1))
    throw new Error(`"${kind}" attention takes a key padding mask (B, 1, 1, Tk); got a mask of shape (${mask.shape})`);
  return T.reshape(T.contiguous(T.broadcastTo(mask, [B, 1, 1, Tk])), [B, Tk]);
}

/** What self- and cross-attention share: the mechanism over the heads, the concat and W^O. */
export abstract class MultiHeadAttention extends Module {
  abstract readonly out: Linear; // W^O (d, d)
  /**
   * The efficient kind this layer computes instead of the paper's attention, a child module holding
   * its parameters ("mechanism.*"); null for the paper's own, which has no parameters or state and so
   * no module: the paper's model keeps the module tree it always had.
   */
  abstract readonly mechanism: AttentionMechanism | null;
  /** Receives every forward's attention weights (B, h, Tq, Tk) while set: see observeAttention(). */
  weightsObserver: ((weights: Tensor) => void) | null = null;

  constructor(
    readonly h: number,
    readonly attentionDropout: number,
    /** How queries meet keys: `mechanism`, or the paper's full attention. */
    protected readonly attention: AttentionMechanism,
  ) {
    super();
  }

  /** Queries (B, h, Tq, dK) and keys and values (B, h, Tk, dK), through the KV cache when given. */
  protected abstract project(x: Tensor, call: AttentionCall): [Tensor, Tensor, Tensor];

  /** Queries (N, h, Tq, dK) attending through the fixed cache, which this call fills as it needs. */
  protected abstract attendFixed(
    x: Tensor,
    call: AttentionCall,
    fixed: NonNullable<AttentionCall['fixed']>,
    needWeights: boolean,
  ): { output: Tensor; weights: Tensor | null };

  /** x (B, Tq, d) -> (B, Tq, d), and the weights (B, h, Tq, Tk) when asked for. */
  forward(x: Tensor, call: AttentionCall = {}): { output: Tensor; weights: Tensor | null } {
    const needWeights = this.weightsObserver !== null || call.needWeights === true;
    if (call.fixed !== undefined) {
      // Steps 1 and 2 at once, on the cache that does not move: (N, h, Tq, dK).
      const fixed = this.attendFixed(x, call, call.fixed, needWeights);
      if (fixed.weights !== null) this.weightsObserver?.(fixed.weights);
      return { output: this.out.forward(mergeHeads(fixed.output)), weights: call.needWeights ? fixed.weights : null };
    }
    // 1. Projections, with the KV cache.
    const [q, k, v] = this.project(x, call);
    // 2. Attention of each head through the mechanism: (B, h, Tq, dK).
    const result =
      this.attendStep(q, k, v, call, needWeights) ??
      this.attention.attend({
        q,
        k,
        v,
        keyPadding: keyPadding(call.mask ?? null, k.shape[0], k.shape[2], this.attention.spec.kind),
        causal: call.causal ?? false,
        dropout: this.attentionDropout,
        training: this.training,
        needWeights,
      });
    if (result.weights !== null) this.weightsObserver?.(result.weights);
    // 3. Concat and W^O: (B, Tq, d).
    const output = this.out.forward(mergeHeads(result.output));
    return { output, weights: call.needWeights ? result.weights : null };
  }

  /**
   * Decoding through a kind's running state (see AttentionMechanism.attendStep): k and v are this call's
   * alone, and the mask's columns of the earlier positions are left out. Null when not decoding so.
   */
  private attendStep(q: Tensor, k: Tensor, v: Tensor, call: AttentionCall, needWeights: boolean): AttendResult | null {
    const { cache } = call;
    if (cache === undefined || this.attention.attendStep === undefined) return null;
    const t = k.shape[2];
    let mask = call.mask ?? null; // (B, 1, 1, earlier + t) or (B, 1, 1, t)
    if (mask !== null && mask.shape[3] === cache.length + t) mask = T.slice(mask, 3, cache.length);
    const result = this.attention.attendStep(
      {
        q,
        k,
        v,
        keyPadding: keyPadding(mask, k.shape[0], t, this.attention.spec.kind),
        causal: call.causal ?? false,
        dropout: this.attentionDropout,
        training: this.training,
        needWeights,
      },
      cache.state,
    );
    cache.setState(result.state, cache.length + t);
    return result;
  }
}

/** Queries, keys and values all from x: the encoder's and the decoder's own attention. */
export class SelfAttention extends MultiHeadAttention {
  readonly qkv: Linear; // (3d, d)
  readonly out: Linear;
  readonly mechanism: AttentionMechanism | null;

  constructor(dModel: number, h: number, attentionDropout: number, mechanism: AttentionMechanism) {
    super(h, attentionDropout, mechanism);
    this.qkv = this.module('qkv', new Linear(dModel, 3 * dModel));
    this.out = this.module('out', new Linear(dModel, dModel));
    this.mechanism = mechanism instanceof FullAttention ? null : this.module('mechanism', mechanism);
  }

  /** A cache grows by this call's keys and values, which then attend after the cached ones. */
  protected project(x: Tensor, { cache }: AttentionCall): [Tensor, Tensor, Tensor] {
    const [q, k, v] = splitHeads(this.qkv.forward(x), 3, this.h); // (B, h, Tq, dK) each
    if (cache === undefined) return [q, k, v];
    if (!this.attention.kind.kvCache)
      throw new Error(`"${this.attention.spec.kind}" attention cannot decode over a key/value cache`);
    if (this.attention.attendStep !== undefined) return [q, k, v]; // the cache keeps its running state
    const keys = cache.k === null ? k : T.concat([cache.k, k], 2); // (B, h, t + Tq, dK)
    const values = cache.v === null ? v : T.concat([cache.v, v], 2);
    cache.set(keys, values);
    return [q, keys, values];
  }

  /** This step's keys and values are written at position rows.length; the queries see every position so far. */
  protected attendFixed(
    x: Tensor,
    _call: AttentionCall,
    { cache, rows }: NonNullable<AttentionCall['fixed']>,
    needWeights: boolean,
  ) {
    if (this.mechanism !== null)
      throw new Error(
        `"${this.attention.spec.kind}" attention decodes over a growing key/value cache, not a fixed one`,
      );
    const [q, k, v] = splitHeads(this.qkv.forward(x), 3, this.h); // (N, h, Tq, dK) each
    cache.append(k, v, rows);
    const Tk = rows.length + q.shape[2];
    const mask = rows.selfMask; // the pads of left-padded prompts, if any
    return T.attentionCached(q, cache.k!, cache.v!, { Tk, index: rows.index, mask, causal: true, needWeights });
  }
}

/** Queries from x, keys and values from the encoder output: the paper's full attention over it. */
export class CrossAttention extends MultiHeadAttention {
  readonly q: Linear; // (d, d)
  readonly kv: Linear; // (2d, d)
  readonly out: Linear;
  readonly mechanism = null;

  constructor(dModel: number, h: number, attentionDropout: number) {
    super(h, attentionDropout, new FullAttention());
    this.q = this.module('q', new Linear(dModel, dModel));
    this.kv = this.module('kv', new Linear(dModel, 2 * dModel));
    this.kv.packable = false; // applied to the encoder output once per sentence
    this.out = this.module('out', new Linear(dModel, dModel));
  }

  /** The memory's keys and values are projected once and kept in the cache for every later step. */
  protected project(x: Tensor, { memory, cache }: AttentionCall): [Tensor, Tensor, Tensor] {
    const [q] = splitHeads(this.q.forward(x), 1, this.h); // (B, h, Tq, dK)
    if (cache?.k != null && cache.v !== null) return [q, cache.k, cache.v];
    if (memory === undefined) throw new Error('cross-attention needs a memory');
    const [k, v] = splitHeads(this.kv.forward(memory), 2, this.h); // (B, h, S, dK) each
    cache?.set(k, v);
    return [q, k, v];
  }

  /** The memory's keys and values (B, h, S, dK) are projected at the first step; a row reads its sentence's. */
  protected attendFixed(
    x: Tensor,
    { memory }: AttentionCall,
    { cache, rows }: NonNullable<AttentionCall['fixed']>,
    needWeights: boolean,
  ) {
    const [q] = splitHeads(this.q.forward(x), 1, this.h); // (N, h, Tq, dK)
    this.fillFixed(memory, cache);
    const Tk = cache.k!.shape[2];
    return T.attentionCached(q, cache.k!, cache.v!, { Tk, index: rows.crossIndex, mask: rows.crossMask, needWeights });
  }

  /** Projects the memory's keys and values (B, h, S, dK) into the cache, once: at the first step. */
  fillFixed(memory: Tensor | undefined, cache: FixedKVCache): void {
    if (cache.k !== null) return;
    if (memory === undefined) throw new Error('cross-attention needs a memory');
    T.tidy(() => {
      const [k, v] = splitHeads(this.kv.forward(memory), 2, this.h); // (B, h, S, dK) each
      cache.fill(k, v);
    });
  }
}
