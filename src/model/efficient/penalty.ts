// The regularisers some attention kinds add to the training loss (adaptive span's L1 penalty on the
// spans), summed over every layer of a model.

import type { Module } from '../../nn/module.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { AttentionMechanism } from './mechanism.js';

/** The sum of every mechanism's penalty, or null when no layer has one (the paper's model). */
export function attentionPenalty(model: Module): Tensor | null {
  let total: Tensor | null = null;
  for (const [, module] of model.namedModules()) {
    if (!(module instanceof AttentionMechanism)) continue;
    const term = module.penalty();
    if (term !== null) total = total === null ? term : T.add(total, term);
  }
  return total;
}
