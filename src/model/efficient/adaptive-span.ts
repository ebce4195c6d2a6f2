// Adaptive attention span (Sukhbaatar et al. 2019): each head learns how far back it looks. The
// weights are multiplied by a soft mask m(x) = clamp((R + z - x) / R, 0, 1) of the distance x between
// query and key, z = maxSpan * clamp(ratio, 0, 1) being the head's span and R the ramp, and
// renormalised; the training loss pays spanPenalty * sum of the spans (an L1 penalty), so heads that
// need no long context shrink. With z >= n - 1 every mask value is 1 and this is full attention.
// The scores are computed densely (n^2); only keys within maxSpan + R can have weight.

import * as T from '../../tensor/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { defineKind, integer, real, type SpecOf, type WrittenSpecOf } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';

/** The largest span, the ramp R of the soft mask, and the weight of the L1 penalty on the spans. */
export const adaptiveSpan = defineKind({
  name: 'adaptive-span',
  fields: { maxSpan: integer(1, 256), spanRamp: integer(1, 32), spanPenalty: real(0, 2e-6) },
  causal: true,
  kvCache: true,
  create: (spec, context): AttentionMechanism => new AdaptiveSpanAttention(spec, context),
});

export class AdaptiveSpanAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof adaptiveSpan>;
  readonly kind = adaptiveSpan;
  /** (h, 1, 1): the span of each head as a fraction of maxSpan (clamped to [0, 1] where used). */
  readonly ratio: Tensor;
  readonly maxSpan: number;
  readonly ramp: number;

  constructor(
    spec: WrittenSpecOf<typeof adaptiveSpan>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = adaptiveSpan.settle(spec);
    this.maxSpan = this.spec.maxSpan;
    this.ramp = this.spec.spanRamp;
    this.ratio = this.parameter('ratio', T.full([context.h, 1, 1], 0.5, context.dtype ?? 'float32'));
  }

  /** The spans z (h, 1, 1) in positions. */
  spans(): Tensor {
    const r = this.ratio;
    return T.mulScalar(T.sub(T.relu(r), T.relu(T.addScalar(r, -1))), this.maxSpan); // maxSpan * clamp(r, 0, 1)
  }

  override penalty(): Tensor | null {
    return this.spec.spanPenalty > 0 ? T.mulScalar(T.sum(this.spans()), this.spec.spanPenalty) : null;
  }

  attend(x: AttendInputs): AttendResult {
    const [B, , Tq, dK] = x.q.shape;
    const Tk = x.k.shape[2];
    const shift = Tk - Tq; // query i sits at key position i + shift (decoding steps come last)
    const distance = x.q.dtype === 'float64' ? new Float64Array(Tq * Tk) : new Float32Array(Tq * Tk);
    const blocked = new Int32Array(Tq * Tk);
    for (let i = 0; i < Tq; i++)
      for (let j = 0; j < Tk; j++) {
        distance[i * Tk + j] = Math.abs(i + shift - j);
        blocked[i * Tk + j] = x.causal && j > i + shift ? 1 : 0;
      }
    let scores = T.mulScalar(T.matmul(x.q, x.k, { transB: true }), 1 / Math.sqrt(dK)); // (B, h, Tq, Tk)
    scores = T.maskedFill(scores, Tensor.from(blocked, [1, 1, Tq, Tk]), -1e9);
    if (x.keyPadding !== null) scores = T.maskedFill(scores, padded(x.keyPadding, B, Tk), -1e9);
    const probabilities = T.softmax(scores, -1);
    // m = clamp((R + z - x) / R, 0, 1), broadcast (h, Tq, Tk) over the batch.
    const u = T.mulScalar(
      T.sub(T.addScalar(this.spans(), this.ramp), Tensor.from(distance, [1, Tq, Tk])),
      1 / this.ramp,
    );
    const softMask = T.sub(T.relu(u), T.relu(T.addScalar(u, -1)));
    const masked = T.mul(probabilities, softMask);
    let weights = T.div(masked, T.addScalar(T.sum(masked, -1, true), 1e-8));
    if (x.training && x.dropout > 0) weights = T.dropout(weights, x.dropout, true);
    return { output: T.matmul(weights, x.v), weights: x.needWeights ? weights : null };
  }
}

/** (B, 1, 1, Tk) int32: 1 where the key is padding. */
function padded(keyPadding: Tensor, B: number, Tk: number): Tensor {
  const source = T.contiguous(keyPadding).ints('keyPadding');
  const out = new Int32Array(B * Tk);
  for (let i = 0; i < out.length; i++) out[i] = source[i] === 0 ? 1 : 0;
  return Tensor.from(out, [B, 1, 1, Tk]);
}
