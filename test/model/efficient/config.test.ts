// Attention kinds in the model config: one spec for every self-attention layer, per-layer overrides,
// errors that name the key, kinds that cannot be causal refused in decoders, and model folders that
// keep the kinds and their parameters.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadModel, saveModel } from '../../../src/io/model-folder.js';
import { ConfigError, createModel, makeConfig, type EncoderDecoder } from '../../../src/model/index.js';
import { MultiHeadAttention } from '../../../src/model/attention.js';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';

test('the default is the paper: full attention everywhere, and no mechanism modules', () => {
  const config = makeConfig('tiny');
  assert.deepEqual(config.attention, { kind: 'full' });
  assert.deepEqual(config.layerAttention, {});
  const model = createModel(config);
  for (const [, m] of model.namedModules()) if (m instanceof MultiHeadAttention) assert.equal(m.mechanism, null);
});

test('a model-wide kind with per-layer overrides, defaults filled in', () => {
  const config = makeConfig('tiny', {
    attention: { kind: 'adaptive-span', maxSpan: 32 },
    layerAttention: { 'encoder.1': { kind: 'persistent-memory', memorySlots: 2 }, 'decoder.0': { kind: 'full' } },
  });
  assert.deepEqual(config.attention, { kind: 'adaptive-span', maxSpan: 32, spanRamp: 32, spanPenalty: 2e-6 });
  const model = createModel(config) as EncoderDecoder;
  const kinds = Object.fromEntries(
    [...model.namedModules()]
      .filter(([, m]) => m instanceof MultiHeadAttention)
      .map(([name, m]) => [name, (m as MultiHeadAttention).mechanism?.spec.kind ?? 'full']),
  );
  assert.deepEqual(kinds, {
    'encoder.layers.0.selfAttention': 'adaptive-span',
    'encoder.layers.1.selfAttention': 'persistent-memory',
    'decoder.layers.0.selfAttention': 'full',
    'decoder.layers.0.crossAttention': 'full',
    'decoder.layers.1.selfAttention': 'adaptive-span',
    'decoder.layers.1.crossAttention': 'full',
  });
});

test('bad specs are errors that name the key and say what was expected', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ attention: { kind: 'sparse' } }, /"attention"\.kind must be one of full, local/],
    [{ attention: 'local' }, /"attention" must be an object like/],
    [{ attention: { kind: 'local', window: 0 } }, /"attention"\.window must be an integer >= 1, got 0/],
    [
      { attention: { kind: 'local', stride: 4 } },
      /"attention"\.stride is not a setting of "local" attention; it takes window/,
    ],
    [{ attention: { kind: 'full', window: 4 } }, /is not a setting of "full" attention; it takes none/],
    [
      { layerAttention: { 'encoder.7': { kind: 'full' } } },
      /"layerAttention" key "encoder.7" names no layer; expected encoder.0..1 or decoder.0..1/,
    ],
    [{ layerAttention: [] }, /"layerAttention" must be an object/],
    [
      { layerAttention: { 'decoder.0': { kind: 'linformer' } } },
      /"layerAttention.decoder.0": "linformer" attention cannot be causal/,
    ],
    [
      { attention: { kind: 'pooling' } },
      /"attention" kind "pooling" cannot be causal, and decoder.0 uses it; override the decoder layers/,
    ],
    [{ attention: { kind: 'persistent-memory', noFeedForward: 1 } }, /noFeedForward must be true or false, got 1/],
  ];
  for (const [overrides, message] of cases)
    assert.throws(
      () => makeConfig('tiny', overrides),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
      JSON.stringify(overrides),
    );
  // A non-causal kind is fine in the encoder when every decoder layer says otherwise.
  const config = makeConfig('tiny', {
    attention: { kind: 'pooling', poolSize: 2 },
    layerAttention: { 'decoder.0': { kind: 'full' }, 'decoder.1': { kind: 'local', window: 4 } },
  });
  assert.equal(config.attention.kind, 'pooling');
});

test('model folders keep the kinds and their parameters', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'efficient-'));
  try {
    T.manualSeed(4);
    const config = makeConfig('tiny', {
      attention: { kind: 'persistent-memory', memorySlots: 3 },
      layerAttention: { 'decoder.1': { kind: 'adaptive-span', maxSpan: 16, spanRamp: 4 } },
    });
    const model = createModel(config) as EncoderDecoder;
    model.eval();
    await saveModel(dir, model);
    const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(saved.model?.attention?.kind ?? saved.attention?.kind, 'persistent-memory');
    const loaded = (await loadModel(dir)) as EncoderDecoder;
    loaded.eval();
    const names = [...model.namedParameters().keys()];
    assert.ok(names.includes('encoder.layers.0.selfAttention.mechanism.keys'));
    assert.ok(names.includes('decoder.layers.1.selfAttention.mechanism.ratio'));
    assert.deepEqual([...loaded.namedParameters().keys()], names);
    const source = Tensor.from(Int32Array.from([3, 4, 5, 2]), [1, 4]);
    const target = Tensor.from(Int32Array.from([1, 6, 7]), [1, 3]);
    assert.deepEqual(loaded.forward(source, target).toArray(), model.forward(source, target).toArray());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
