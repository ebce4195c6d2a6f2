// Decoding with a model gone bad (a NaN poked into a weight after loading, past the loader's check, or
// final logits all -Infinity): greedy, beam search and sampling read NaN as -Infinity, still end at
// their length limit, and give every source an answer whose scores are -Infinity, never NaN.

import test from 'node:test';
import assert from 'node:assert/strict';

import { beamSearch, greedy, sample, translateIds, type Hypothesis } from '../../src/decode/index.js';
import { createModel, makeConfig, type DecoderOnly, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';

const LIMIT = 7;
const options = { maxLenA: 0, maxLenB: LIMIT };
const sources = [
  [5, 6, 7, 2],
  [8, 2],
  [9, 10, 11, 12, 5, 2],
];

function poisoned(how: 'nan-weight' | 'minus-infinity-logits'): EncoderDecoder {
  T.manualSeed(5);
  const model = createModel(makeConfig('tiny', { finalLogitsBias: true })).eval() as EncoderDecoder;
  const params = model.namedParameters();
  if (how === 'nan-weight')
    params.get('decoder.layers.1.norm3.bias')!.dense()[3] = NaN; // every logit reads it
  else params.get('output.finalLogitsBias')!.dense().fill(-Infinity);
  return model;
}

function assertBounded(h: Hypothesis, what: string): void {
  assert.ok(h.tokens.length <= LIMIT, `${what}: ${h.tokens.length} tokens, more than the limit ${LIMIT}`);
  assert.equal(h.tokenLogprobs.length, h.tokens.length + 1, what);
  for (const x of [...h.tokenLogprobs, h.logprob, h.score]) assert.ok(!Number.isNaN(x), `${what}: NaN score`);
  assert.equal(h.logprob, -Infinity, `${what}: an impossible hypothesis scores -Infinity`);
}

for (const how of ['nan-weight', 'minus-infinity-logits'] as const) {
  test(`${how}: greedy stops at the limit with -Infinity scores`, () => {
    const model = poisoned(how);
    const hyps = greedy(model, sources, options);
    assert.equal(hyps.length, sources.length);
    hyps.forEach((h, i) => {
      assertBounded(h, `source ${i}`);
      assert.equal(h.tokens.length, LIMIT, 'no EOS is ever more likely than another token, so the limit ends it');
    });
  });

  test(`${how}: beam search stops at the limit and answers every source`, () => {
    const model = poisoned(how);
    for (const beamSize of [1, 3]) {
      const lists = beamSearch(model, sources, { ...options, beamSize, nbest: 1 });
      assert.equal(lists.length, sources.length);
      lists.forEach((list, i) => {
        assert.equal(list.length, 1, `beam ${beamSize}, source ${i}: one hypothesis`);
        assertBounded(list[0], `beam ${beamSize}, source ${i}`);
      });
    }
    const translated = translateIds(model, sources, { ...options, beam: 4 });
    translated.forEach((list, i) => assertBounded(list[0], `translateIds, source ${i}`));
  });
}

test('sampling from a language model with a NaN weight stops at maxNewTokens with -Infinity log-probabilities', () => {
  T.manualSeed(6);
  const model = createModel(makeConfig('tiny', { kind: 'decoder-only' })).eval() as DecoderOnly;
  model.namedParameters().get('decoder.layers.1.norm2.bias')!.dense()[0] = NaN;
  for (const temperature of [0, 1]) {
    const samples = sample(model, [[1, 5, 6], [1]], { maxNewTokens: 6, temperature, topP: 0.9, seed: 3 });
    for (const s of samples) {
      assert.ok(s.tokens.length <= 6);
      assert.equal(s.tokenLogprobs.length, s.tokens.length);
      for (const x of s.tokenLogprobs) assert.equal(x, -Infinity);
    }
  }
});
