// Memory-compressed attention by pooling (Liu et al. 2018's compressed attention, Poolingformer's
// pooled keys): keys and values averaged over windows of `poolSize` positions, then the paper's
// softmax attention of every query over the Tk / poolSize windows.

import * as T from '../../tensor/index.js';
import { noGrad } from '../../tensor/autograd.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { zeroPaddedKeys } from './linear.js';
import { defineKind, integer, type SpecOf, type WrittenSpecOf } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';

/** `poolSize`: the pooling stride. Not causal: a window mixes the positions after a query with its own. */
export const pooling = defineKind({
  name: 'pooling',
  fields: { poolSize: integer(1, 4) },
  causal: false,
  kvCache: false,
  create: (spec, context): AttentionMechanism => new PoolingAttention(spec, context),
});

/** What the key padding makes of the windows: constants, computed with plain loops. */
interface Windows {
  /** (B, 1, m, 1): 1 / (real keys in the window), 0 for a window of padding only. */
  inverseCounts: Tensor;
  /** (B, 1, 1, m) int32: 1 where the window holds a real key; null when every window does. */
  mask: Tensor | null;
  /** (B, 1, 1, Tk): a window's weight shared among its real keys (1 / count, 0 for padded keys). */
  keyShare: Tensor;
}

function windows(keyPadding: Tensor | null, B: number, Tk: number, P: number, dtype: DType): Windows {
  const m = Math.ceil(Tk / P);
  const real = keyPadding === null ? null : T.contiguous(keyPadding).ints(); // (B, Tk)
  const isReal = (b: number, j: number) => (real === null ? true : real[b * Tk + j] !== 0);
  const counts = new Array<number>(B * m).fill(0);
  for (let b = 0; b < B; b++) for (let j = 0; j < Tk; j++) if (isReal(b, j)) counts[b * m + Math.floor(j / P)]++;
  const inverse = counts.map((c) => (c > 0 ? 1 / c : 0));
  const share = new Array<number>(B * Tk);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < Tk; j++) share[b * Tk + j] = isReal(b, j) ? inverse[b * m + Math.floor(j / P)] : 0;
  const kept = counts.map((c) => (c > 0 ? 1 : 0));
  return {
    inverseCounts: T.tensor(inverse, [B, 1, m, 1], dtype),
    mask: kept.every((c) => c === 1) ? null : T.tensor(kept, [B, 1, 1, m], 'int32'),
    keyShare: T.tensor(share, [B, 1, 1, Tk], dtype),
  };
}

/** x (B, h, Tk, d) to its window means over real keys (B, h, m, d); the last window may be shorter. */
function pool(x: Tensor, keyPadding: Tensor | null, P: number, inverseCounts: Tensor): Tensor {
  const [B, h, Tk, d] = x.shape;
  const m = Math.ceil(Tk / P);
  let real = zeroPaddedKeys(x, keyPadding); // (B, h, Tk, d)
  if (m * P > Tk)
    real = T.pad(real, [
      [0, m * P - Tk],
      [0, 0],
    ]); // (B, h, m P, d)
  const sums = T.sum(T.reshape(real, [B, h, m, P, d]), 3); // (B, h, m, d)
  return T.mul(sums, inverseCounts);
}

/** Each window's weight (B, h, Tq, m) spread over its real keys (B, h, Tq, Tk), for display. */
function perKey(weights: Tensor, Tk: number, P: number, keyShare: Tensor): Tensor {
  return noGrad(() => {
    const [B, h, Tq, m] = weights.shape;
    const repeated = T.broadcastTo(T.unsqueeze(weights, -1), [B, h, Tq, m, P]); // (B, h, Tq, m, P)
    const spread = T.slice(T.reshape(repeated, [B, h, Tq, m * P]), -1, 0, Tk); // (B, h, Tq, Tk)
    return T.mul(spread, keyShare);
  });
}

/**
 * Softmax attention of q (B, h, Tq, dK) over k, v pooled with stride P. A window of padding only is
 * masked out. The output equals (these per-key weights) v, which are what needWeights returns.
 */
export function poolingAttention(x: AttendInputs, P: number): AttendResult {
  const [B, , Tk] = x.k.shape;
  const w = windows(x.keyPadding, B, Tk, P, x.q.dtype);
  const K = pool(x.k, x.keyPadding, P, w.inverseCounts); // (B, h, m, dK)
  const V = pool(x.v, x.keyPadding, P, w.inverseCounts); // (B, h, m, dV)
  const result = T.attention(x.q, K, V, { mask: w.mask, dropout: x.dropout, training: x.training });
  return { output: result.output, weights: x.needWeights ? perKey(result.weights, Tk, P, w.keyShare) : null };
}

/** No parameters; attention dropout applies to the (Tq x m) window weights. Non-causal only. */
export class PoolingAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof pooling>;
  readonly kind = pooling;
  readonly poolSize: number;

  constructor(
    spec: WrittenSpecOf<typeof pooling>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = pooling.settle(spec);
    this.poolSize = this.spec.poolSize;
  }

  attend(x: AttendInputs): AttendResult {
    if (x.causal) throw new Error('pooling attention cannot be causal');
    return poolingAttention(x, this.poolSize);
  }
}
