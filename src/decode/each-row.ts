// Decoding one hypothesis per row on the key/value cache: the loop greedy search and sampled
// translations share. Every step scores the rows still alive, each row takes one token, a row that
// takes EOS ends and leaves the batch, and the caches follow the rows that stay.

import type { DecodingState, EncoderDecoder } from '../model/encoder-decoder.js';
import * as T from '../tensor/index.js';
import { tidy } from '../tensor/tensor.js';
import { reorderTranslation } from './rows.js';
import { padSources, type Hypothesis } from './search.js';
import { drain, type Steps } from './stepwise.js';

/** The token a row takes at one step, and its log-probability. */
export interface RowChoice {
  token: number;
  /** The token's log-probability, added to the hypothesis. */
  logprob: number;
}

/**
 * One hypothesis per source. `step` scores the alive rows once per step; `choose(source, index, h,
 * scores)` picks the next token of the hypothesis of `source`, at batch row `index`, and must return EOS
 * once the hypothesis reaches its length limit; `endScore` scores a hypothesis that ended. `positions`
 * (the longest hypothesis plus EOS) sizes the key/value caches up front.
 */
export function decodeEachRow<S>(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  step: (state: DecodingState, tokens: Int32Array) => S,
  choose: (source: number, index: number, h: Hypothesis, scores: S) => RowChoice,
  endScore: (h: Hypothesis) => number,
  positions?: number,
): Hypothesis[] {
  return drain(decodeEachRowSteps(model, sources, step, choose, endScore, positions));
}

/** The same, one step per `next()` (see stepwise.ts): it yields every hypothesis's tokens so far. */
export function* decodeEachRowSteps<S>(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  step: (state: DecodingState, tokens: Int32Array) => S,
  choose: (source: number, index: number, h: Hypothesis, scores: S) => RowChoice,
  endScore: (h: Hypothesis) => number,
  positions?: number,
): Steps<Hypothesis[]> {
  const { eosId, bosId } = model.config;
  const hyps: Hypothesis[] = sources.map(() => ({ tokens: [], tokenLogprobs: [], logprob: 0, score: 0 }));
  if (sources.length === 0) return hyps;
  const state = T.noGrad(() => tidy(() => model.startDecoding(padSources(sources, model.config), { positions })));
  try {
    let alive = sources.map((_, b) => b); // batch row i decodes source alive[i]
    let tokens = new Int32Array(alive.length).fill(bosId);
    while (alive.length > 0) {
      const scores = step(state, tokens);
      const keep: number[] = [];
      alive.forEach((b, i) => {
        const h = hyps[b];
        const { token, logprob } = choose(b, i, h, scores);
        h.tokenLogprobs.push(logprob);
        h.logprob += logprob;
        if (token === eosId) h.score = endScore(h);
        else {
          h.tokens.push(token);
          keep.push(i);
        }
      });
      if (keep.length === 0) break;
      reorderTranslation(state, Int32Array.from(keep), alive.length);
      alive = keep.map((i) => alive[i]);
      tokens = Int32Array.from(alive, (b) => hyps[b].tokens.at(-1)!);
      yield hyps.map((h) => h.tokens);
    }
    return hyps;
  } finally {
    model.endDecoding(state);
  }
}
