// Config presets and validation, and the structure the options give the model.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createModel, makeConfig, validateConfig, ConfigError } from '../../src/model/index.js';

test('presets carry the paper numbers', () => {
  const base = makeConfig('base');
  assert.deepEqual([base.encoderLayers, base.dModel, base.dFF, base.h, base.pDrop], [6, 512, 2048, 8, 0.1]);
  const big = makeConfig('big');
  assert.deepEqual([big.dModel, big.dFF, big.h, big.pDrop], [1024, 4096, 16, 0.3]);
  const small = makeConfig('small');
  assert.deepEqual([small.encoderLayers, small.dModel, small.dFF, small.h], [3, 256, 1024, 4]);
  assert.equal(base.normPosition, 'post');
  assert.equal(base.activation, 'relu');
  assert.equal(base.positionalEncoding, 'sinusoidal');
});

test('base with a 37,000 shared vocabulary has about 63M parameters (the paper reports 65M)', () => {
  const model = createModel(makeConfig('base', { vocabSize: 37000 }));
  const count = model.parameterCount();
  assert.ok(count > 62e6 && count < 64e6, `${count}`);
});

test('unknown keys and inconsistent values are errors naming the key', () => {
  assert.throws(
    () => makeConfig('tiny', { dmodel: 16 }),
    (e: Error) => e instanceof ConfigError && /unknown config key "dmodel"/.test(e.message),
  );
  assert.throws(() => makeConfig('tiny', { dModel: 18, h: 4 }), /dModel 18 is not divisible by h 4/);
  assert.throws(() => makeConfig('tiny', { activation: 'tanh' }), /"activation" must be one of relu, gelu, swish/);
  assert.throws(() => makeConfig('tiny', { pDrop: 1.5 }), /"pDrop" must be in \[0, 1\)/);
  assert.throws(() => makeConfig('tiny', { dFF: 0 }), /"dFF" must be a positive integer/);
  assert.throws(
    () => makeConfig('tiny', { shareEmbeddings: true, sourceVocabSize: 20 }),
    /shareEmbeddings needs sourceVocabSize/,
  );
  assert.throws(() => makeConfig('tiny', { scaleEmbedding: 'yes' }), /"scaleEmbedding" must be a boolean/);
  assert.throws(() => makeConfig('huge' as never), /unknown preset "huge"/);
  assert.throws(
    () => validateConfig({ h: 3 }, 'run/config.json'),
    /run\/config.json: dModel 512 is not divisible by h 3/,
  );
});

test('tying: three-way sharing has one embedding matrix; untied models have three', () => {
  const names = (overrides: Record<string, unknown>) => [
    ...createModel(makeConfig('tiny', overrides)).namedParameters().keys(),
  ];
  const tied = names({});
  assert.ok(tied.includes('sourceEmbedding.weight'));
  assert.ok(!tied.some((n) => n.startsWith('targetEmbedding') || n.startsWith('output.projection')));
  const untied = names({ shareEmbeddings: false, tieOutput: false, sourceVocabSize: 11 });
  for (const n of ['sourceEmbedding.weight', 'targetEmbedding.weight', 'output.projection.weight'])
    assert.ok(untied.includes(n), n);
});

test('pre-norm adds final layer norms; learned positions add parameters', () => {
  const names = [
    ...createModel(makeConfig('tiny', { normPosition: 'pre', positionalEncoding: 'learned' }))
      .namedParameters()
      .keys(),
  ];
  for (const n of ['encoder.finalNorm.weight', 'decoder.finalNorm.weight', 'encoder.positional.weight'])
    assert.ok(names.includes(n), n);
  const post = [...createModel(makeConfig('tiny')).namedParameters().keys()];
  assert.ok(!post.some((n) => n.includes('finalNorm') || n.includes('positional')));
});

test('pooling: "first" or "mean", and a complete config file written before the key reads as "first"', () => {
  assert.throws(() => makeConfig('tiny', { pooling: 'max' }), /"pooling" must be one of first, mean, got "max"/);
  assert.equal(makeConfig('tiny', { pooling: 'mean' }).pooling, 'mean');
  const written = { ...makeConfig('tiny', { kind: 'encoder-only', head: 'sequence-classification' }) } as Record<
    string,
    unknown
  >;
  delete written.pooling;
  assert.equal(validateConfig(written, 'old/config.json', { complete: true }).pooling, 'first');
});
