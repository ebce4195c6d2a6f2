// Sampling from a language model (decoder-only): temperature, top-k (Fan et al., 2018), nucleus /
// top-p (Holtzman et al., 2020), CTRL's repetition penalty and no-repeat n-grams, on the key/value
// cache. Each sequence draws from its own generator, seeded from the seed and its index, so its
// output does not depend on what else is in the batch; prompts of any lengths share one batch.

import type { DecoderOnly, LanguageModelState } from '../model/decoder-only.js';
import { Generator } from '../tensor/random.js';
import { banRepeatedNgrams, penalizeRepeats } from './constraints.js';
import { argmax } from './greedy.js';
import { checkPrompts, lastTokens, leftPadded, nextScores } from './prompts.js';
import { reorderLanguageModel } from './rows.js';
import { drain, type Steps } from './stepwise.js';

/** How a language model is sampled: length, temperature, top-k, top-p, penalties and seed. */
export interface SampleOptions {
  /** Tokens to generate after the prompt at most (fewer when the model's maxLength is reached); 50 by default. */
  maxNewTokens?: number;
  /** Logits are divided by it; 0 picks the most probable token (greedy). 1 by default. */
  temperature?: number;
  /** Sample among the k most probable tokens only (0: all). */
  topK?: number;
  /** Sample among the fewest most probable tokens whose probabilities sum to at least p (at least one token). */
  topP?: number;
  /** CTRL's penalty (> 1 discourages) on tokens already in the prompt or the output; 1 (off) by default. */
  repetitionPenalty?: number;
  noRepeatNgram?: number;
  /** Stop a sequence at EOS (not part of its output); true by default. */
  stopAtEos?: boolean;
  seed?: number;
  /**
   * The seed of each prompt's generator, instead of rowSeed(seed, i): a caller that splits a list of
   * prompts into batches passes each prompt's own, so that its draw does not depend on the batching.
   */
  rowSeeds?: readonly number[];
}

/** One continuation drawn from a language model. */
export interface Sample {
  /** The generated tokens after the prompt, without EOS. */
  tokens: number[];
  /** log p of each generated token (EOS included when it ended the sequence) under the model, before any rule. */
  tokenLogprobs: number[];
}

type Resolved = Required<Omit<SampleOptions, 'rowSeeds'>>;

function resolve(options: SampleOptions): Resolved {
  const o: Resolved = {
    maxNewTokens: 50,
    temperature: 1,
    topK: 0,
    topP: 1,
    repetitionPenalty: 1,
    noRepeatNgram: 0,
    stopAtEos: true,
    seed: 0,
    ...Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && k !== 'rowSeeds')),
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(what);
  };
  check(Number.isInteger(o.maxNewTokens) && o.maxNewTokens >= 0, 'maxNewTokens must be an integer >= 0');
  check(o.temperature >= 0, 'temperature must be >= 0');
  check(Number.isInteger(o.topK) && o.topK >= 0, 'topK must be an integer >= 0');
  check(o.topP >= 0 && o.topP <= 1, 'topP must be in [0, 1]');
  check(o.repetitionPenalty > 0, 'repetitionPenalty must be > 0');
  check(Number.isInteger(o.noRepeatNgram) && o.noRepeatNgram >= 0, 'noRepeatNgram must be an integer >= 0');
  check(Number.isInteger(o.seed), 'seed must be an integer');
  return o;
}

/** Continues each prompt (ids, at least one token), all of them in one left-padded batch. */
export function sample(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: SampleOptions = {},
): Sample[] {
  return drain(sampleSteps(model, prompts, options));
}

