// Scaled dot-product attention over a decoding cache that does not move (Backend.attentionCached): the
// keys of query row n at position j are read from cache row index[n * capacity + j], so beams reorder
// and sentences leave the batch by rewriting the index, not by copying keys. Inference only.

import type { CachedAttentionShape } from '../../backend/decoding-kernels.js';
import { isGradEnabled } from '../autograd.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertFloat, denseCopyIfNeeded, kernels } from './util.js';

/** The optional inputs of attentionCached: an additive mask, causality and the weights on request. */
export interface CachedAttentionOptions {
  /** Keys each query row attends: positions 0 .. Tk - 1. */
  Tk: number;
  /** (N, capacity) int32: the cache row holding each position of each query row. */
  index: Int32Array;
  /** (slots, capacity) additive float mask, read at the same place as the keys. */
  mask?: Tensor | null;
  /** Query i sees positions j <= i + (Tk - Tq). */
  causal?: boolean;
  /** Also return the weights (N, H, Tq, Tk). */
  needWeights?: boolean;
}

/** q (N, H, Tq, dK) over the caches k, v (slots, H, capacity, dK) -> (N, H, Tq, dK), and the weights on request. */
export function attentionCached(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: CachedAttentionOptions,
): { output: Tensor; weights: Tensor | null } {
  assertFloat(q, 'attentionCached', 'q');
  if (isGradEnabled() && q.requiresGrad) throw new Error('attentionCached records no gradient; call it under noGrad');
  const [N, H, Tq, D] = q.shape;
  const [slots, kH, capacity, kD] = k.shape;
  if (q.rank !== 4 || k.rank !== 4 || kH !== H || kD !== D || formatShape(v.shape) !== formatShape(k.shape))
    throw new RangeError(`attentionCached: q ${q}, k ${k} and v ${v} do not agree`);
  if (options.index.length < N * capacity)
    throw new RangeError('attentionCached: the index is shorter than (N, capacity)');
  const shape: CachedAttentionShape = { N, H, Tq, Tk: options.Tk, D, slots, capacity, scale: 1 / Math.sqrt(D) };
  const output = Tensor.empty([N, H, Tq, D], q.dtype);
  const weights = options.needWeights ? Tensor.empty([N, H, Tq, options.Tk], q.dtype) : null;
  const mask = options.mask ?? null;
  kernels(q).attentionCached(
    output.floats(),
    weights?.floats() ?? null,
    denseCopyIfNeeded(q).floats(),
    k.floats(),
    v.floats(),
    options.index,
    mask === null ? null : mask.floats(),
    shape,
    options.causal ?? false,
  );
  return { output, weights };
}
