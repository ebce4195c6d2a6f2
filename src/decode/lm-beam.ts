// Beam search for a language model (decoder-only): the translation beam's rules (beam.ts: the top 2k
// extensions of a prompt's k hypotheses each step, EOS among the top k finishes a hypothesis scored
// logprob / lp(|Y|), a prompt is done with k finished) on the key/value cache, the prompts of a
// batch left-padded (prompts.ts). The k hypotheses of a prompt start from the prompt's one row of
// keys, and beams move between rows by index on caches that do not move, as in translation. A
// hypothesis that reaches maxNewTokens (or the model's maxLength) finishes there without EOS.

import type { DecoderOnly, LanguageModelState } from '../model/decoder-only.js';
import { topCandidates, type Beam } from './beam.js';
import { banRepeatedNgrams } from './constraints.js';
import { normalizedScore } from './length-penalty.js';
import { checkPrompts, lastTokens, leftPadded, nextScores } from './prompts.js';
import { reorderLanguageModel } from './rows.js';
import type { Hypothesis } from './search.js';
import { drain, type Steps } from './stepwise.js';

/** Beam search settings for a language model. */
export interface LanguageModelBeamOptions {
  /** k, 4 by default. */
  beamSize?: number;
  /** Hypotheses returned per prompt (at most k), best first; 1 by default. */
  nbest?: number;
  /** Tokens to generate after the prompt at most (fewer when the model's maxLength is reached); 50 by default. */
  maxNewTokens?: number;
  /** alpha of the length penalty ((5 + |Y|) / 6)^alpha; 0.6 by default (the paper). */
  alpha?: number;
  /** Bans a token that would repeat an n-gram of the prompt and the hypothesis (0: off). */
  noRepeatNgram?: number;
}

/**
 * The n best continuations of each prompt (ids, at least one token), best first: tokens without EOS;
 * tokenLogprobs holds EOS's too when EOS ended the hypothesis.
 */
export function languageModelBeamSearch(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: LanguageModelBeamOptions = {},
): Hypothesis[][] {
  return drain(languageModelBeamSearchSteps(model, prompts, options));
}

/** The same, one step per `next()` (see stepwise.ts); it yields null, the best hypothesis being known only at the end. */
export function* languageModelBeamSearchSteps(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: LanguageModelBeamOptions = {},
): Steps<Hypothesis[][]> {
  const { k, nbest, maxNewTokens, alpha, noRepeatNgram } = resolve(options);
  checkPrompts(model, prompts);
  const { eosId, vocabSize: V, maxLength, padId } = model.config;
  const limits = prompts.map((p) => Math.min(maxNewTokens, maxLength - p.length + 1));
  const finished: Hypothesis[][] = prompts.map(() => []);
  const end = (h: Omit<Hypothesis, 'score'>, length: number) => ({
    ...h,
    score: normalizedScore(h.logprob, length, alpha),
  });
  prompts.forEach((_, b) => {
    if (limits[b] === 0) finished[b].push({ tokens: [], tokenLogprobs: [], logprob: 0, score: 0 });
  });
  let alive = prompts.map((_, b) => b).filter((b) => limits[b] > 0);
  if (alive.length === 0) return finished;
  const state: LanguageModelState = model.startDecoding({
    positions: Math.max(...alive.map((b) => prompts[b].length + limits[b])),
  });
  try {
    const { tokens, padding } = leftPadded(
      alive.map((b) => prompts[b]),
      padId,
    );
    let logprobs = nextScores(model, state, tokens, padding, true); // (rows * V)
    // One hypothesis per prompt to begin with, on the prompt's row; k per prompt from the second step.
    let beams = alive.map((_, j): Beam[] => [{ tokens: [], tokenLogprobs: [], logprob: 0, row: j }]);
    let rows = alive.length;
    for (;;) {
      const nextAlive: number[] = [];
      const nextBeams: Beam[][] = [];
      alive.forEach((b, j) => {
        if (noRepeatNgram > 0)
          for (const h of beams[j]) {
            const row = logprobs.subarray(h.row * V, (h.row + 1) * V);
            banRepeatedNgrams(row, [...prompts[b], ...h.tokens], noRepeatNgram, eosId);
          }
        const next: Beam[] = [];
        topCandidates(beams[j], logprobs, V, 2 * k).forEach((c, rank) => {
          const tokenLogprobs = [...c.beam.tokenLogprobs, c.tokenLogprob];
          const length = c.beam.tokens.length + 1;
          if (c.token === eosId || length >= limits[b]) {
            if (rank >= k || finished[b].length >= k) return;
            const tokens = c.token === eosId ? c.beam.tokens : [...c.beam.tokens, c.token];
            finished[b].push(end({ tokens, tokenLogprobs, logprob: c.logprob }, length));
          } else if (next.length < k) {
            next.push({ tokens: [...c.beam.tokens, c.token], tokenLogprobs, logprob: c.logprob, row: c.beam.row });
          }
        });
        if (next.length === 0 && finished[b].length === 0) {
          // Nothing finite to extend with (a model gone NaN): the best hypothesis ends as it is.
          const { tokens, tokenLogprobs, logprob } = beams[j][0];
          finished[b].push(end({ tokens, tokenLogprobs, logprob }, Math.max(1, tokens.length)));
        }
        if (finished[b].length >= k || next.length === 0) return;
        // Too few finite extensions (a tiny vocabulary, banned n-grams): pad with dead copies.
        while (next.length < k) next.push({ ...next[0], logprob: -Infinity });
        nextAlive.push(b);
        nextBeams.push(next);
      });
      if (nextAlive.length === 0) break;
      const parents = Int32Array.from(nextBeams.flat(), (h) => h.row);
      reorderLanguageModel(state, parents, rows);
      nextBeams.flat().forEach((h, r) => (h.row = r));
      [alive, beams, rows] = [nextAlive, nextBeams, parents.length];
      yield null;
      logprobs = nextScores(model, state, lastTokens(beams.flat().map((h) => h.tokens)), null, true);
    }
    return finished.map((list) => [...list].sort((x, y) => y.score - x.score).slice(0, nbest));
  } finally {
    model.endDecoding(state);
  }
}

function resolve(options: LanguageModelBeamOptions) {
  const o = {
    k: options.beamSize ?? 4,
    nbest: options.nbest ?? 1,
    maxNewTokens: options.maxNewTokens ?? 50,
    alpha: options.alpha ?? 0.6,
    noRepeatNgram: options.noRepeatNgram ?? 0,
  };
  if (!Number.isInteger(o.k) || o.k < 1) throw new RangeError(`beamSize must be a positive integer, got ${o.k}`);
  if (!Number.isInteger(o.nbest) || o.nbest < 1 || o.nbest > o.k)
    throw new RangeError(`nbest must be in [1, ${o.k}], got ${o.nbest}`);
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 0)
    throw new RangeError('maxNewTokens must be an integer >= 0');
  if (!(o.alpha >= 0)) throw new RangeError('alpha must be >= 0');
  if (!Number.isInteger(o.noRepeatNgram) || o.noRepeatNgram < 0)
    throw new RangeError('noRepeatNgram must be an integer >= 0');
  return o;
}
