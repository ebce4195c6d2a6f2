// Incremental decoding with the key/value cache gives the logits of the full forward pass at every step.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import {
  createModel,
  makeConfig,
  observeAttention,
  DecoderOnly,
  EncoderDecoder,
  type ModelConfig,
} from '../../src/model/index.js';

const ids = (values: number[], shape: number[]) => Tensor.from(Int32Array.from(values), shape);

function assertLogitsClose(step: Tensor, full: Tensor, t: number, what: string): void {
  const [B, , V] = full.shape;
  const a = step.toArray();
  const b = T.contiguous(T.slice(full, 1, t, t + 1)).toArray();
  assert.equal(a.length, B * V);
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i] - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])),
      `${what}: step ${t}, logit ${i}: ${a[i]} vs ${b[i]}`,
    );
  }
}

const variants: Partial<ModelConfig>[] = [
  {},
  { normPosition: 'pre', activation: 'gelu', positionalEncoding: 'learned' },
  {
    positionalEncoding: 'sinusoidal-halves',
    shareEmbeddings: false,
    tieOutput: false,
    finalLogitsBias: true,
    sourceVocabSize: 11,
  },
];

for (const overrides of variants) {
  test(`encoder-decoder: cached steps equal the full pass (${JSON.stringify(overrides)})`, () => {
    T.manualSeed(5);
    const model = createModel(makeConfig('tiny', overrides)).eval() as EncoderDecoder;
    tidy(() => {
      T.noGrad(() => {
        const source = ids([5, 6, 7, 8, 9, 3, 4, 10, 0, 0], [2, 5]); // the second source is padded
        const target = ids([1, 4, 5, 6, 7, 8, 1, 9, 10, 11, 12, 2], [2, 6]);
        const full = model.forward(source, target); // (B, T, V)
        const state = model.startDecoding(source);
        for (let t = 0; t < 6; t++) {
          const step = model.step(state, T.contiguous(T.slice(target, 1, t, t + 1)));
          assertLogitsClose(step, full, t, 'encoder-decoder');
        }
        model.endDecoding(state);
      });
    });
  });
}

test('decoder-only: cached steps equal the full pass', () => {
  T.manualSeed(6);
  const model = createModel(makeConfig('tiny', { kind: 'decoder-only', normPosition: 'pre' })).eval() as DecoderOnly;
  T.noGrad(() => {
    const tokens = ids([1, 4, 5, 6, 7, 8, 1, 9, 10, 11, 12, 2], [2, 6]);
    const full = model.forward(tokens);
    const state = model.startDecoding();
    // A prompt of two tokens at once, then one at a time.
    const prompt = model.step(state, T.contiguous(T.slice(tokens, 1, 0, 2)));
    for (let t = 0; t < 2; t++)
      assertLogitsClose(T.contiguous(T.slice(prompt, 1, t, t + 1)), full, t, 'decoder-only prompt');
    for (let t = 2; t < 6; t++) {
      assertLogitsClose(model.step(state, T.contiguous(T.slice(tokens, 1, t, t + 1))), full, t, 'decoder-only');
    }
    model.endDecoding(state);
  });
});

test('observeAttention reports every layer and head, rows summing to 1', () => {
  T.manualSeed(7);
  const model = createModel(makeConfig('tiny')).eval() as EncoderDecoder;
  const seen = new Map<string, number[]>();
  const reported: number[] = [];
  const stop = observeAttention(model, (name, weights) => {
    seen.set(name, [...weights.shape]);
    if (name === 'decoder.layers.1.crossAttention') reported.push(...T.sum(weights, -1).toArray());
  });
  T.noGrad(() => tidy(() => model.forward(ids([5, 6, 7, 0], [1, 4]), ids([1, 4, 5], [1, 3]))));
  stop();
  assert.deepEqual([...seen.keys()].sort(), [
    'decoder.layers.0.crossAttention',
    'decoder.layers.0.selfAttention',
    'decoder.layers.1.crossAttention',
    'decoder.layers.1.selfAttention',
    'encoder.layers.0.selfAttention',
    'encoder.layers.1.selfAttention',
  ]);
  assert.deepEqual(seen.get('decoder.layers.0.crossAttention'), [1, 4, 3, 4]);
  assert.ok(reported.length === 3 * 4 && reported.every((s) => Math.abs(s - 1) < 1e-5));
});
