// Greedy and beam search for translation: agreement with each other, with uncached decoding, with
// forced decoding, with one-sentence-at-a-time decoding; the length penalty, n-best lists and limits.

import test from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, greedy, lengthPenalty, normalizedScore, type Hypothesis } from '../../src/decode/index.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { randomSources, trainCopyModel } from './copy-model.js';

const copyModel = trainCopyModel();
T.manualSeed(11);
const randomModel = createModel(makeConfig('tiny', { normPosition: 'pre' })).eval() as EncoderDecoder;
const models: [string, EncoderDecoder][] = [
  ['trained copy model', copyModel],
  ['random model', randomModel],
];
const sources = randomSources(12, 5, 1, 9);

const row = (ids: readonly number[]) => Tensor.from(Int32Array.from(ids), [1, ids.length]);

/** log p of each of tokens + EOS given the source, by one teacher-forced pass. */
function forcedLogprobs(model: EncoderDecoder, source: readonly number[], tokens: readonly number[]): number[] {
  const { bosId, eosId } = model.config;
  return tidy(() =>
    T.noGrad(() => {
      const logits = model.forward(row(source), row([bosId, ...tokens])); // (1, L, V)
      const V = logits.shape[2];
      const logp = T.logSoftmax(logits, -1).toArray();
      return [...tokens, eosId].map((id, t) => logp[t * V + id]);
    }),
  );
}

/** Greedy decoding without the cache: the whole prefix goes through model.forward at every step. */
function uncachedGreedy(model: EncoderDecoder, source: readonly number[], maxLength: number): number[] {
  const { bosId, eosId } = model.config;
  const tokens: number[] = [];
  while (tokens.length < maxLength) {
    const next = tidy(() =>
      T.noGrad(() => {
        const logits = model.forward(row(source), row([bosId, ...tokens])); // (1, L, V)
        const V = logits.shape[2];
        const last = T.slice(logits, 1, tokens.length, tokens.length + 1).toArray();
        return last.indexOf(Math.max(...last.slice(0, V)));
      }),
    );
    if (next === eosId) break;
    tokens.push(next);
  }
  return tokens;
}

const close = (a: number, b: number, what: string, tol = 1e-4) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

for (const [name, model] of models) {
  test(`${name}: cached greedy equals uncached greedy token for token`, () => {
    const got = greedy(model, sources, { maxLenA: 0, maxLenB: 12 });
    sources.forEach((s, i) => assert.deepEqual(got[i].tokens, uncachedGreedy(model, s, 12), `source ${i}`));
  });

  test(`${name}: beam search with k=1 equals greedy`, () => {
    const g = greedy(model, sources);
    const b = beamSearch(model, sources, { beamSize: 1 });
    sources.forEach((_, i) => {
      assert.equal(b[i].length, 1);
      assert.deepEqual(b[i][0].tokens, g[i].tokens, `source ${i}`);
      close(b[i][0].logprob, g[i].logprob, `source ${i} logprob`, 1e-9);
    });
  });

  test(`${name}: hypothesis scores agree with forced decoding`, () => {
    const check = (h: Hypothesis, source: number[], what: string) => {
      const forced = forcedLogprobs(model, source, h.tokens);
      assert.equal(h.tokenLogprobs.length, h.tokens.length + 1, what);
      forced.forEach((lp, t) => close(h.tokenLogprobs[t], lp, `${what} token ${t}`));
      close(
        h.logprob,
        forced.reduce((x, y) => x + y, 0),
        `${what} sum`,
      );
      close(h.score, h.logprob / lengthPenalty(h.tokens.length + 1, 0.6), `${what} score`, 1e-12);
    };
    beamSearch(model, sources, { beamSize: 4, nbest: 4 }).forEach((list, i) =>
      list.forEach((h, n) => check(h, sources[i], `beam source ${i} hypothesis ${n}`)),
    );
    greedy(model, sources).forEach((h, i) => check(h, sources[i], `greedy source ${i}`));
  });

  test(`${name}: n-best lists are distinct and ordered by score`, () => {
    for (const alpha of [0, 0.6, 2]) {
      beamSearch(model, sources, { beamSize: 5, nbest: 5, alpha }).forEach((list, i) => {
        assert.equal(list.length, 5, `source ${i}`);
        assert.equal(new Set(list.map((h) => h.tokens.join(' '))).size, 5, `source ${i}: duplicates`);
        for (let n = 1; n < list.length; n++) assert.ok(list[n - 1].score >= list[n].score, `source ${i} rank ${n}`);
        for (const h of list) close(h.score, normalizedScore(h.logprob, h.tokens.length + 1, alpha), 'score', 1e-12);
      });
    }
  });

  test(`${name}: a padded batch decodes as each sentence alone`, () => {
    const options = { beamSize: 3, nbest: 3 };
    const batched = beamSearch(model, sources, options);
    const greedyBatched = greedy(model, sources);
    sources.forEach((s, i) => {
      const alone = beamSearch(model, [s], options)[0];
      assert.deepEqual(
        batched[i].map((h) => h.tokens),
        alone.map((h) => h.tokens),
        `source ${i}`,
      );
      batched[i].forEach((h, n) => close(h.score, alone[n].score, `source ${i} hypothesis ${n}`));
      assert.deepEqual(greedyBatched[i].tokens, greedy(model, [s])[0].tokens, `greedy source ${i}`);
    });
  });
}

