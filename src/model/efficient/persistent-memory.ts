// Persistent memory (Sukhbaatar et al. 2019, "Augmenting Self-attention with Persistent Memory"):
// every head has `memorySlots` learned key/value vectors that every query may attend to, besides
// the sequence. With noFeedForward the layer drops its feed-forward sub-layer ("all-attention": the
// slots play its part). The slots come first among the keys, so the bottom-right causal alignment of
// T.attention lets every query see all of them, and a KV cache works unchanged.

import * as T from '../../tensor/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { normal } from '../../nn/init.js';
import { defineKind, flag, integer, type SpecOf, type WrittenSpecOf } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';

/** `memorySlots` learned key/value slots per head; `noFeedForward`: the slots take the feed-forward's place. */
export const persistentMemory = defineKind({
  name: 'persistent-memory',
  fields: { memorySlots: integer(0, 16), noFeedForward: flag(false) },
  causal: true,
  kvCache: true,
  replacesFeedForward: (spec) => spec.noFeedForward,
  create: (spec, context): AttentionMechanism => new PersistentMemoryAttention(spec, context),
});

export class PersistentMemoryAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof persistentMemory>;
  readonly kind = persistentMemory;
  readonly slots: number;
  /** (h, N, dK) learned keys and values; absent with no slots. */
  readonly keys: Tensor | null;
  readonly values: Tensor | null;

  constructor(
    spec: WrittenSpecOf<typeof persistentMemory>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = persistentMemory.settle(spec);
    const { h, dModel, dtype = 'float32' } = context;
    const dK = dModel / h;
    this.slots = this.spec.memorySlots;
    // The paper's initialisation: keys N(0, 1/dK), values N(0, 1/N), so that a slot starts like a token.
    this.keys =
      this.slots > 0 ? this.parameter('keys', normal([h, this.slots, dK], 1 / Math.sqrt(dK), { dtype })) : null;
    this.values =
      this.slots > 0
        ? this.parameter('values', normal([h, this.slots, dK], 1 / Math.sqrt(this.slots), { dtype }))
        : null;
  }

  attend(x: AttendInputs): AttendResult {
    const [B, h, Tk] = x.k.shape;
    const N = this.slots;
    let k = x.k;
    let v = x.v;
    let mask: Tensor | null = x.keyPadding === null ? null : T.reshape(x.keyPadding, [B, 1, 1, Tk]);
    if (N > 0) {
      const dK = x.k.shape[3];
      k = T.concat([T.broadcastTo(T.unsqueeze(this.keys!, 0), [B, h, N, dK]), x.k], 2);
      v = T.concat([T.broadcastTo(T.unsqueeze(this.values!, 0), [B, h, N, x.v.shape[3]]), x.v], 2);
      if (mask !== null) mask = T.concat([Tensor.from(new Int32Array(B * N).fill(1), [B, 1, 1, N]), mask], 3);
    }
    const result = T.attention(x.q, k, v, { mask, causal: x.causal, dropout: x.dropout, training: x.training });
    // The page shows attention over the sequence: the slots' share is what is missing from each row.
    const weights = x.needWeights ? (N > 0 ? T.slice(result.weights, 3, N) : result.weights) : null;
    return { output: result.output, weights };
  }
}
