// Perplexity of a language model on a sequence of ids: exp of the mean negative log-likelihood of every id
// after the first, each predicted from the ones before it in windows of at most maxLength inputs. A window
// scores `stride` new ids and reads the ids before them up to maxLength inputs in all (stride = maxLength,
// the default, cuts the sequence into disjoint windows, the last reaching back to read maxLength ids; a
// smaller stride gives every id more context, at more forward passes).

import type { DecoderOnly } from '../model/decoder-only.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';

export interface PerplexityOptions {
  /** Ids newly scored per window, 1 to maxLength; maxLength by default. */
  stride?: number;
  /** Windows of one length run together; 8 by default. */
  batchSize?: number;
}

export interface PerplexityResult {
  /** Ids scored: all but the first. */
  scored: number;
  /** Their summed negative log-likelihood, in nats. */
  nll: number;
  /** exp(nll / scored). */
  perplexity: number;
}

/** One forward pass: ids[begin, end - 1) as input, ids[from, end) scored. */
interface Window {
  begin: number;
  from: number;
  end: number;
}

/** The windows covering ids 1..n-1, each scored once. */
export function perplexityWindows(n: number, maxLength: number, stride = maxLength): Window[] {
  if (!Number.isInteger(stride) || stride < 1 || stride > maxLength)
    throw new RangeError(`stride must be an integer from 1 to maxLength ${maxLength}, got ${stride}`);
  const windows: Window[] = [];
  for (let from = 1; from < n; from += stride) {
    const end = Math.min(n, from + stride);
    windows.push({ begin: Math.max(0, end - 1 - maxLength), from, end });
  }
  return windows;
}

/** The perplexity of `ids` (at least two) under the model as it is (a loaded model is in eval mode), without gradients. */
export function perplexity(
  model: DecoderOnly,
  ids: ArrayLike<number>,
  options: PerplexityOptions = {},
): PerplexityResult {
  if (ids.length < 2) throw new RangeError(`perplexity needs at least 2 ids, got ${ids.length}`);
  const windows = perplexityWindows(ids.length, model.config.maxLength, options.stride);
  const batchSize = options.batchSize ?? 8;
  const byLength = new Map<number, Window[]>();
  for (const w of windows) byLength.set(w.end - 1 - w.begin, [...(byLength.get(w.end - 1 - w.begin) ?? []), w]);
  let nll = 0;
  for (const [L, group] of byLength)
    for (let i = 0; i < group.length; i += batchSize) nll += windowNll(model, ids, group.slice(i, i + batchSize), L);
  const scored = ids.length - 1;
  return { scored, nll, perplexity: Math.exp(nll / scored) };
}

/** -sum log p of the scored ids of windows of L inputs each, run as one batch. */
function windowNll(model: DecoderOnly, ids: ArrayLike<number>, windows: Window[], L: number): number {
  const input = new Int32Array(windows.length * L); // (B, L)
  windows.forEach((w, b) => {
    for (let t = 0; t < L; t++) input[b * L + t] = ids[w.begin + t];
  });
  const V = model.config.vocabSize;
  const logp = T.noGrad(() =>
    tidy(() => {
      const logits = model.forward(Tensor.from(input, [windows.length, L])); // (B, L, V)
      return T.contiguous(T.logSoftmax(logits, -1)).floats('log-probabilities'); // (B, L, V)
    }),
  );
  let nll = 0;
  windows.forEach((w, b) => {
    // The logits at input position t predict ids[begin + t + 1].
    for (let j = w.from; j < w.end; j++) nll -= logp[(b * L + (j - 1 - w.begin)) * V + ids[j]];
  });
  return nll;
}
