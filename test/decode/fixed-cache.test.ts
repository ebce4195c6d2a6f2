// Decoding on key/value caches that do not move (written in place, rows reordered by index) gives the
// tokens and scores of decoding that recomputes everything at every step, and of the growing caches
// (concatenation, rows copied) it replaced: long outputs, beams that reorder and sentences that finish
// early, caches that outgrow their first capacity.

import test from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, greedy, type Hypothesis } from '../../src/decode/index.js';
import { constrainNext, maxOutputLength, resolveOptions } from '../../src/decode/search.js';
import { argmax } from '../../src/decode/greedy.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

T.manualSeed(21);
const config = makeConfig('tiny', { vocabSize: 40, sourceVocabSize: 40, maxLength: 128, normPosition: 'pre' });
const model = createModel(config).eval() as EncoderDecoder;
const lengths = [3, 11, 7, 20, 1, 15];
const sources = lengths.map((n, s) => Array.from({ length: n }, (_, i) => 4 + ((s * 7 + i * 5) % 36)));

/** The same model, decoding on the growing caches. */
function growing(m: EncoderDecoder): EncoderDecoder {
  const g = Object.create(m) as EncoderDecoder;
  g.startDecoding = (source, options) => m.startDecoding(source, { ...options, cache: 'growing' });
  return g;
}

const row = (ids: readonly number[]) => Tensor.from(Int32Array.from(ids), [1, ids.length]);

/** Greedy search by a full teacher-forced pass per step: no cache at all. */
function naiveGreedy(source: readonly number[], options: { maxLenA: number; maxLenB: number }): Hypothesis {
  const o = resolveOptions(options);
  const { bosId, eosId, vocabSize: V } = config;
  const limit = maxOutputLength(source.length, o, config);
  const h: Hypothesis = { tokens: [], tokenLogprobs: [], logprob: 0, score: 0 };
  for (;;) {
    const logprobs = tidy(() =>
      T.noGrad(() => {
        const logits = model.forward(row(source), row([bosId, ...h.tokens])); // (1, L, V)
        const last = T.slice(logits, 1, h.tokens.length, h.tokens.length + 1);
        return Float32Array.from(T.logSoftmax(T.contiguous(last), -1).floats());
      }),
    );
    constrainNext(logprobs, h.tokens, limit, o, eosId);
    const token = h.tokens.length >= limit ? eosId : argmax(logprobs, V);
    h.tokenLogprobs.push(logprobs[token]);
    h.logprob += logprobs[token];
    if (token === eosId) return h;
    h.tokens.push(token);
  }
}

function assertSame(got: Hypothesis, want: Hypothesis, what: string, tol = 1e-4): void {
  assert.deepEqual(got.tokens, want.tokens, `${what}: tokens`);
  assert.ok(Math.abs(got.logprob - want.logprob) <= tol, `${what}: logprob ${got.logprob} vs ${want.logprob}`);
  assert.ok(Math.abs(got.score - want.score) <= tol, `${what}: score ${got.score} vs ${want.score}`);
}

test('greedy on the fixed caches equals recomputing everything, over long outputs and rows that leave', () => {
  const options = { maxLenA: 2, maxLenB: 30 };
  const batched = greedy(model, sources, options);
  assert.ok(Math.max(...batched.map((h) => h.tokens.length)) >= 30, 'some output is long');
  assert.ok(new Set(batched.map((h) => h.tokens.length)).size > 1, 'rows leave the batch at different steps');
  sources.forEach((s, i) => {
    const want = naiveGreedy(s, options);
    assert.deepEqual(batched[i].tokens, want.tokens, `source ${i}: tokens`);
    assert.ok(Math.abs(batched[i].logprob - want.logprob) <= 1e-4, `source ${i}: logprob`);
  });
});

test('greedy and beam search on the fixed caches equal the growing caches they replaced', () => {
  const options = { maxLenA: 1, maxLenB: 25 };
  const g = growing(model);
  greedy(model, sources, options).forEach((h, i) => assertSame(h, greedy(g, sources, options)[i], `greedy ${i}`));
  for (const beamSize of [2, 4]) {
    const fixed = beamSearch(model, sources, { ...options, beamSize, nbest: beamSize });
    const before = beamSearch(g, sources, { ...options, beamSize, nbest: beamSize });
    fixed.forEach((list, i) => {
      assert.equal(list.length, before[i].length);
      list.forEach((h, r) => assertSame(h, before[i][r], `beam ${beamSize} source ${i} rank ${r}`));
    });
  }
});

test('fixed caches grow past their first capacity and keep every earlier position', () => {
  const source = Tensor.from(Int32Array.from([5, 6, 7, 8, 9, 3, 4, 10, 0, 0]), [2, 5]);
  const target = Array.from({ length: 2 * 40 }, (_, i) => 1 + ((i * 13) % 38));
  const tokens = Tensor.from(Int32Array.from(target), [2, 40]);
  tidy(() =>
    T.noGrad(() => {
      const full = model.forward(source, tokens); // (2, 40, V)
      const state = model.startDecoding(source, { positions: 3 });
      for (let t = 0; t < 40; t++) {
        const step = model.step(state, T.contiguous(T.slice(tokens, 1, t, t + 1))).toArray();
        const want = T.contiguous(T.slice(full, 1, t, t + 1)).toArray();
        step.forEach((x, i) => assert.ok(Math.abs(x - want[i]) <= 1e-4, `step ${t} logit ${i}: ${x} vs ${want[i]}`));
      }
      assert.ok(state.rows !== null && state.rows.capacity >= 40, 'the caches grew');
      model.endDecoding(state);
    }),
  );
});
