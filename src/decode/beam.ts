// Beam search (the paper's section 6.1: beam size 4, length penalty alpha 0.6) over a batch of sources
// on the key/value cache, with fairseq's handling of finished hypotheses:
// - each step ranks the top 2k extensions of a sentence's k active hypotheses by log-probability;
// - an extension by EOS among the top k is finished (removed from the beam, kept with its score
//   logprob / lp(|Y|)); EOS extensions ranked below k are dropped;
// - the best k extensions that are not EOS are the next active hypotheses, so the beam stays full;
// - a sentence is done once it has k finished hypotheses (fairseq's default "early stopping": an
//   active hypothesis that might still overtake the worst finished one is not waited for). At the
//   maximum length only EOS is allowed, so every hypothesis ends within the limit.
// The n-best list is the k finished hypotheses ordered by score.

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
import { drain, type Steps } from './stepwise.js';

/** Beam search settings: the search options, the beam size and the n-best count. */
export interface BeamOptions extends SearchOptions {
  /** k, 4 by default. */
  beamSize?: number;
  /** Hypotheses returned per source (at most k), best first; 1 by default. */
  nbest?: number;
}

/** An active hypothesis: its tokens so far and the batch row holding its caches. */
export interface Beam {
  tokens: number[];
  tokenLogprobs: number[];
  logprob: number;
  row: number;
}

export interface Candidate {
  beam: Beam;
  token: number;
  tokenLogprob: number;
  logprob: number;
}

/** The n best finished hypotheses of each source (ids, EOS included as the model was trained), best first. */
export function beamSearch(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: BeamOptions = {},
): Hypothesis[][] {
  return drain(beamSearchSteps(model, sources, options));
}

/** Beam search one step per `next()` (see stepwise.ts); it yields null, the best hypothesis being known only at the end. */
export function* beamSearchSteps(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: BeamOptions = {},
): Steps<Hypothesis[][]> {
  const o = resolveOptions(options);
  const k = options.beamSize ?? 4;
  const nbest = options.nbest ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`beamSize must be a positive integer, got ${k}`);
  if (!Number.isInteger(nbest) || nbest < 1 || nbest > k)
    throw new RangeError(`nbest must be in [1, ${k}], got ${nbest}`);
  const { eosId, bosId, vocabSize: V } = model.config;
  const maxLengths = sources.map((s) => maxOutputLength(s.length, o, model.config));
  const finished: Hypothesis[][] = sources.map(() => []);
  if (sources.length === 0) return [];
  const positions = Math.max(...maxLengths) + 1;
  const state = T.noGrad(() => tidy(() => model.startDecoding(padSources(sources, model.config), { positions })));
  try {
    // The first step decodes one row per sentence (its k hypotheses would all be the same); its best
    // extensions then take k rows per sentence, sharing that row's keys and values by index.
    let alive = sources.map((_, b) => b);
    let beams = alive.map((_, j): Beam[] => [{ tokens: [], tokenLogprobs: [], logprob: 0, row: j }]);
    for (let step = 0; alive.length > 0; step++) {
      const logprobs = stepLogprobs(
        model,
        state,
        Int32Array.from(beams.flat(), (h) => h.tokens.at(-1) ?? bosId),
      );
      const nextAlive: number[] = [];
      const nextBeams: Beam[][] = [];
      alive.forEach((b, j) => {
        const extended = beams[j];
        for (const h of extended) {
          constrainNext(logprobs.subarray(h.row * V, (h.row + 1) * V), h.tokens, maxLengths[b], o, eosId);
        }
        const candidates = topCandidates(extended, logprobs, V, 2 * k);
        const next: Beam[] = [];
        candidates.forEach((c, rank) => {
          const tokenLogprobs = [...c.beam.tokenLogprobs, c.tokenLogprob];
          if (c.token === eosId) {
            if (rank >= k || finished[b].length >= k) return;
            const length = c.beam.tokens.length + 1;
            const score = normalizedScore(c.logprob, length, o.alpha);
            finished[b].push({ tokens: c.beam.tokens, tokenLogprobs, logprob: c.logprob, score });
          } else if (next.length < k) {
            next.push({ tokens: [...c.beam.tokens, c.token], tokenLogprobs, logprob: c.logprob, row: c.beam.row });
          }
        });
        if (next.length === 0 && finished[b].length === 0) {
          // Nothing finite to extend with (a model gone NaN, or EOS impossible at the limit): the
          // best active hypothesis ends here, impossible as it is, so every source has an answer.
          const h = extended[0];
          const logprob = h.logprob + logprobs[h.row * V + eosId];
          finished[b].push({
            tokens: h.tokens,
            tokenLogprobs: [...h.tokenLogprobs, logprobs[h.row * V + eosId]],
            logprob,
            score: normalizedScore(logprob, h.tokens.length + 1, o.alpha),
          });
        }
        if (finished[b].length >= k || next.length === 0) return;
        // Too few finite extensions (a tiny vocabulary, banned n-grams): pad with dead copies.
        while (next.length < k) next.push({ ...next[0], logprob: -Infinity });
        nextAlive.push(b);
        nextBeams.push(next);
      });
      if (nextAlive.length === 0) break;
      const rows = Int32Array.from(nextBeams.flat(), (h) => h.row);
      reorderTranslation(
        state,
        rows,
        beams.reduce((n, list) => n + list.length, 0),
      );
      nextBeams.flat().forEach((h, r) => (h.row = r));
      alive = nextAlive;
      beams = nextBeams;
      yield null;
    }
    return finished.map((list) => [...list].sort((x, y) => y.score - x.score).slice(0, nbest));
  } finally {
    model.endDecoding(state);
  }
}

/** The n best finite (hypothesis, token) extensions by total log-probability, best first. */
export function topCandidates(beams: readonly Beam[], logprobs: Float32Array, V: number, n: number): Candidate[] {
  const top: Candidate[] = [];
  // What a candidate must beat: -Infinity until the list is full, then its last entry. `!(x > worst)`
  // also turns away NaN.
  let worst = -Infinity;
  for (const beam of beams) {
    if (beam.logprob === -Infinity) continue;
    const base = beam.logprob;
    const row = logprobs.subarray(beam.row * V, (beam.row + 1) * V);
    for (let v = 0; v < V; v++) {
      const logprob = base + row[v];
      if (!(logprob > worst)) continue;
      let at = top.length;
      while (at > 0 && top[at - 1].logprob < logprob) at--;
      top.splice(at, 0, { beam, token: v, tokenLogprob: row[v], logprob });
      if (top.length > n) top.pop();
      if (top.length === n) worst = top[n - 1].logprob;
    }
  }
  return top;
}
