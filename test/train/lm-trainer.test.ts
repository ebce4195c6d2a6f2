// The character language model's pieces: the split, the random windows, the held-out loss, the vocabulary.

import test from 'node:test';
import assert from 'node:assert/strict';
import { CharacterVocabulary, RESERVED_IDS } from '../../src/data/characters.js';
import { createModel, makeConfig, type DecoderOnly } from '../../src/model/index.js';
import { Generator } from '../../src/tensor/random.js';
import { heldOutLoss, randomWindows, splitText } from '../../src/train/lm-trainer.js';

test('the vocabulary lists the characters by code point after the reserved ids, and round-trips', () => {
  const v = CharacterVocabulary.fromText('banana é!');
  assert.deepEqual(v.chars, [' ', '!', 'a', 'b', 'n', 'é']);
  assert.equal(v.size, RESERVED_IDS + 6);
  assert.deepEqual([...v.encode('ab')], [RESERVED_IDS + 2, RESERVED_IDS + 3]);
  assert.equal(v.decode(v.encode('banana é!')), 'banana é!');
  assert.throws(() => v.encode('x'), /character "x" is not in the vocabulary/);
});

test('the held-out part is the last 5%; windows predict the next character', () => {
  const ids = Int32Array.from({ length: 1000 }, (_, i) => i);
  const { train, valid } = splitText(ids);
  assert.equal(train.length, 950);
  assert.equal(valid[0], 950);
  const { input, target } = randomWindows(train, 3, 10, new Generator(1));
  assert.deepEqual(input.shape, [3, 10]);
  const [x, y] = [input.ints(), target.ints()];
  for (let i = 0; i < x.length; i++) assert.equal(y[i], x[i] + 1);
  for (let b = 0; b < 3; b++) assert.ok(x[b * 10 + 9] + 1 < 950, 'inside the training part');
  assert.throws(() => randomWindows(train.subarray(0, 5), 1, 10, new Generator(1)), /fewer than a window of 11/);
});

test('an untrained model scores about log2(V) bits per held-out character, over whole windows', () => {
  const config = makeConfig(null, {
    kind: 'decoder-only',
    vocabSize: 16,
    decoderLayers: 1,
    encoderLayers: 0,
    dModel: 16,
    dFF: 32,
    h: 2,
    maxLength: 8,
    tieOutput: false,
  });
  const model = createModel(config) as DecoderOnly;
  const ids = Int32Array.from({ length: 100 }, (_, i) => 3 + (i % 13));
  const v = heldOutLoss(model, ids, 8, 4, 50);
  assert.equal(v.chars, 48, 'six windows of 8 within the first 51 ids');
  assert.ok(v.bitsPerChar > 2 && v.bitsPerChar < 8, `${v.bitsPerChar}`);
  assert.ok(Math.abs(v.bitsPerChar - v.loss / Math.LN2) < 1e-12);
});