test('the trained model copies most sources, and beam search does at least as well as greedy here', () => {
  const many = randomSources(40, 17);
  const exact = (out: number[][]) => out.filter((tokens, i) => tokens.join() === many[i].slice(0, -1).join()).length;
  const g = exact(greedy(copyModel, many).map((h) => h.tokens));
  const b = exact(beamSearch(copyModel, many, { beamSize: 4 }).map((l) => l[0].tokens));
  assert.ok(g >= 25, `greedy copied ${g} of 40`);
  assert.ok(b >= g, `beam copied ${b}, greedy ${g}`);
});

test('length penalty: ((5 + |Y|) / 6)^alpha', () => {
  assert.equal(lengthPenalty(1, 0.6), 1);
  close(lengthPenalty(7, 0.6), 2 ** 0.6, 'lp(7)', 1e-15);
  close(lengthPenalty(10, 1), 2.5, 'lp(10)', 1e-15);
  assert.equal(lengthPenalty(30, 0), 1);
  close(normalizedScore(-5, 13, 0.5), -5 / Math.sqrt(3), 'score', 1e-15);
  // A longer hypothesis with a lower log-probability can win once lengths are normalized.
  assert.ok(normalizedScore(-6, 20, 1) > normalizedScore(-3, 1, 1));
});

test('length limits: at most floor(a |source| + b) tokens, EOS not before minLength', () => {
  for (const [name, model] of models) {
    for (const h of greedy(model, sources, { maxLenA: 0.5, maxLenB: 1 }).map((x, i) => [x, i] as const)) {
      assert.ok(h[0].tokens.length <= Math.floor(0.5 * sources[h[1]].length + 1), name);
    }
    for (const list of beamSearch(model, sources, { beamSize: 3, maxLenA: 0, maxLenB: 2, nbest: 3 })) {
      for (const h of list) assert.ok(h.tokens.length <= 2, name);
    }
    for (const h of greedy(model, sources, { minLength: 6, maxLenA: 0, maxLenB: 8 })) {
      assert.ok(h.tokens.length >= 6 && h.tokens.length <= 8, name);
    }
    // The decoder's positions bound the length whatever the options say.
    for (const h of greedy(model, sources.slice(0, 2), { maxLenB: 1000 })) assert.ok(h.tokens.length <= 63, name);
  }
});

test('no-repeat n-grams: no bigram occurs twice in any output', () => {
  for (const [name, model] of models) {
    const outputs = [
      ...greedy(model, sources, { noRepeatNgram: 2 }).map((h) => h.tokens),
      ...beamSearch(model, sources, { beamSize: 3, nbest: 3, noRepeatNgram: 2 }).flatMap((l) => l.map((h) => h.tokens)),
    ];
    for (const tokens of outputs) {
      const bigrams = tokens.slice(1).map((t, i) => `${tokens[i]} ${t}`);
      assert.equal(new Set(bigrams).size, bigrams.length, `${name}: ${tokens.join(' ')}`);
    }
  }
  // Without the rule the random model does repeat itself, so the check above means something.
  const plain = greedy(randomModel, sources).map((h) => h.tokens);
  assert.ok(plain.some((t) => new Set(t.slice(1).map((x, i) => `${t[i]} ${x}`)).size < t.length - 1));
});

test('decoding gives every pooled buffer back', () => {
  const run = () => {
    beamSearch(copyModel, sources, { beamSize: 4 });
    greedy(copyModel, sources);
    return T.bufferPool.bytes;
  };
  const first = run();
  assert.equal(run(), first, 'a second identical run found fewer buffers in the pool');
});
