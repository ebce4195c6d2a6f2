// Cross-entropy over the last axis of logits with label smoothing (the paper's section 5.4,
// eps_ls = 0.1) and an ignored target id (padding), fused: no probability tensor is materialised.

import { record } from '../autograd.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertFloat, denseCopyIfNeeded, kernels } from './util.js';

/** Cross-entropy settings: label smoothing, an ignored index, the reduction. */
export interface CrossEntropyOptions {
  /** eps_ls: the weight moved from the target to a uniform distribution (PyTorch's label_smoothing). */
  labelSmoothing?: number;
  /** Targets equal to this contribute nothing (PyTorch's default -100). */
  ignoreIndex?: number;
  /** 'mean' over the targets not ignored (PyTorch's default), 'sum', or 'none' (one loss per target). */
  reduction?: 'mean' | 'sum' | 'none';
}

/** logits (..., V) and int32 targets (...) to a loss, as torch.nn.functional.cross_entropy. */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const eps = options.labelSmoothing ?? 0;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const reduction = options.reduction ?? 'mean';
  assertFloat(logits, 'crossEntropy', 'logits');
  if (targets.dtype !== 'int32') throw new TypeError(`crossEntropy: targets must be int32, got ${targets.dtype}`);
  const V = logits.shape[logits.rank - 1];
  if (!sameShape(targets.shape, logits.shape.slice(0, -1))) {
    throw new RangeError(
      `crossEntropy: targets ${formatShape(targets.shape)} do not match logits ${formatShape(logits.shape)}`,
    );
  }
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const t = denseCopyIfNeeded(targets).ints();
  let counted = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === ignoreIndex) continue;
    if (t[i] < 0 || t[i] >= V)
      throw new RangeError(`crossEntropy: target ${t[i]} at position ${i} is outside [0, ${V})`);
    counted++;
  }
  const rows = t.length;
  const x = denseCopyIfNeeded(logits);
  const perRow = Tensor.empty(targets.shape, logits.dtype);
  const lse = Tensor.empty([rows], logits.dtype);
  const k = kernels(logits);
  k.crossEntropy(perRow.floats(), lse.floats(), x.floats(), t, rows, V, eps, ignoreIndex);
  // 'mean' divides by the targets counted, as PyTorch does; a batch of only ignored targets gives 0.
  const weight = reduction === 'mean' ? 1 / Math.max(counted, 1) : 1;
  let out = perRow;
  if (reduction !== 'none') {
    out = Tensor.empty([], logits.dtype);
    const values = perRow.floats();
    let total = 0;
    for (let i = 0; i < rows; i++) total += values[i];
    out.floats()[0] = total * weight;
  }
  return record(out, 'crossEntropy', [logits], (g) => {
    const dloss = Tensor.empty([rows], logits.dtype);
    if (reduction === 'none') dloss.floats().set(denseCopyIfNeeded(g).floats());
    else k.fill(dloss.floats(), g.item() * weight, rows);
    const dx = Tensor.empty(logits.shape, logits.dtype);
    k.crossEntropyBackward(dx.floats(), x.floats(), lse.floats(), t, dloss.floats(), rows, V, eps, ignoreIndex);
    return [dx];
  });
}
