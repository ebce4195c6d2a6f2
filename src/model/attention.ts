// Section 3.2.2, Multi-Head Attention: MultiHead(Q, K, V) = Concat(head_1..head_h) W^O with
// head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V). The h projections are fused: one (3d, d) matrix
// for self-attention, a (d, d) query and a (2d, d) key-value matrix for cross-attention.

import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import type { AttentionMechanism } from './efficient/mechanism.js';

/** Keys and values of one attention layer kept between decoding steps. */
export class KVCache {
  k: Tensor | null = null; // (B, h, t, dK)
  v: Tensor | null = null; // (B, h, t, dK)

  /** Replaces the cached tensors (kept across tidy scopes; the old ones are freed). */
  set(k: Tensor, v: Tensor): void {
    this.k?.dispose();
    this.v?.dispose();
    this.k = k.keep();
    this.v = v.keep();
  }

  get length(): number {
    return this.k?.shape[2] ?? 0;
  }

  dispose(): void {
    this.k?.dispose();
    this.v?.dispose();
    this.k = this.v = null;
  }
}

export interface AttentionCall {
  /** Keys and values come from here (cross-attention); self-attention when absent. */
  memory?: Tensor;
  /** Broadcastable to (B, h, Tq, Tk); int32 non-zero = may attend. */
  mask?: Tensor | null;
  causal?: boolean;
  /** Incremental decoding: self-attention appends to it, cross-attention fills it once. */
  cache?: KVCache;
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

/** A (B, 1, 1, Tk) padding mask as the (B, Tk) key padding the efficient kinds take. */
function keyPadding(mask: Tensor | null, B: number, Tk: number, kind: string): Tensor | null {
  if (mask === null) return null;
  const [b, one, alsoOne, t] = mask.shape;
  if (mask.rank !== 4 || one !== 1 || alsoOne !== 1 || t !== Tk || (b !== B && b !== 1))
    throw new Error(`"${kind}" attention takes a key padding mask (B, 1, 1, Tk); got a mask of shape (${mask.shape})`);
  return T.reshape(T.contiguous(T.broadcastTo(mask, [B, 1, 1, Tk])), [B, Tk]);
}

export class MultiHeadAttention extends Module {
  readonly qkv: Linear | null; // self-attention: (3d, d)
  readonly q: Linear | null; // cross-attention: (d, d)
  readonly kv: Linear | null; // cross-attention: (2d, d)
  readonly out: Linear; // W^O (d, d)
  /** How queries meet keys, when not the paper's full attention (self-attention only; see efficient/). */
  readonly mechanism: AttentionMechanism | null;
  /** Receives every forward's attention weights (B, h, Tq, Tk) while set: see observeAttention(). */
  weightsObserver: ((weights: Tensor) => void) | null = null;

  constructor(
    readonly dModel: number,
    readonly h: number,
    readonly attentionDropout: number,
    readonly kind: 'self' | 'cross',
    mechanism: AttentionMechanism | null = null,
  ) {
    super();
    this.qkv = kind === 'self' ? this.module('qkv', new Linear(dModel, 3 * dModel)) : null;
    this.q = kind === 'cross' ? this.module('q', new Linear(dModel, dModel)) : null;
    this.kv = kind === 'cross' ? this.module('kv', new Linear(dModel, 2 * dModel)) : null;
    this.out = this.module('out', new Linear(dModel, dModel));
    this.mechanism = mechanism === null || mechanism.spec.kind === 'full' ? null : this.module('mechanism', mechanism);
  }

  forward(x: Tensor, call: AttentionCall = {}): { output: Tensor; weights: Tensor | null } {
    let q: Tensor, k: Tensor, v: Tensor; // (B, h, T, dK)
    if (this.qkv !== null) {
      [q, k, v] = splitHeads(this.qkv.forward(x), 3, this.h); // (B, h, Tq, dK) each
      if (call.cache !== undefined) {
        if (call.cache.k !== null && call.cache.v !== null) {
          k = T.concat([call.cache.k, k], 2); // (B, h, t + Tq, dK)
          v = T.concat([call.cache.v, v], 2);
        }
        call.cache.set(k, v);
      }
    } else {
      [q] = splitHeads(this.q!.forward(x), 1, this.h);
      if (call.cache?.k != null && call.cache.v !== null) [k, v] = [call.cache.k, call.cache.v];
      else {
        if (call.memory === undefined) throw new Error('cross-attention needs a memory');
        [k, v] = splitHeads(this.kv!.forward(call.memory), 2, this.h); // (B, h, S, dK) each
        call.cache?.set(k, v);
      }
    }
    const result =
      this.mechanism === null
        ? T.attention(q, k, v, {
            mask: call.mask ?? null,
            causal: call.causal ?? false,
            dropout: this.attentionDropout,
            training: this.training,
          })
        : this.mechanism.attend({
            q,
            k,
            v,
            keyPadding: keyPadding(call.mask ?? null, k.shape[0], k.shape[2], this.mechanism.spec.kind),
            causal: call.causal ?? false,
            dropout: this.attentionDropout,
            training: this.training,
            needWeights: this.weightsObserver !== null || call.needWeights === true,
          });
    if (result.weights !== null) this.weightsObserver?.(result.weights);
    const output = this.out.forward(mergeHeads(result.output)); // (B, Tq, d)
    return { output, weights: call.needWeights ? result.weights : null };
  }
}
