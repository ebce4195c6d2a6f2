// Adaptive attention span: a span longer than the sequence is full attention; a short span confines
// the weights to the recent keys; gradients (the span included) match finite differences; the L1
// penalty reaches the training loss through attentionPenalty.

import test from 'node:test';
import assert from 'node:assert/strict';

import { withBackend } from '../../../src/backend/registry.js';
import { createModel, makeConfig } from '../../../src/model/index.js';
import { AdaptiveSpanAttention } from '../../../src/model/efficient/adaptive-span.js';
import { FullAttention } from '../../../src/model/efficient/full.js';
import { attentionPenalty } from '../../../src/model/efficient/penalty.js';
import type { AttendInputs } from '../../../src/model/efficient/mechanism.js';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { gradcheck, input } from '../../helpers/gradcheck.js';

function inputs(q: Tensor, k: Tensor, v: Tensor, over: Partial<AttendInputs> = {}): AttendInputs {
  return { q, k, v, keyPadding: null, causal: false, dropout: 0, training: false, needWeights: false, ...over };
}

const close = (a: Tensor, b: Tensor, tolerance: number) => {
  const [x, y] = [a.toArray(), b.toArray()];
  x.forEach((value, i) => assert.ok(Math.abs(value - y[i]) <= tolerance, `${i}: ${value} vs ${y[i]}`));
};

function spanOf(maxSpan: number, ramp: number, ratio: number, h = 2, dtype: 'float32' | 'float64' = 'float32') {
  const mechanism = new AdaptiveSpanAttention(
    { kind: 'adaptive-span', maxSpan, spanRamp: ramp, spanPenalty: 0.01 },
    { dModel: 4 * h, h, maxLength: 64, causal: false, dtype },
  );
  mechanism.ratio.dense().fill(ratio);
  return mechanism;
}

test('a span longer than the sequence is full attention (padding, causal, a decoding step)', () => {
  const span = spanOf(8, 2, 1);
  const padding = Tensor.from(Int32Array.from([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0]), [2, 6]);
  const [q, k, v] = [T.randn([2, 2, 6, 4]), T.randn([2, 2, 6, 4]), T.randn([2, 2, 6, 4])];
  for (const over of [{}, { keyPadding: padding }, { causal: true }, { causal: true, keyPadding: padding }]) {
    close(span.attend(inputs(q, k, v, over)).output, new FullAttention().attend(inputs(q, k, v, over)).output, 1e-5);
  }
  const step = span.attend(inputs(T.slice(q, 2, 5, 6), k, v, { causal: true })).output;
  close(step, T.slice(new FullAttention().attend(inputs(q, k, v, { causal: true })).output, 2, 5, 6), 1e-5);
});

test('a short span puts no weight beyond span + ramp', () => {
  const span = spanOf(10, 2, 0.2); // z = 2: keys at distance >= 4 get nothing
  const [q, k, v] = [T.randn([1, 2, 9, 4]), T.randn([1, 2, 9, 4]), T.randn([1, 2, 9, 4])];
  const w = span.attend(inputs(q, k, v, { causal: true, needWeights: true })).weights!.toArray();
  for (let row = 0; row < 18; row++) {
    const i = row % 9;
    const weights = w.slice(row * 9, row * 9 + 9);
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    for (let j = 0; j < 9; j++) if (i - j >= 4 || j > i) assert.equal(weights[j], 0, `row ${row} key ${j}`);
    assert.ok(weights[i] > 0);
  }
});

test('gradients of queries, keys, values and the spans match finite differences', () => {
  withBackend('js', () => {
    const span = spanOf(10, 4, 0.33, 2, 'float64'); // z = 3.3: no distance sits on a kink of the mask
    const pad = Tensor.from(Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]), [2, 5]);
    gradcheck('adaptive span', (q, k, v) => span.attend(inputs(q, k, v, { keyPadding: pad, causal: true })).output, [
      input([2, 2, 5, 3], 1),
      input([2, 2, 5, 3], 2),
      input([2, 2, 5, 3], 3),
    ]);
    const fixed = [input([2, 2, 5, 3], 4), input([2, 2, 5, 3], 5), input([2, 2, 5, 3], 6)].map((t) =>
      t.requireGrad(false),
    );
    gradcheck('adaptive span ratio', () => span.attend(inputs(fixed[0], fixed[1], fixed[2])).output, [span.ratio]);
  });
});

test('the L1 penalty is spanPenalty times the summed spans of every layer', () => {
  const config = makeConfig('tiny', {
    kind: 'decoder-only',
    decoderLayers: 2,
    attention: { kind: 'adaptive-span', maxSpan: 20, spanRamp: 4, spanPenalty: 0.5 },
  });
  const model = createModel(config);
  const penalty = attentionPenalty(model)!;
  // Two layers of 4 heads at half of maxSpan: 0.5 * 8 * 10.
  assert.ok(Math.abs(penalty.item() - 40) < 1e-4);
  penalty.backward();
  const [, ratio] = [...model.namedParameters()].find(([name]) => name.endsWith('mechanism.ratio'))!;
  assert.ok(Math.abs(ratio.grad!.toArray()[0] - 0.5 * 20) < 1e-4, 'd penalty / d ratio = spanPenalty * maxSpan');
  assert.equal(attentionPenalty(createModel(makeConfig('tiny', { kind: 'decoder-only' }))), null);
});
