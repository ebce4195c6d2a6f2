// Translating many sentences: sources sorted by length into batches (little padding), decoded with
// greedy (beam 1) or beam search, and returned in input order. Empty sources give empty outputs
// without running the model; a source longer than the model's maxLength is cut to fit (it
// keeps its first maxLength - 1 tokens and EOS) and is reported through onTruncate.

import type { EncoderDecoder } from '../model/encoder-decoder.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { beamSearchSteps } from './beam.js';
import { greedySteps } from './greedy.js';
import type { Hypothesis, SearchOptions } from './search.js';
import { drain, type Steps } from './stepwise.js';

/** Translating many sources: the search, the beam size, n-best, batching and callbacks. */
export interface TranslateOptions extends SearchOptions {
  /** Beam size k; 1 decodes greedily. 4 by default (the paper). */
  beam?: number;
  /** Hypotheses per source, best first (at most beam). 1 by default. */
  nbest?: number;
  /** Sentences per batch; 32 by default. */
  batchSize?: number;
  /** Called for a source cut to maxLength: its index and its length before the cut (EOS included). */
  onTruncate?: (index: number, length: number) => void;
  /** Called after each batch with the number of sources done so far. */
  onProgress?: (done: number) => void;
}

/**
 * Sources ready to decode: EOS appended where missing, cut to the model's maxLength (keeping EOS, with
 * `onTruncate` told), and the order to batch them in: by length, so batches pad little; empty sources
 * are left out, since their translation is empty.
 */
export function prepareSources(
  sources: readonly (readonly number[])[],
  { eosId, maxLength }: { eosId: number; maxLength: number },
  onTruncate?: (index: number, length: number) => void,
): { prepared: number[][]; order: number[] } {
  const prepared = sources.map((s, i) => {
    if (s.length === 0) return [...s];
    const withEos = s.at(-1) === eosId ? [...s] : [...s, eosId];
    if (withEos.length <= maxLength) return withEos;
    onTruncate?.(i, withEos.length);
    return [...withEos.slice(0, maxLength - 1), eosId];
  });
  const order = prepared
    .map((_, i) => i)
    .filter((i) => prepared[i].length > 0)
    .sort((a, b) => prepared[a].length - prepared[b].length || a - b);
  return { prepared, order };
}

/**
 * The n-best hypotheses of each source (ids; EOS is appended when the last id is not EOS). An empty
 * source gives one empty hypothesis with score 0.
 */
export function translateIds(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: TranslateOptions = {},
): Hypothesis[][] {
  return drain(translateIdsSteps(model, sources, options));
}

/** translateIds one decoding step per `next()` (see stepwise.ts); what it yields is per batch. */
export function* translateIdsSteps(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: TranslateOptions = {},
): Steps<Hypothesis[][]> {
  const { beam = 4, nbest = 1, batchSize = 32 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be >= 1, got ${batchSize}`);
  const out: Hypothesis[][] = sources.map(() => [{ tokens: [], tokenLogprobs: [], logprob: 0, score: 0 }]);
  const { prepared, order } = prepareSources(sources, model.config, options.onTruncate);
  let done = sources.length - order.length;
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const batchSources = batch.map((i) => prepared[i]);
    const results =
      beam === 1 && nbest === 1
        ? (yield* greedySteps(model, batchSources, options)).map((h) => [h])
        : yield* beamSearchSteps(model, batchSources, { ...options, beamSize: beam, nbest });
    batch.forEach((i, j) => (out[i] = results[j]));
    done += batch.length;
    options.onProgress?.(done);
  }
  return out;
}

/** Text in, best translation's text out, line for line (a blank line gives an empty line). */
export function translateLines(
  model: EncoderDecoder,
  tokenizer: Pick<TextTokenizer, 'encode' | 'decode'>,
  lines: readonly string[],
  options: TranslateOptions = {},
): string[] {
  const sources = lines.map((line) => (line.trim() === '' ? [] : [...tokenizer.encode(line, { addEos: true })]));
  return translateIds(model, sources, { ...options, nbest: 1 }).map((list) => tokenizer.decode(list[0].tokens));
}
