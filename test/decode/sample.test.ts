// Sampling from a language model: seeded determinism, independence from the batch, the limits of
// top-k, top-p and temperature, the repetition rules, and agreement with uncached decoding.

import test from 'node:test';
import assert from 'node:assert/strict';
import { argmax, banRepeatedNgrams, penalizeRepeats, sample, type SampleOptions } from '../../src/decode/index.js';
import { createModel, makeConfig, type DecoderOnly } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

T.manualSeed(21);
const lm = createModel(makeConfig('tiny', { kind: 'decoder-only', vocabSize: 17 })).eval() as DecoderOnly;
const prompts = [[1, 5, 6], [1, 7], [1, 8, 9, 10, 4], [1], [1, 3, 3]];

/** Greedy continuation without the cache: the whole sequence through lm.forward at every step. */
function uncachedGreedy(prompt: number[], n: number): number[] {
  const seq = [...prompt];
  for (let i = 0; i < n; i++) {
    const next = tidy(() =>
      T.noGrad(() => {
        const logits = lm.forward(Tensor.from(Int32Array.from(seq), [1, seq.length])); // (1, L, V)
        return argmax(T.slice(logits, 1, seq.length - 1, seq.length).toArray());
      }),
    );
    seq.push(next);
  }
  return seq.slice(prompt.length);
}

const run = (options: SampleOptions) => sample(lm, prompts, { maxNewTokens: 12, stopAtEos: false, ...options });
const tokens = (options: SampleOptions) => run(options).map((s) => s.tokens);

test('temperature 0 is greedy and equals uncached greedy decoding', () => {
  const got = tokens({ temperature: 0 });
  prompts.forEach((p, i) => assert.deepEqual(got[i], uncachedGreedy(p, 12), `prompt ${i}`));
});

test('top-k = 1, top-p = 0 and a vanishing top-p all equal greedy, whatever the temperature', () => {
  const greedy = tokens({ temperature: 0 });
  for (const options of [{ topK: 1 }, { topP: 0 }, { topP: 1e-6 }, { topK: 1, temperature: 5 }]) {
    assert.deepEqual(tokens({ ...options, seed: 3 }), greedy, JSON.stringify(options));
  }
});

test('the same seed gives the same samples; another seed, others', () => {
  const a = tokens({ seed: 42 });
  assert.deepEqual(tokens({ seed: 42 }), a);
  assert.notDeepEqual(tokens({ seed: 43 }), a);
  // top-p = 1 and top-k = V restrict nothing, so they draw exactly what plain sampling draws.
  assert.deepEqual(tokens({ seed: 42, topP: 1 }), a);
  assert.deepEqual(tokens({ seed: 42, topK: 17 }), a);
});

test('a sequence samples the same in a batch as alone', () => {
  const batched = run({ seed: 9, topK: 5, topP: 0.9 });
  // A prompt's generator depends on its index, so alone means the same index with the others padded out.
  prompts.forEach((p, i) => {
    const alone = sample(lm, [...prompts.slice(0, i).map(() => [1]), p], {
      maxNewTokens: 12,
      stopAtEos: false,
      seed: 9,
      topK: 5,
      topP: 0.9,
    });
    assert.deepEqual(alone[i], batched[i], `prompt ${i}`);
  });
});

test('sampled tokens stay inside top-k and report the model log-probabilities', () => {
  for (const s of run({ seed: 5, topK: 3, temperature: 2 }).map((x, i) => [x, i] as const)) {
    const [{ tokens: out, tokenLogprobs }, i] = s;
    const seq = [...prompts[i], ...out];
    const logp = tidy(() =>
      T.noGrad(() => T.logSoftmax(lm.forward(Tensor.from(Int32Array.from(seq), [1, seq.length])), -1).toArray()),
    );
    const V = 17;
    out.forEach((token, t) => {
      const at = prompts[i].length - 1 + t;
      const row = logp.slice(at * V, (at + 1) * V);
      const rank = row.filter((x) => x > row[token]).length;
      assert.ok(rank < 3, `prompt ${i} step ${t}: rank ${rank}`);
      assert.ok(Math.abs(tokenLogprobs[t] - row[token]) < 1e-4, `prompt ${i} step ${t} log-probability`);
    });
  }
});

test('maxNewTokens, EOS and the positions bound the output', () => {
  for (const s of run({ seed: 1, maxNewTokens: 4 })) assert.equal(s.tokens.length, 4);
  const eos = lm.config.eosId;
  for (const s of sample(lm, prompts, { seed: 2, temperature: 3, maxNewTokens: 40 })) {
    assert.ok(!s.tokens.includes(eos));
    assert.ok(s.tokens.length === 40 || s.tokenLogprobs.length === s.tokens.length + 1);
  }
  const long = sample(lm, [[1, 4]], { maxNewTokens: 1000, stopAtEos: false })[0];
  assert.equal(2 + long.tokens.length, lm.config.maxLength + 1, 'the last token is predicted at the last position');
});

test('no-repeat n-grams: samples never repeat a trigram, even at a high temperature', () => {
  for (const s of tokens({ seed: 7, temperature: 3, noRepeatNgram: 3, maxNewTokens: 30 }).map((t, i) => [
    ...prompts[i],
    ...t,
  ])) {
    const trigrams = s.slice(2).map((x, i) => `${s[i]} ${s[i + 1]} ${x}`);
    assert.equal(new Set(trigrams).size, trigrams.length, s.join(' '));
  }
});

test('banRepeatedNgrams bans exactly the tokens that would repeat an n-gram', () => {
  const row = () => new Float32Array(8);
  const banned = (r: Float32Array) => [...r.keys()].filter((v) => r[v] === -Infinity);
  let r = row();
  banRepeatedNgrams(r, [3, 4, 5, 3, 4], 3); // "3 4" was followed by 5
  assert.deepEqual(banned(r), [5]);
  r = row();
  banRepeatedNgrams(r, [3, 4, 3, 6, 3], 2); // "3" was followed by 4 and by 6
  assert.deepEqual(banned(r), [4, 6]);
  r = row();
  banRepeatedNgrams(r, [1, 2, 2], 1); // unigrams: every token seen
  assert.deepEqual(banned(r), [1, 2]);
  r = row();
  banRepeatedNgrams(r, [2, 7, 2], 2, 7); // the exempt token (EOS) stays allowed
  assert.deepEqual(banned(r), []);
  r = row();
  banRepeatedNgrams(r, [3, 4], 3); // too short to hold a repeat
  assert.deepEqual(banned(r), []);
});

test('the repetition penalty divides positive logits and multiplies negative ones, once per token', () => {
  const logits = Float32Array.from([2, -2, 1, 4]);
  penalizeRepeats(logits, [0, 1, 1], 2);
  assert.deepEqual([...logits], [1, -4, 1, 4]);
  const plain = tokens({ temperature: 0, maxNewTokens: 20 });
  const penalized = tokens({ temperature: 0, maxNewTokens: 20, repetitionPenalty: 100 });
  const distinct = (lists: number[][]) => lists.reduce((n, t) => n + new Set(t).size, 0);
  assert.ok(distinct(penalized) > distinct(plain), 'a strong penalty spreads the output over more tokens');
});

test('options are checked', () => {
  assert.throws(() => sample(lm, [[1]], { topP: 1.5 }), /topP/);
  assert.throws(() => sample(lm, [[1]], { temperature: -1 }), /temperature/);
  assert.throws(() => sample(lm, [[]]), /prompt 0/);
});
