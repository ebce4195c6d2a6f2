// Adaptive attention span (Sukhbaatar et al. 2019): each head learns how far back it looks. The
// weights are multiplied by a soft mask m(x) = clamp((R + z - x) / R, 0, 1) of the distance x between
// query and key, z = maxSpan * clamp(ratio, 0, 1) being the head's span and R the ramp, and
// renormalised; the training loss pays spanPenalty * sum of the spans (an L1 penalty), so heads that
// need no long context shrink. With z >= n - 1 every mask value is 1 and this is full attention.
// Only keys closer than max(z) + R can have weight, so the scores are computed on that band alone, in
// blocks of queries against the keys within reach of the block: time and memory grow as n * (band),
// not n^2. The mask is built from the spans inside the graph, so their gradient flows as in the dense
// form (references.ts keeps that form to check against).

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

/** Queries per block at least: fewer would spend more on bookkeeping than on the band. */
const MIN_BLOCK = 32;

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

  /**
   * The widest distance any head can weigh now: m > 0 needs x < z + R. Rounding down keeps the
   * distance z + R itself (m = 0 there), a margin for the spans being computed in the parameter's type.
   */
  band(): number {
    const ratios = this.ratio.toArray();
    const widest = Math.max(...ratios.map((r) => this.maxSpan * Math.min(1, Math.max(0, r))));
    return Math.floor(widest + this.ramp);
  }

  attend(x: AttendInputs): AttendResult {
    const [B, , Tq, dK] = x.q.shape;
    const Tk = x.k.shape[2];
    const shift = Tk - Tq; // query i sits at key position i + shift (decoding steps come last)
    const W = this.band();
    const block = Math.max(MIN_BLOCK, W + 1);
    const spans = this.spans(); // (h, 1, 1)
    const padding = x.keyPadding === null ? null : padded(x.keyPadding, B, Tk); // (B, 1, 1, Tk)
    const outputs: Tensor[] = [];
    const weights: Tensor[] = [];
    for (let s = 0; s < Tq; s += block) {
      const e = Math.min(s + block, Tq);
      // Keys within W of the block's positions [s + shift, e - 1 + shift]; none after them when causal.
      const lo = Math.max(0, s + shift - W);
      const hi = Math.min(Tk, e + shift + (x.causal ? 0 : W));
      const [kb, vb] = [T.slice(x.k, 2, lo, hi), T.slice(x.v, 2, lo, hi)]; // (B, h, K, dK)
      const qb = T.slice(x.q, 2, s, e); // (B, h, L, dK)
      const { distance, blocked } = geometry(s + shift, e - s, lo, hi - lo, x.causal, x.q.dtype);
      let scores = T.mulScalar(T.matmul(qb, kb, { transB: true }), 1 / Math.sqrt(dK)); // (B, h, L, K)
      scores = T.maskedFill(scores, blocked, -1e9);
      if (padding !== null) scores = T.maskedFill(scores, T.slice(padding, 3, lo, hi), -1e9);
      let w = spanWeights(T.softmax(scores, -1), spans, distance, this.ramp); // (B, h, L, K)
      if (x.training && x.dropout > 0) w = T.dropout(w, x.dropout, true);
      outputs.push(T.matmul(w, vb)); // (B, h, L, dV)
      if (x.needWeights) weights.push(T.pad(w, [[lo, Tk - hi]]));
    }
    const output = outputs.length === 1 ? outputs[0] : T.concat(outputs, 2);
    const all = !x.needWeights ? null : weights.length === 1 ? weights[0] : T.concat(weights, 2);
    return { output, weights: all };
  }
}

/**
 * Probabilities (B, h, L, K) times the soft mask m = clamp((R + z - x) / R, 0, 1) of each head's span z
 * (h, 1, 1) at distances x (1, L, K), renormalised.
 */
export function spanWeights(probabilities: Tensor, spans: Tensor, distance: Tensor, ramp: number): Tensor {
  const u = T.mulScalar(T.sub(T.addScalar(spans, ramp), distance), 1 / ramp); // (h, L, K)
  const softMask = T.sub(T.relu(u), T.relu(T.addScalar(u, -1)));
  const masked = T.mul(probabilities, softMask);
  return T.div(masked, T.addScalar(T.sum(masked, -1, true), 1e-8));
}

/**
 * For L queries at positions first.. and K keys at positions lo..: their distances (1, L, K) and the
 * (1, 1, L, K) int32 mask of keys after the query when causal.
 */
export function geometry(first: number, L: number, lo: number, K: number, causal: boolean, dtype: string) {
  const distance = dtype === 'float64' ? new Float64Array(L * K) : new Float32Array(L * K);
  const blocked = new Int32Array(L * K);
  for (let i = 0; i < L; i++)
    for (let j = 0; j < K; j++) {
      distance[i * K + j] = Math.abs(first + i - (lo + j));
      blocked[i * K + j] = causal && lo + j > first + i ? 1 : 0;
    }
  return { distance: Tensor.from(distance, [1, L, K]), blocked: Tensor.from(blocked, [1, 1, L, K]) };
}

/** (B, 1, 1, Tk) int32: 1 where the key is padding. */
export function padded(keyPadding: Tensor, B: number, Tk: number): Tensor {
  const source = T.contiguous(keyPadding).ints('keyPadding');
  const out = new Int32Array(B * Tk);
  for (let i = 0; i < out.length; i++) out[i] = source[i] === 0 ? 1 : 0;
  return Tensor.from(out, [B, 1, 1, Tk]);
}
