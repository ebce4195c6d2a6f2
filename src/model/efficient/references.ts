// The dense computations three efficient paths replace, kept to check them against (tests) and to
// time them against (`transformer bench attention --reference`): adaptive span over all n^2 scores,
// routing as full attention under the same cluster mask, and linear attention decoding over every
// cached key instead of its running sums.

import * as T from '../../tensor/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { AdaptiveSpanAttention, geometry, padded, spanWeights } from './adaptive-span.js';
import { linear, linearAttention } from './linear.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';
import { RoutingAttention } from './routing.js';

/** Adaptive span with every score computed, the soft mask zeroing all but the band. */
export class DenseAdaptiveSpanAttention extends AdaptiveSpanAttention {
  override attend(x: AttendInputs): AttendResult {
    const [B, , Tq, dK] = x.q.shape;
    const Tk = x.k.shape[2];
    const { distance, blocked } = geometry(Tk - Tq, Tq, 0, Tk, x.causal, x.q.dtype);
    let scores = T.mulScalar(T.matmul(x.q, x.k, { transB: true }), 1 / Math.sqrt(dK)); // (B, h, Tq, Tk)
    scores = T.maskedFill(scores, blocked, -1e9);
    if (x.keyPadding !== null) scores = T.maskedFill(scores, padded(x.keyPadding, B, Tk), -1e9);
    let weights = spanWeights(T.softmax(scores, -1), this.spans(), distance, this.ramp);
    if (x.training && x.dropout > 0) weights = T.dropout(weights, x.dropout, true);
    return { output: T.matmul(weights, x.v), weights: x.needWeights ? weights : null };
  }
}

/** Routing as full attention over (B, h, Tq, Tk) under the mask of the same clusters (and own positions). */
export class DenseRoutingAttention extends RoutingAttention {
  override attend(x: AttendInputs): AttendResult {
    const [B, h, Tq] = x.q.shape;
    const Tk = x.k.shape[2];
    const q = T.noGrad(() => T.contiguous(x.q)).floats();
    const k = T.noGrad(() => T.contiguous(x.k)).floats();
    const padding = x.keyPadding === null ? null : T.contiguous(x.keyPadding).ints('keyPadding');
    const [queryCluster, keyCluster] = this.clustersOf(x, q, k, padding);
    const shift = Tk - Tq;
    const allowed = new Int32Array(B * h * Tq * Tk);
    for (let g = 0; g < B * h; g++)
      for (let i = 0; i < Tq; i++)
        for (let j = 0; j < Tk; j++) {
          const seen = queryCluster[g * Tq + i] === keyCluster[g * Tk + j] || j === i + shift;
          const real = padding === null || padding[Math.floor(g / h) * Tk + j] !== 0;
          allowed[(g * Tq + i) * Tk + j] = seen && real && !(x.causal && j > i + shift) ? 1 : 0;
        }
    const result = T.attention(x.q, x.k, x.v, { mask: Tensor.from(allowed, [B, h, Tq, Tk]) });
    return { output: result.output, weights: x.needWeights ? result.weights : null };
  }
}

/** Linear attention decoding over every cached key and value, the sums recomputed at each step. */
export class LinearAttentionOverKeys extends AttentionMechanism {
  readonly kind = linear;
  readonly spec = { kind: 'linear' } as const;

  attend(x: AttendInputs): AttendResult {
    return linearAttention(x);
  }
}

/** The dense reference of a kind that has one, built like createMechanism builds the kind; else null. */
export function referenceMechanism(
  spec: { readonly kind: string },
  context: MechanismContext,
): AttentionMechanism | null {
  switch (spec.kind) {
    case 'adaptive-span':
      return new DenseAdaptiveSpanAttention(spec as never, context);
    case 'routing':
      return new DenseRoutingAttention(spec as never, context);
    case 'linear':
      return new LinearAttentionOverKeys();
  }
  return null;
}
