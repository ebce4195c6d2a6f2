// Inducing points (Set Transformer's ISAB, Lee et al. 2019, equation 9; Luna's pack and unpack,
// Ma et al. 2021): m learned queries I pack the sequence, H = Attention(I, K, V), and the queries
// read the packed sequence back, out = Attention(Q, H, H): O(T m) instead of O(T^2).

import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { normal } from '../../nn/init.js';
import { paddingAsMask } from './full.js';
import { defineKind, integer, type SpecOf, type WrittenSpecOf } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';

/** `inducingPoints`: the packed length m. */
export const inducing = defineKind({
  name: 'inducing',
  fields: { inducingPoints: integer(1, 32) },
  causal: false,
  kvCache: false,
  create: (spec, context): AttentionMechanism => new InducingPointAttention(spec, context),
});

/**
 * q (B, h, Tq, dK) over k (B, h, Tk, dK), v (B, h, Tk, dV) through I (h, m, dK). The unpacking
 * attention uses H as both its keys and its values (ISAB's second block with the projections left
 * out, since the heads' projections came before), which needs dV = dK.
 */
export function inducingAttention(x: AttendInputs, I: Tensor): AttendResult {
  const [B, h, , dK] = x.q.shape;
  const dV = x.v.shape[3];
  if (dV !== dK) throw new RangeError(`inducing attention reads H as keys: it needs dV = dK, got ${dV} and ${dK}`);
  const m = I.shape[1];
  const options = { dropout: x.dropout, training: x.training };
  const queries = T.broadcastTo(T.unsqueeze(I, 0), [B, h, m, dK]); // (B, h, m, dK)
  const packed = T.attention(queries, x.k, x.v, { ...options, mask: paddingAsMask(x.keyPadding) }); // pack
  const H = packed.output; // (B, h, m, dV)
  const { output } = T.attention(x.q, H, H, options); // unpack: (B, h, Tq, dV)
  return { output, weights: null };
}

/**
 * I holds m points per head, Xavier-normal. Attention dropout applies to both attentions' weights.
 * No weights for display: a query attends the inducing points, not the keys. Non-causal only.
 */
export class InducingPointAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof inducing>;
  readonly kind = inducing;
  readonly I: Tensor; // (h, m, dK)

  constructor(
    spec: WrittenSpecOf<typeof inducing>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = inducing.settle(spec);
    const m = this.spec.inducingPoints;
    const dK = context.dModel / context.h;
    this.I = this.parameter('I', normal([context.h, m, dK], Math.sqrt(2 / (m + dK))));
  }

  attend(x: AttendInputs): AttendResult {
    if (x.causal) throw new Error('inducing attention cannot be causal');
    return inducingAttention(x, this.I);
  }
}
