// Attention weights of a translation: every layer and head, the right shapes, rows that sum to one,
// and the decoder's self-attention looks only backwards.

import test from 'node:test';
import assert from 'node:assert/strict';
import { attentionWeights, greedy } from '../../src/decode/index.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';

test('attention weights: encoder self, decoder self and cross, per layer and head', () => {
  T.manualSeed(4);
  const model = createModel(makeConfig('tiny')).eval() as EncoderDecoder;
  const source = [5, 6, 7, 8, 2];
  const { tokens } = greedy(model, [source], { maxLenA: 0, maxLenB: 4 })[0];
  const maps = attentionWeights(model, source, tokens);
  const Tq = tokens.length + 1;
  const want = new Map([
    ['encoder.layers.0.selfAttention', [4, 5, 5]],
    ['encoder.layers.1.selfAttention', [4, 5, 5]],
    ['decoder.layers.0.selfAttention', [4, Tq, Tq]],
    ['decoder.layers.0.crossAttention', [4, Tq, 5]],
    ['decoder.layers.1.selfAttention', [4, Tq, Tq]],
    ['decoder.layers.1.crossAttention', [4, Tq, 5]],
  ]);
  assert.deepEqual(new Map(maps.map((m) => [m.name, m.shape])), want);
  for (const { name, shape, weights } of maps) {
    const [h, rows, cols] = shape;
    for (let r = 0; r < h * rows; r++) {
      const rowWeights = weights.subarray(r * cols, (r + 1) * cols);
      assert.ok(Math.abs(rowWeights.reduce((x, y) => x + y, 0) - 1) < 1e-5, `${name} row ${r}`);
      if (name.startsWith('decoder') && name.endsWith('selfAttention')) {
        const query = r % rows;
        assert.ok(
          rowWeights.subarray(query + 1).every((w) => w === 0),
          `${name}: query ${query} sees the future`,
        );
      }
    }
  }
});
