// Every attention kind inside real models: decoder-only models with each causal kind give the same
// logits decoding step by step with the KV cache as in one full pass; encoder-decoder models with each
// kind in the encoder ignore source padding, and every parameter gets a gradient.

import test from 'node:test';
import assert from 'node:assert/strict';

import { createModel, makeConfig, DecoderOnly, EncoderDecoder } from '../../../src/model/index.js';
import type { AttentionSpec } from '../../../src/model/efficient/spec.js';
import * as T from '../../../src/tensor/index.js';
import { Tensor, tidy } from '../../../src/tensor/tensor.js';

const ids = (values: number[], shape: number[]) => Tensor.from(Int32Array.from(values), shape);

const causalKinds: AttentionSpec[] = [
  { kind: 'local', window: 2 },
  { kind: 'dilated', window: 2, dilation: 2 },
  { kind: 'strided', stride: 2 },
  { kind: 'block-global', blockSize: 2, globalTokens: 1, randomBlocks: 1, seed: 3 },
  { kind: 'routing', clusters: 2 },
  { kind: 'linear' },
  { kind: 'adaptive-span', maxSpan: 4, spanRamp: 2 },
  { kind: 'persistent-memory', memorySlots: 2, noFeedForward: true },
];
const encoderOnlyKinds: AttentionSpec[] = [
  { kind: 'linformer', projectedLength: 4 },
  { kind: 'pooling', poolSize: 2 },
  { kind: 'inducing', inducingPoints: 3 },
];

function assertClose(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])), `${what}: ${i}: ${a[i]} vs ${b[i]}`);
}

for (const spec of causalKinds) {
  test(`decoder-only with ${spec.kind}: cached steps equal the full pass`, () => {
    T.manualSeed(11);
    const config = makeConfig('tiny', { kind: 'decoder-only', attention: spec });
    const model = createModel(config).eval() as DecoderOnly;
    T.noGrad(() =>
      tidy(() => {
        const tokens = ids([1, 4, 5, 6, 7, 8, 9, 10, 1, 9, 10, 11, 12, 2, 3, 4], [2, 8]);
        const full = model.forward(tokens);
        const row = (t: number) => T.contiguous(T.slice(full, 1, t, t + 1)).toArray();
        const state = model.startDecoding();
        const prompt = model.step(state, T.contiguous(T.slice(tokens, 1, 0, 3)));
        for (let t = 0; t < 3; t++)
          assertClose(T.contiguous(T.slice(prompt, 1, t, t + 1)).toArray(), row(t), spec.kind);
        for (let t = 3; t < 8; t++)
          assertClose(model.step(state, T.contiguous(T.slice(tokens, 1, t, t + 1))).toArray(), row(t), spec.kind);
        model.endDecoding(state);
      }),
    );
  });
}

// BigBird's random blocks are drawn over the padded length, so padding may move them: none here.
const encoderKinds = [...causalKinds, ...encoderOnlyKinds].map((spec) =>
  spec.kind === 'block-global' ? { ...spec, randomBlocks: 0 } : spec,
);

for (const spec of encoderKinds) {
  test(`encoder-decoder with ${spec.kind} in the encoder: padding changes nothing; every parameter learns`, () => {
    T.manualSeed(12);
    const config = makeConfig('tiny', {
      maxLength: 16,
      attention: spec,
      layerAttention: { 'decoder.0': { kind: 'full' }, 'decoder.1': { kind: 'full' } },
    });
    const model = createModel(config).eval() as EncoderDecoder;
    const target = ids([1, 4, 5, 6], [1, 4]);
    const short = T.noGrad(() => model.forward(ids([5, 6, 7, 8, 9, 2], [1, 6]), target).toArray());
    const padded = T.noGrad(() => model.forward(ids([5, 6, 7, 8, 9, 2, 0, 0, 0], [1, 9]), target).toArray());
    assertClose(padded, short, `${spec.kind} with padding`);

    model.train();
    const logits = model.forward(
      ids([5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 2], [2, 6]),
      ids([1, 4, 5, 6, 1, 7, 8, 9], [2, 4]),
    );
    T.crossEntropy(logits, ids([4, 5, 6, 2, 7, 8, 9, 2], [2, 4])).backward();
    for (const [name, p] of model.namedParameters()) {
      if (name.endsWith('mechanism.centroids')) continue; // k-means moves these, not gradients
      assert.ok(p.grad !== null, `${name} got no gradient`);
      assert.ok(
        p.grad.toArray().some((g) => g !== 0),
        `${name} got a zero gradient`,
      );
    }
  });
}
