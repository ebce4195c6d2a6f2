// The fused decoding step (straight kernel calls on kept buffers) gives the very bits of the same step
// op by op on tensors: every norm position and activation, biases that are not zero, beams that
// reorder, rows that leave, caches that outgrow their first capacity; and it steps aside where it
// does not apply (gradients on, several positions at once, more rows than the packed products take).

import test from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, greedy } from '../../src/decode/index.js';
import { createModel, makeConfig, type EncoderDecoder, type ModelConfig } from '../../src/model/index.js';
import { quantizeModel } from '../../src/model/quantize.js';
import { canFuseStep } from '../../src/model/decoder-step.js';
import { SKINNY_ROWS } from '../../src/nn/skinny.js';
import * as T from '../../src/tensor/index.js';
import { Generator } from '../../src/tensor/random.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

/** A tiny model whose every parameter (biases, norms included) is random, so that no term vanishes. */
function randomModel(overrides: Partial<ModelConfig>, seed: number): EncoderDecoder {
  T.manualSeed(seed);
  const config = makeConfig('tiny', { vocabSize: 37, sourceVocabSize: 37, maxLength: 96, ...overrides });
  const model = createModel(config).eval() as EncoderDecoder;
  const g = new Generator(seed);
  for (const p of model.parameters()) {
    const values = p.floats();
    for (let i = 0; i < values.length; i++) values[i] += 0.3 * (g.uniform() - 0.5);
  }
  return model;
}

/** The same model, every step op by op. */
function opByOp(m: EncoderDecoder): EncoderDecoder {
  const o = Object.create(m) as EncoderDecoder;
  o.startDecoding = (source, options) => m.startDecoding(source, { ...options, fused: false });
  return o;
}

const variants: [string, Partial<ModelConfig>, boolean][] = [
  ['post-norm, relu', { normPosition: 'post', activation: 'relu' }, false],
  ['pre-norm, gelu, final logits bias', { normPosition: 'pre', activation: 'gelu', finalLogitsBias: true }, false],
  ['post-norm, swish, untied output', { normPosition: 'post', activation: 'swish', tieOutput: false }, false],
  ['int8 weights, final logits bias', { normPosition: 'post', activation: 'relu', finalLogitsBias: true }, true],
];

const sources = [3, 12, 7, 1, 9].map((n, s) => Array.from({ length: n }, (_, i) => 4 + ((s * 5 + i * 7) % 33)));

/** The model of a variant: random, and quantized to int8 when it asks. */
function variantModel(overrides: Partial<ModelConfig>, int8: boolean, seed: number): EncoderDecoder {
  const model = randomModel(overrides, seed);
  if (int8) assert.ok(quantizeModel(model, 'int8') > 0, 'weights were quantized');
  return model;
}

variants.forEach(([name, overrides, int8], v) => {
  test(`fused steps give the bits of op-by-op steps (${name}), rows reordered and growing caches`, () => {
    const model = variantModel(overrides, int8, 40 + v);
    const source = Tensor.from(Int32Array.from([5, 6, 7, 8, 9, 3, 4, 10, 0, 0, 11, 12, 0, 0, 0]), [3, 5]);
    tidy(() =>
      T.noGrad(() => {
        const fused = model.startDecoding(source, { positions: 2 });
        const plain = model.startDecoding(source, { positions: 2, fused: false });
        assert.ok(fused.scratch !== undefined && plain.scratch === undefined);
        let tokens = [1, 2, 3];
        for (let t = 0; t < 20; t++) {
          const ids = Tensor.from(Int32Array.from(tokens), [tokens.length, 1]);
          const a = model.step(fused, ids).toArray();
          const b = model.step(plain, ids).toArray();
          assert.deepEqual(a, b, `step ${t}: the logits differ`);
          // Beams take over each other's rows, then a row leaves the batch.
          const rows = t === 4 ? [2, 2, 0] : t === 9 ? [1, 0] : t === 14 ? [0] : null;
          if (rows !== null) {
            for (const s of [fused, plain]) s.rows!.reorder(Int32Array.from(rows));
            tokens = rows.map((r) => tokens[r]);
          }
          tokens = tokens.map((x, i) => 4 + ((x * 3 + i + t) % 33));
        }
        assert.ok(fused.rows!.capacity >= 20, 'the caches grew past their first capacity');
        model.endDecoding(fused);
        model.endDecoding(plain);
      }),
    );
  });

  test(`greedy and beam search are the same with and without the fused step (${name})`, () => {
    const model = variantModel(overrides, int8, 50 + v);
    const options = { maxLenA: 1, maxLenB: 12 };
    assert.deepEqual(greedy(model, sources, options), greedy(opByOp(model), sources, options));
    const beams = { ...options, beamSize: 3, nbest: 3 };
    assert.deepEqual(beamSearch(model, sources, beams), beamSearch(opByOp(model), sources, beams));
  });
});

test('the fused step applies to one float32 position in inference with few rows only', () => {
  const model = randomModel({}, 60);
  tidy(() => {
    const state = T.noGrad(() => model.startDecoding(Tensor.from(Int32Array.from([5, 6]), [1, 2])));
    const one = T.zeros([1, 1, model.config.dModel]);
    T.noGrad(() => assert.equal(canFuseStep(model.decoder, one, state.caches, state.rows!), true));
    assert.equal(canFuseStep(model.decoder, one, state.caches, state.rows!), false, 'gradients on');
    T.noGrad(() => {
      const two = T.zeros([1, 2, model.config.dModel]);
      assert.equal(canFuseStep(model.decoder, two, state.caches, state.rows!), false, 'two positions');
      state.rows!.n = SKINNY_ROWS + 1;
      assert.equal(canFuseStep(model.decoder, one, state.caches, state.rows!), false, 'too many rows');
      state.rows!.n = 1;
      model.decoder.layers[0].crossAttention.weightsObserver = () => {};
      assert.equal(canFuseStep(model.decoder, one, state.caches, state.rows!), false, 'weights observed');
      model.decoder.layers[0].crossAttention.weightsObserver = null;
      model.endDecoding(state);
    });
  });
});

test('the fused step takes int8 weights too', () => {
  const model = variantModel({}, true, 61);
  tidy(() => {
    const state = T.noGrad(() => model.startDecoding(Tensor.from(Int32Array.from([5, 6]), [1, 2])));
    const one = T.zeros([1, 1, model.config.dModel]);
    T.noGrad(() => assert.equal(canFuseStep(model.decoder, one, state.caches, state.rows!), true));
    assert.ok(
      model.decoder.layers.every((l) => l.ffn!.w1.int8Weight() === null),
      'no int8 product with gradients on',
    );
    T.noGrad(() => {
      assert.ok(
        model.decoder.layers.every((l) => l.ffn!.w1.int8Weight() !== null),
        'int8 products in inference',
      );
      model.endDecoding(state);
    });
  });
});
