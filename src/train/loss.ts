// The training loss of section 5.4: cross-entropy with label smoothing eps_ls over the target tokens
// that are not padding, summed (the caller divides by the tokens of the whole update), plus the
// unsmoothed negative log-likelihood for reporting perplexity.

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** The label-smoothed loss summed over tokens, the negative log-likelihood and the token count. */
export interface LossTerms {
  /** Smoothed loss summed over the batch's non-padding tokens (differentiable). */
  sum: Tensor;
  /** Negative log-likelihood summed over the same tokens (a number, for perplexity). */
  nll: number;
  tokens: number;
}

/** logits (B, T, V) against targets (B, T), ignoring padId. */
export function translationLoss(logits: Tensor, targets: Tensor, padId: number, labelSmoothing: number): LossTerms {
  const sum = T.crossEntropy(logits, targets, { labelSmoothing, ignoreIndex: padId, reduction: 'sum' });
  const nll =
    labelSmoothing === 0
      ? sum.item()
      : T.noGrad(() => T.crossEntropy(logits, targets, { ignoreIndex: padId, reduction: 'sum' }).item());
  let tokens = 0;
  for (const id of targets.ints('targets')) if (id !== padId) tokens++;
  return { sum, nll, tokens };
}
