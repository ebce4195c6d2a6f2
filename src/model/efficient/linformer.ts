// Linformer (Wang et al. 2020, section 4, equation 7): keys and values projected along the length,
//   head_i = softmax(q (E K)^T / sqrt(dK)) (F V),  E, F (k, n),
// so every query attends k rows whatever the sequence length n.

import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { xavierUniform } from '../../nn/init.js';
import { zeroPaddedKeys } from './linear.js';
import { defineKind, integer, type SpecOf, type WrittenSpecOf } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';

/** `projectedLength`: the k rows keys and values are projected to. */
export const linformer = defineKind({
  name: 'linformer',
  fields: { projectedLength: integer(1, 64) },
  causal: false,
  kvCache: false,
  create: (spec, context): AttentionMechanism => new LinformerAttention(spec, context),
});

/**
 * Attention of q (B, h, Tq, dK) over E[:, :Tk] k and F[:, :Tk] v, with E, F (k, maxLength). Padded
 * keys are zeroed before projecting, so they add nothing to the k rows.
 */
export function linformerAttention(x: AttendInputs, E: Tensor, F: Tensor): AttendResult {
  const Tk = x.k.shape[2];
  if (Tk > E.shape[1])
    throw new RangeError(`linformer: ${Tk} keys, but the projections cover at most ${E.shape[1]} (maxLength)`);
  const K = T.matmul(T.slice(E, 1, 0, Tk), zeroPaddedKeys(x.k, x.keyPadding)); // (B, h, k, dK)
  const V = T.matmul(T.slice(F, 1, 0, Tk), zeroPaddedKeys(x.v, x.keyPadding)); // (B, h, k, dV)
  const { output } = T.attention(x.q, K, V, { dropout: x.dropout, training: x.training }); // (B, h, Tq, dV)
  return { output, weights: null };
}

/**
 * One E and one F per layer, shared by the heads (the paper's headwise sharing), Xavier-uniform.
 * Attention dropout applies to the (Tq x k) weights. Its weights are over projected rows, not keys:
 * none are returned for display. Non-causal only: a projected row mixes every position.
 */
export class LinformerAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof linformer>;
  readonly kind = linformer;
  readonly E: Tensor; // (k, maxLength)
  readonly F: Tensor; // (k, maxLength)

  constructor(
    spec: WrittenSpecOf<typeof linformer>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = linformer.settle(spec);
    const k = this.spec.projectedLength;
    this.E = this.parameter('E', xavierUniform([k, context.maxLength]));
    this.F = this.parameter('F', xavierUniform([k, context.maxLength]));
  }

  attend(x: AttendInputs): AttendResult {
    if (x.causal) throw new Error('linformer attention cannot be causal');
    return linformerAttention(x, this.E, this.F);
  }
}
