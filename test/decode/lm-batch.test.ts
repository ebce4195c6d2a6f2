// A language model decoding prompts of different lengths in one batch (left-padded, with the padding
// mask in `step`) gives what it gives decoding each prompt alone: the same logits to 1e-5, and the same
// greedy, sampled and beam-searched continuations. Beam search's scores are checked against the
// log-probabilities of a full forward pass.

import test from 'node:test';
import assert from 'node:assert/strict';
import { languageModelBeamSearch, rowSeed, sample, type LanguageModelBeamOptions } from '../../src/decode/index.js';
import { leftPadded } from '../../src/decode/prompts.js';
import { reorderLanguageModel } from '../../src/decode/rows.js';
import { createModel, makeConfig, type DecoderOnly, type ModelConfig } from '../../src/model/index.js';
import type { AttentionSpec } from '../../src/model/efficient/spec.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

const lmOf = (overrides: Partial<ModelConfig> = {}) =>
  createModel(makeConfig('tiny', { kind: 'decoder-only', vocabSize: 19, ...overrides })).eval() as DecoderOnly;
T.manualSeed(5);
const lm = lmOf();
const prompts = [[1, 5, 6, 7, 8], [1, 7], [1, 8, 9, 10], [4], [1, 3, 3, 12, 13, 14, 2]];

/** Logits (L, V) of a whole sequence, alone, without a cache. */
function fullLogits(model: DecoderOnly, seq: readonly number[]): number[][] {
  return tidy(() => {
    const logits = model.forward(Tensor.from(Int32Array.from(seq), [1, seq.length])).toArray(); // (1, L, V)
    const V = model.config.vocabSize;
    return seq.map((_, t) => logits.slice(t * V, (t + 1) * V));
  });
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5, `${what} [${i}]: ${a[i]} vs ${b[i]}`);
}

for (const cache of ['fixed', 'growing'] as const) {
  for (const positionalEncoding of ['sinusoidal', 'learned'] as const) {
    test(`${cache} caches, ${positionalEncoding} positions: a padded batch's logits equal each prompt's alone`, () => {
      T.manualSeed(8);
      const model = lmOf({ positionalEncoding, normPosition: positionalEncoding === 'learned' ? 'pre' : 'post' });
      const V = model.config.vocabSize;
      // Each prompt goes on with three tokens of its own, one step each.
      const more = prompts.map((_, b) => [2 + b, 9, 11 + b]);
      const wholes = prompts.map((p, b) => fullLogits(model, [...p, ...more[b]]));
      T.noGrad(() => {
        const state = model.startDecoding({ cache });
        const { tokens, padding } = leftPadded(prompts, model.config.padId);
        assert.notEqual(padding, null);
        const L = tokens.shape[1];
        const first = tidy(() => model.step(state, tokens, padding).toArray()); // (B, L, V)
        prompts.forEach((p, b) =>
          p.forEach((_, t) => {
            const column = L - p.length + t;
            const got = first.slice((b * L + column) * V, (b * L + column + 1) * V);
            assertClose(got, wholes[b][t], `prompt ${b}, token ${t}`);
          }),
        );
        // Rows then leave the batch and change places, as a search does, and go on one token at a time.
        let rows = prompts.map((_, b) => b);
        for (let s = 0; s < 3; s++) {
          if (s === 1) {
            const keep = Int32Array.from([3, 0, 4, 1]);
            reorderLanguageModel(state, keep, rows.length);
            rows = [...keep].map((i) => rows[i]);
          }
          const step = Tensor.from(
            Int32Array.from(rows, (b) => more[b][s]),
            [rows.length, 1],
          );
          const got = tidy(() => model.step(state, step).toArray()); // (n, 1, V)
          rows.forEach((b, i) =>
            assertClose(got.slice(i * V, (i + 1) * V), wholes[b][prompts[b].length + s], `prompt ${b}, new ${s}`),
          );
        }
        model.endDecoding(state);
      });
    });
  }
}

// The efficient kinds decode over growing caches, the key padding given to their mechanism.
const kinds: AttentionSpec[] = [
  { kind: 'local', window: 2 },
  { kind: 'dilated', window: 2, dilation: 2 },
  { kind: 'strided', stride: 2 },
  { kind: 'block-global', blockSize: 2, globalTokens: 1, randomBlocks: 1, seed: 3 },
  { kind: 'routing', clusters: 2 },
  { kind: 'linear' },
  { kind: 'adaptive-span', maxSpan: 4, spanRamp: 2 },
  { kind: 'persistent-memory', memorySlots: 2, noFeedForward: true },
];

test("every causal attention kind: a padded batch's logits equal each prompt's alone", () => {
  for (const attention of kinds) {
    T.manualSeed(3);
    const model = lmOf({ attention });
    const V = model.config.vocabSize;
    T.noGrad(() => {
      const state = model.startDecoding();
      assert.equal(state.layout, 'growing', 'efficient kinds decode over growing caches');
      const { tokens, padding } = leftPadded(prompts, model.config.padId);
      const L = tokens.shape[1];
      const first = tidy(() => model.step(state, tokens, padding).toArray());
      const next = tidy(() =>
        model.step(state, Tensor.from(new Int32Array(prompts.length).fill(2), [prompts.length, 1])).toArray(),
      );
      prompts.forEach((p, b) => {
        const whole = fullLogits(model, [...p, 2]);
        const last = L - 1;
        assertClose(
          first.slice((b * L + last) * V, (b * L + last + 1) * V),
          whole[p.length - 1],
          `${attention.kind} ${b}`,
        );
        assertClose(next.slice(b * V, (b + 1) * V), whole[p.length], `${attention.kind} ${b}, next`);
      });
      model.endDecoding(state);
    });
  }
});