/** The seed of prompt i's generator when none is given: it depends on the seed and i only. */
export function rowSeed(seed: number, i: number): number {
  return (seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
}

/**
 * sample one decoding step per `next()` (see stepwise.ts). Prompts of different lengths share one
 * left-padded batch; a sequence leaves the batch when it ends.
 */
export function* sampleSteps(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: SampleOptions = {},
): Steps<Sample[]> {
  const o = resolve(options);
  checkPrompts(model, prompts);
  const { eosId, vocabSize: V, maxLength, padId } = model.config;
  const seeds = options.rowSeeds;
  if (seeds !== undefined && (seeds.length !== prompts.length || !seeds.every((s) => Number.isInteger(s))))
    throw new RangeError(`rowSeeds must hold one integer per prompt (${prompts.length})`);
  const generators = prompts.map((_, i) => new Generator(seeds?.[i] ?? rowSeed(o.seed, i)));
  const limits = prompts.map((p) => Math.min(o.maxNewTokens, maxLength - p.length + 1));
  const samples: Sample[] = prompts.map(() => ({ tokens: [], tokenLogprobs: [] }));
  let alive = prompts.map((_, i) => i).filter((i) => limits[i] > 0); // batch row r continues prompt alive[r]
  if (alive.length === 0) return samples;
  const positions = Math.max(...alive.map((i) => prompts[i].length + limits[i]));
  const state: LanguageModelState = model.startDecoding({ positions });
  try {
    let { tokens: input, padding } = leftPadded(
      alive.map((i) => prompts[i]),
      padId,
    );
    for (;;) {
      const n = alive.length;
      const logits = nextScores(model, state, input, padding); // (n * V)
      const keep: number[] = [];
      alive.forEach((s, i) => {
        const row = logits.subarray(i * V, (i + 1) * V); // a NaN logit (now -Infinity) cannot be drawn
        const history = [...prompts[s], ...samples[s].tokens];
        const token = nextToken(Float32Array.from(row), history, generators[s], o, eosId);
        const logprob = row[token] - logSumExp(row);
        samples[s].tokenLogprobs.push(Number.isNaN(logprob) ? -Infinity : logprob);
        if (o.stopAtEos && token === eosId) return;
        samples[s].tokens.push(token);
        if (samples[s].tokens.length < limits[s]) keep.push(i);
      });
      if (keep.length === 0) break;
      reorderLanguageModel(state, Int32Array.from(keep), n);
      alive = keep.map((i) => alive[i]);
      [input, padding] = [lastTokens(alive.map((s) => samples[s].tokens)), null];
      yield samples.map((x) => x.tokens);
    }
    return samples;
  } finally {
    model.endDecoding(state);
  }
}

/** Applies the rules to a row of logits (in place) and draws the next token. */
export function nextToken(
  logits: Float32Array,
  history: readonly number[],
  generator: Generator,
  o: Resolved,
  eosId: number,
): number {
  penalizeRepeats(logits, history, o.repetitionPenalty);
  if (o.noRepeatNgram > 0) banRepeatedNgrams(logits, history, o.noRepeatNgram, o.stopAtEos ? eosId : -1);
  if (o.temperature === 0) return argmax(logits);
  let ids = Array.from(logits.keys()).filter((v) => logits[v] > -Infinity);
  if (ids.length === 0) return argmax(logits);
  const restrict = (o.topK > 0 && o.topK < ids.length) || o.topP < 1;
  // Ties keep the lower id first, so a restriction is deterministic.
  if (restrict) ids.sort((a, b) => logits[b] - logits[a] || a - b);
  if (o.topK > 0) ids = ids.slice(0, o.topK);
  const top = logits[ids.reduce((a, b) => (logits[b] > logits[a] ? b : a))];
  let weights = ids.map((v) => Math.exp((logits[v] - top) / o.temperature));
  if (o.topP < 1) {
    const total = weights.reduce((x, y) => x + y, 0);
    let kept = 0;
    for (let mass = 0; kept < ids.length && (kept === 0 || mass < o.topP * total); kept++) mass += weights[kept];
    [ids, weights] = [ids.slice(0, kept), weights.slice(0, kept)];
  }
  let u = generator.uniform() * weights.reduce((x, y) => x + y, 0);
  for (let i = 0; i < ids.length; i++) {
    u -= weights[i];
    if (u < 0) return ids[i];
  }
  return ids[ids.length - 1];
}

function logSumExp(row: Float32Array): number {
  let top = -Infinity;
  for (const x of row) top = Math.max(top, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - top);
  return top + Math.log(sum);
}
