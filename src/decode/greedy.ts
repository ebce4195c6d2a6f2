// Greedy decoding: the most probable next token at every step, for a batch of sources at once on the
// key/value cache. A sentence leaves the batch when it emits EOS.

import type { EncoderDecoder } from '../model/encoder-decoder.js';
import * as T from '../tensor/index.js';
import { tidy } from '../tensor/tensor.js';
import { normalizedScore } from './length-penalty.js';
import { reorderTranslation } from './rows.js';
import {
  constrainNext,
  maxOutputLength,
  padSources,
  resolveOptions,
  stepLogprobs,
  type Hypothesis,
  type SearchOptions,
} from './search.js';

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
  const o = resolveOptions(options);
  const { eosId, bosId, vocabSize: V } = model.config;
  const maxLengths = sources.map((s) => maxOutputLength(s.length, o, model.config));
  const hyps: Hypothesis[] = sources.map(() => ({ tokens: [], tokenLogprobs: [], logprob: 0, score: 0 }));
  if (sources.length === 0) return hyps;
  return T.noGrad(() => {
    const state = tidy(() => model.startDecoding(padSources(sources, model.config)));
    try {
      let alive = sources.map((_, b) => b); // row i decodes sentence alive[i]
      let tokens = new Int32Array(alive.length).fill(bosId);
      while (alive.length > 0) {
        const logprobs = stepLogprobs(model, state, tokens);
        const keep: number[] = [];
        alive.forEach((b, i) => {
          const row = logprobs.subarray(i * V, (i + 1) * V);
          const h = hyps[b];
          constrainNext(row, h.tokens, maxLengths[b], o, eosId);
          // At the limit the hypothesis ends, even when EOS is as impossible (-Infinity) as every other token.
          const next = h.tokens.length >= maxLengths[b] ? eosId : argmax(row);
          h.tokenLogprobs.push(row[next]);
          h.logprob += row[next];
          if (next === eosId) h.score = normalizedScore(h.logprob, h.tokens.length + 1, o.alpha);
          else {
            h.tokens.push(next);
            keep.push(i);
          }
        });
        if (keep.length === 0) break;
        reorderTranslation(state, Int32Array.from(keep), alive.length);
        alive = keep.map((i) => alive[i]);
        tokens = Int32Array.from(alive, (b) => hyps[b].tokens.at(-1)!);
      }
      return hyps;
    } finally {
      model.endDecoding(state);
    }
  });
}
