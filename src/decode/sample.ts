// Sampling from a language model (decoder-only): temperature, top-k (Fan et al., 2018), nucleus /
// top-p (Holtzman et al., 2020), CTRL's repetition penalty and no-repeat n-grams, on the key/value
// cache. Each sequence draws from its own generator, seeded from the seed and its index, so its
// output does not depend on what else is in the batch.

import type { DecoderOnly, LanguageModelState } from '../model/decoder-only.js';
import * as T from '../tensor/index.js';
import { Generator } from '../tensor/random.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { banRepeatedNgrams, penalizeRepeats } from './constraints.js';
import { argmax } from './greedy.js';
import { reorderLanguageModel } from './rows.js';
import { nanToMinusInfinity } from './search.js';
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
}

/** One continuation drawn from a language model. */
export interface Sample {
  /** The generated tokens after the prompt, without EOS. */
  tokens: number[];
  /** log p of each generated token (EOS included when it ended the sequence) under the model, before any rule. */
  tokenLogprobs: number[];
}

type Resolved = Required<SampleOptions>;

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
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
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

/** Continues each prompt (ids, at least one token). Prompts of equal length are decoded as one batch. */
export function sample(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: SampleOptions = {},
): Sample[] {
  return drain(sampleSteps(model, prompts, options));
}

/** sample one decoding step per `next()` (see stepwise.ts); what it yields is per group of equal-length prompts. */
export function* sampleSteps(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: SampleOptions = {},
): Steps<Sample[]> {
  const o = resolve(options);
  const out: Sample[] = new Array(prompts.length);
  const byLength = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    if (p.length === 0 || p.length > model.config.maxLength)
      throw new RangeError(`prompt ${i} has ${p.length} tokens; it needs 1 to ${model.config.maxLength}`);
    byLength.set(p.length, [...(byLength.get(p.length) ?? []), i]);
  });
  for (const group of byLength.values()) {
    const samples = yield* sampleGroup(
      model,
      group.map((i) => prompts[i]),
      group.map((i) => new Generator((o.seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0)),
      o,
    );
    group.forEach((i, g) => (out[i] = samples[g]));
  }
  return out;
}

/** Prompts of one length, decoded together; a sequence leaves the batch when it ends. */
function* sampleGroup(
  model: DecoderOnly,
  prompts: (readonly number[])[],
  generators: Generator[],
  o: Resolved,
): Steps<Sample[]> {
  const { eosId, vocabSize: V, maxLength } = model.config;
  const L = prompts[0].length;
  const limit = Math.min(o.maxNewTokens, maxLength - L + 1);
  const samples: Sample[] = prompts.map(() => ({ tokens: [], tokenLogprobs: [] }));
  if (limit === 0) return samples;
  const state: LanguageModelState = model.startDecoding();
  try {
    let alive = prompts.map((_, i) => i);
    let input = Tensor.from(Int32Array.from(prompts.flat()), [prompts.length, L]);
    for (;;) {
      const n = alive.length;
      const logits = tidy(() => {
        const all = model.step(state, input); // (n, t, V)
        const t = all.shape[1];
        return Float32Array.from(T.contiguous(T.slice(all, 1, t - 1, t)).floats('logits')); // (n * V)
      });
      const keep: number[] = [];
      alive.forEach((s, i) => {
        const row = nanToMinusInfinity(logits.subarray(i * V, (i + 1) * V)); // a NaN logit cannot be drawn
        const history = [...prompts[s], ...samples[s].tokens];
        const token = nextToken(Float32Array.from(row), history, generators[s], o, eosId);
        const logprob = row[token] - logSumExp(row);
        samples[s].tokenLogprobs.push(Number.isNaN(logprob) ? -Infinity : logprob);
        if (o.stopAtEos && token === eosId) return;
        samples[s].tokens.push(token);
        if (samples[s].tokens.length < limit) keep.push(i);
      });
      if (keep.length === 0) break;
      reorderLanguageModel(state, Int32Array.from(keep), n);
      alive = keep.map((i) => alive[i]);
      input = Tensor.from(
        Int32Array.from(alive, (s) => samples[s].tokens.at(-1)!),
        [alive.length, 1],
      );
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