const alone = <R>(run: (p: number[], i: number) => R[]) => prompts.map((p, i) => run(p, i)[0]);

test('greedy: a batch of prompts of different lengths decodes as each prompt alone', () => {
  const options = { temperature: 0, maxNewTokens: 10, stopAtEos: false };
  const batched = sample(lm, prompts, options).map((s) => s.tokens);
  assert.deepEqual(
    batched,
    alone((p) => sample(lm, [p], options)).map((s) => s.tokens),
  );
  assert.ok(batched.every((t) => t.length === 10));
});

test('sampling: with each prompt seeded by rowSeeds, a batch draws what each prompt draws alone', () => {
  const options = { maxNewTokens: 10, topK: 8, topP: 0.95, temperature: 1.3, repetitionPenalty: 1.2 };
  const seeds = prompts.map((_, i) => rowSeed(77, i));
  const batched = sample(lm, prompts, { ...options, rowSeeds: seeds });
  const single = alone((p, i) => sample(lm, [p], { ...options, rowSeeds: [seeds[i]] }));
  assert.deepEqual(
    batched.map((s) => s.tokens),
    single.map((s) => s.tokens),
  );
  batched.forEach((s, i) => assertClose(s.tokenLogprobs, single[i].tokenLogprobs, `prompt ${i}`));
  // Without rowSeeds, prompt i's seed is rowSeed(seed, i): the same draws.
  assert.deepEqual(
    sample(lm, prompts, { ...options, seed: 77 }).map((s) => s.tokens),
    batched.map((s) => s.tokens),
  );
});

const beamOptions: LanguageModelBeamOptions = { beamSize: 4, nbest: 3, maxNewTokens: 8 };

test('beam search: a batch gives each prompt the n-best list it gets alone', () => {
  const batched = languageModelBeamSearch(lm, prompts, beamOptions);
  const single = alone((p) => [languageModelBeamSearch(lm, [p], beamOptions)[0]]);
  batched.forEach((list, i) => {
    assert.equal(list.length, 3, `prompt ${i}`);
    assert.deepEqual(
      list.map((h) => h.tokens),
      single[i].map((h) => h.tokens),
      `prompt ${i}`,
    );
    list.forEach((h, r) => assert.ok(Math.abs(h.score - single[i][r].score) <= 1e-5));
  });
});

test('beam search: scores are full-pass log-probabilities over the length penalty, best first', () => {
  const V = lm.config.vocabSize;
  const lists = languageModelBeamSearch(lm, prompts, { ...beamOptions, alpha: 1 });
  lists.forEach((list, b) => {
    for (let r = 1; r < list.length; r++) assert.ok(list[r - 1].score >= list[r].score);
    for (const h of list) {
      const ended = h.tokenLogprobs.length === h.tokens.length + 1; // by EOS
      if (!ended) assert.equal(h.tokens.length, 8, 'without EOS a hypothesis has maxNewTokens');
      const seq = [...prompts[b], ...h.tokens, ...(ended ? [lm.config.eosId] : [])];
      const logits = fullLogits(lm, seq);
      let total = 0;
      for (let t = prompts[b].length; t < seq.length; t++) {
        const row = logits[t - 1];
        const top = Math.max(...row);
        const lse = top + Math.log(row.reduce((s, x) => s + Math.exp(x - top), 0));
        total += row[seq[t]] - lse;
        assert.ok(Math.abs(h.tokenLogprobs[t - prompts[b].length] - (row[seq[t]] - lse)) <= 1e-4);
      }
      assert.ok(Math.abs(h.logprob - total) <= 1e-4, `prompt ${b}: ${h.logprob} vs ${total}`);
      const length = seq.length - prompts[b].length;
      assert.ok(Math.abs(h.score - h.logprob / ((5 + length) / 6)) <= 1e-5);
      assert.ok(V > Math.max(...h.tokens));
    }
  });
});

test('beam search of one beam is greedy search', () => {
  const greedy = sample(lm, prompts, { temperature: 0, maxNewTokens: 8 }).map((s) => s.tokens);
  const beam = languageModelBeamSearch(lm, prompts, { beamSize: 1, maxNewTokens: 8 });
  assert.deepEqual(
    beam.map((list) => list[0].tokens),
    greedy,
  );
});

test('beam search never repeats an n-gram of the prompt and output with noRepeatNgram', () => {
  const lists = languageModelBeamSearch(lm, prompts, { ...beamOptions, noRepeatNgram: 2, maxNewTokens: 12 });
  lists.forEach((list, b) =>
    list.forEach((h) => {
      const seq = [...prompts[b], ...h.tokens];
      const seen = new Set<string>();
      for (let t = 1; t < seq.length; t++) {
        const bigram = `${seq[t - 1]},${seq[t]}`;
        // The prompt itself may repeat (prompt 4 does); the output never adds a repeat.
        if (t >= prompts[b].length) assert.ok(!seen.has(bigram), `prompt ${b}: ${seq}`);
        seen.add(bigram);
      }
    }),
  );
});

test('beam search options are checked', () => {
  assert.throws(() => languageModelBeamSearch(lm, prompts, { beamSize: 0 }), /beamSize/);
  assert.throws(() => languageModelBeamSearch(lm, prompts, { beamSize: 2, nbest: 3 }), /nbest/);
  assert.throws(() => languageModelBeamSearch(lm, [[]]), /prompt 0/);
  assert.deepEqual(languageModelBeamSearch(lm, [[1, 2]], { maxNewTokens: 0 })[0][0].tokens, []);
});
