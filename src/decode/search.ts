// What greedy and beam search share: options, hypotheses, the padded source batch, the per-step
// log-probabilities and the rules that constrain the next token.

import type { EncoderDecoder } from '../model/encoder-decoder.js';
import type { ModelConfig } from '../model/config.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { banRepeatedNgrams } from './constraints.js';

/** What greedy and beam search share: the output length limits, no-repeat n-grams and the length penalty. */
export interface SearchOptions {
  /** At most floor(maxLenA * |source| + maxLenB) tokens before EOS (fairseq's max_len_a/b); 1 and 50 by default. */
  maxLenA?: number;
  maxLenB?: number;
  /** EOS is not allowed before this many tokens. */
  minLength?: number;
  /** Bans a token that would repeat an n-gram already in the hypothesis (0: off). */
  noRepeatNgram?: number;
  /** alpha of the length penalty ((5 + |Y|) / 6)^alpha; 0.6 by default (the paper). */
  alpha?: number;
}

/** One output of a search: its tokens, their log-probabilities and its score. */
export interface Hypothesis {
  /** The output tokens, without EOS. */
  tokens: number[];
  /** log p of each token, then of EOS (one more entry than tokens). */
  tokenLogprobs: number[];
  /** Their sum: log P(Y | X) with EOS. */
  logprob: number;
  /** logprob / lp(|Y|), |Y| = tokens + EOS: what beam search ranks by. */
  score: number;
}

/** SearchOptions with every default filled in. */
export interface ResolvedOptions {
  maxLenA: number;
  maxLenB: number;
  minLength: number;
  noRepeatNgram: number;
  alpha: number;
}

export function resolveOptions(options: SearchOptions): ResolvedOptions {
  const o: ResolvedOptions = {
    maxLenA: options.maxLenA ?? 1,
    maxLenB: options.maxLenB ?? 50,
    minLength: options.minLength ?? 0,
    noRepeatNgram: options.noRepeatNgram ?? 0,
    alpha: options.alpha ?? 0.6,
  };
  if (!(o.maxLenA >= 0) || !Number.isFinite(o.maxLenB)) throw new RangeError('maxLenA must be >= 0 and maxLenB finite');
  if (!Number.isInteger(o.minLength) || o.minLength < 0) throw new RangeError('minLength must be an integer >= 0');
  if (!Number.isInteger(o.noRepeatNgram) || o.noRepeatNgram < 0)
    throw new RangeError('noRepeatNgram must be an integer >= 0');
  if (!(o.alpha >= 0)) throw new RangeError('alpha must be >= 0');
  return o;
}

/**
 * The most tokens before EOS for a source: floor(a |source| + b), at least 0, and at most what the
 * decoder's positions cover (BOS and the tokens occupy positions 0..maxLength-1, EOS is predicted at the last).
 */
export function maxOutputLength(sourceLength: number, o: ResolvedOptions, config: ModelConfig): number {
  return Math.max(0, Math.min(Math.floor(o.maxLenA * sourceLength + o.maxLenB), config.maxLength - 1));
}

/** Sources (each at least one token) padded with padId into one (B, S) int32 tensor. */
export function padSources(sources: readonly (readonly number[])[], config: ModelConfig): Tensor {
  sources.forEach((s, i) => {
    if (s.length === 0) throw new RangeError(`source ${i} is empty; it needs at least one token (e.g. EOS)`);
    if (s.length > config.maxLength)
      throw new RangeError(`source ${i} has ${s.length} tokens, more than maxLength ${config.maxLength}`);
  });
  const S = Math.max(...sources.map((s) => s.length));
  const ids = new Int32Array(sources.length * S).fill(config.padId);
  sources.forEach((s, b) => ids.set(s, b * S));
  return Tensor.from(ids, [sources.length, S]);
}

/**
 * One decoding step for N rows: the next tokens (N) in, log-probabilities (N x V, row-major) out. A NaN
 * (from weights or activations gone bad) reads as -Infinity, a token that cannot be chosen, so that
 * every comparison of the search stays meaningful and it still ends at its length limit.
 */
export function stepLogprobs(model: EncoderDecoder, state: Parameters<EncoderDecoder['step']>[0], tokens: Int32Array) {
  return tidy(() => {
    const logits = model.step(state, Tensor.from(tokens, [tokens.length, 1])); // (N, 1, V)
    const lp = T.logSoftmax(logits, -1);
    const logprobs = lp.floats('log-probabilities');
    // A copy that outlives tidy (N * V): slice() is a memcpy where Float32Array.from converts element by element.
    const out = logprobs instanceof Float32Array ? logprobs.slice() : Float32Array.from(logprobs);
    // Log-probabilities are <= 0 or -Infinity, so a row sums to NaN exactly when it holds a NaN: only
    // those rows are scanned (the sums are one pass in the backend; a scan of every row was one in JS).
    const V = out.length / tokens.length;
    const sums = T.sum(lp, -1).floats('row sums');
    for (let r = 0; r < sums.length; r++)
      if (Number.isNaN(sums[r])) nanToMinusInfinity(out.subarray(r * V, (r + 1) * V));
    return out;
  });
}

/** NaN entries become -Infinity, in place. */
export function nanToMinusInfinity(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) values[i] = -Infinity;
  return values;
}

/**
 * Applies the rules on the next token to one row of log-probabilities in place: no EOS before
 * minLength, only EOS once the hypothesis has maxLength tokens, no repeated n-grams (EOS exempt).
 */
export function constrainNext(
  row: Float32Array,
  prefix: readonly number[],
  maxLength: number,
  o: ResolvedOptions,
  eosId: number,
): void {
  if (prefix.length >= maxLength) {
    const eos = row[eosId];
    row.fill(-Infinity);
    row[eosId] = eos;
    return;
  }
  if (prefix.length < o.minLength) row[eosId] = -Infinity;
  if (o.noRepeatNgram > 0) banRepeatedNgrams(row, prefix, o.noRepeatNgram, eosId);
}
