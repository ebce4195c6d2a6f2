// Greedy decoding: the most probable next token at every step, for a batch of sources at once on the
// key/value cache. A sentence leaves the batch when it emits EOS.

import type { EncoderDecoder } from '../model/encoder-decoder.js';
import { decodeEachRowSteps } from './each-row.js';
import { normalizedScore } from './length-penalty.js';
import {
  constrainNext,
  maxOutputLength,
  resolveOptions,
  stepLogprobs,
  type Hypothesis,
  type SearchOptions,
} from './search.js';
import { drain, type Steps } from './stepwise.js';

/** The index of the largest of row[0..n) (the first one on ties). */
export function argmax(row: ArrayLike<number>, n = row.length): number {
  let best = 0;
  for (let v = 1; v < n; v++) if (row[v] > row[best]) best = v;
  return best;
}

/** One hypothesis per source (ids, EOS included as the model was trained). */
export function greedy(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: SearchOptions = {},
): Hypothesis[] {
  return drain(greedySteps(model, sources, options));
}

/** Greedy search one step per `next()` (see stepwise.ts). */
export function greedySteps(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: SearchOptions = {},
): Steps<Hypothesis[]> {
  const o = resolveOptions(options);
  const { eosId, vocabSize: V } = model.config;
  const maxLengths = sources.map((s) => maxOutputLength(s.length, o, model.config));
  return decodeEachRowSteps(
    model,
    sources,
    (state, tokens) => stepLogprobs(model, state, tokens),
    (b, i, h, logprobs) => {
      const row = logprobs.subarray(i * V, (i + 1) * V);
      constrainNext(row, h.tokens, maxLengths[b], o, eosId);
      // At the limit the hypothesis ends, even when EOS is as impossible (-Infinity) as every other token.
      const token = h.tokens.length >= maxLengths[b] ? eosId : argmax(row);
      return { token, logprob: row[token] };
    },
    (h) => normalizedScore(h.logprob, h.tokens.length + 1, o.alpha),
    Math.max(...maxLengths) + 1,
  );
}
