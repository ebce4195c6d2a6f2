// Sampling translations from an encoder-decoder instead of searching for the best one: the next token
// is drawn with temperature, top-k (Fan et al., 2018), nucleus / top-p (Holtzman et al., 2020) and
// CTRL's repetition penalty, after the search's own rules (minimum and maximum length, no repeated
// n-grams). Every sample draws from its own generator, seeded from the seed and the index of its source
// in the whole input, so a sample does not depend on the batch it was decoded in.

import type { EncoderDecoder } from '../model/encoder-decoder.js';
import * as T from '../tensor/index.js';
import { Generator } from '../tensor/random.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { decodeEachRowSteps } from './each-row.js';
import { prepareSources } from './translate-lines.js';
import { nextToken, type SampleOptions } from './sample.js';
import {
  constrainNext,
  maxOutputLength,
  resolveOptions,
  type Hypothesis,
  type ResolvedOptions,
  type SearchOptions,
} from './search.js';
import { drain, type Steps } from './stepwise.js';

/** How translations are drawn: temperature, top-k, top-p, repetition penalty, seed and count. */
export interface TranslationSampleOptions extends SearchOptions {
  /** Logits are divided by it; 0 picks the most probable token. 1 by default. */
  temperature?: number;
  /** Draw among the k most probable tokens only (0: all). */
  topK?: number;
  /** Draw among the fewest most probable tokens whose probabilities sum to at least p. 1 by default. */
  topP?: number;
  /** CTRL's penalty (> 1 discourages) on tokens already in the output; 1 (off) by default. */
  repetitionPenalty?: number;
  seed?: number;
  /** Samples per source; 1 by default. */
  samples?: number;
  /** Sentences per batch (each gives `samples` rows); 32 by default. */
  batchSize?: number;
  /** The index of sources[0] in the whole input, which seeds the samples of each source. 0 by default. */
  firstIndex?: number;
  /** Called for a source cut to maxLength: its index and its length before the cut (EOS included). */
  onTruncate?: (index: number, length: number) => void;
  /** Called after each batch with the number of sources done so far. */
  onProgress?: (done: number) => void;
}

type Draw = Required<Omit<SampleOptions, 'rowSeeds'>>;

function resolveDraw(o: TranslationSampleOptions): Draw {
  const draw: Draw = {
    maxNewTokens: 0, // the search options' maxLenA and maxLenB decide the length
    temperature: o.temperature ?? 1,
    topK: o.topK ?? 0,
    topP: o.topP ?? 1,
    repetitionPenalty: o.repetitionPenalty ?? 1,
    noRepeatNgram: 0, // applied with the other search rules by constrainNext
    stopAtEos: true,
    seed: o.seed ?? 0,
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(what);
  };
  check(draw.temperature >= 0 && Number.isFinite(draw.temperature), 'temperature must be a number >= 0');
  check(Number.isInteger(draw.topK) && draw.topK >= 0, 'topK must be an integer >= 0');
  check(draw.topP > 0 && draw.topP <= 1, 'topP must be in (0, 1]');
  check(draw.repetitionPenalty > 0 && Number.isFinite(draw.repetitionPenalty), 'repetitionPenalty must be > 0');
  check(Number.isInteger(draw.seed), 'seed must be an integer');
  return draw;
}

/**
 * `samples` sampled translations of each source (ids, EOS appended when missing), each a Hypothesis
 * whose score is its log-probability under the model. An empty source gives empty samples.
 */
export function sampleTranslations(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: TranslationSampleOptions = {},
): Hypothesis[][] {
  return drain(sampleTranslationsSteps(model, sources, options));
}

/** sampleTranslations one decoding step per `next()` (see stepwise.ts); what it yields is per batch. */
export function* sampleTranslationsSteps(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: TranslationSampleOptions = {},
): Steps<Hypothesis[][]> {
  const { samples = 1, batchSize = 32, firstIndex = 0 } = options;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be >= 1, got ${samples}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be >= 1, got ${batchSize}`);
  const draw = resolveDraw(options);
  const search = resolveOptions(options);
  const empty = (): Hypothesis => ({ tokens: [], tokenLogprobs: [], logprob: 0, score: 0 });
  const out: Hypothesis[][] = sources.map(() => Array.from({ length: samples }, empty));
  const { prepared, order } = prepareSources(sources, model.config, options.onTruncate);
  let done = sources.length - order.length;
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const rows = batch.flatMap((i) => Array.from({ length: samples }, (_, s) => ({ i, s })));
    const generators = rows.map(({ i, s }) => {
      const index = (firstIndex + i) * samples + s;
      return new Generator((draw.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    });
    const drawn = yield* sampleBatch(
      model,
      rows.map(({ i }) => prepared[i]),
      generators,
      draw,
      search,
    );
    rows.forEach(({ i, s }, r) => (out[i][s] = drawn[r]));
    done += batch.length;
    options.onProgress?.(done);
  }
  return out;
}

/** One row per sample, decoded together on the key/value cache; a row leaves the batch at EOS. */
function sampleBatch(
  model: EncoderDecoder,
  sources: (readonly number[])[],
  generators: Generator[],
  draw: Draw,
  search: ResolvedOptions,
): Steps<Hypothesis[]> {
  const { eosId, vocabSize: V } = model.config;
  const maxLengths = sources.map((s) => maxOutputLength(s.length, search, model.config));
  return decodeEachRowSteps(
    model,
    sources,
    (state, tokens) => step(model, state, tokens), // (N * V) each
    (r, i, h, { logits, logprobs }) => {
      const lp = logprobs.subarray(i * V, (i + 1) * V);
      constrainNext(lp, h.tokens, maxLengths[r], search, eosId);
      // At the limit the sample ends, even when EOS is as impossible (-Infinity) as every other token.
      if (h.tokens.length >= maxLengths[r]) return { token: eosId, logprob: lp[eosId] };
      const row = logits.slice(i * V, (i + 1) * V);
      for (let v = 0; v < V; v++) if (lp[v] === -Infinity) row[v] = -Infinity;
      const token = nextToken(row, h.tokens, generators[r], draw, eosId);
      return { token, logprob: lp[token] };
    },
    (h) => h.logprob,
  );
}

/** The raw logits (for the draw) and the log-probabilities (for the rules and the score) of one step. */
function step(model: EncoderDecoder, state: Parameters<EncoderDecoder['step']>[0], tokens: Int32Array) {
  return tidy(() => {
    const logits = model.step(state, Tensor.from(tokens, [tokens.length, 1])); // (N, 1, V)
    return {
      logits: Float32Array.from(T.contiguous(logits).floats('logits')), // (N * V)
      logprobs: Float32Array.from(T.logSoftmax(logits, -1).floats('log-probabilities')), // (N * V)
    };
  });
}
