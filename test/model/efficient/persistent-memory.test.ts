// Persistent memory: no slots is full attention, slots are attended under padding and causal masks
// and through a KV cache, gradients (slots included) match finite differences, and all-attention
// layers drop their feed-forward sub-layer.

import test from 'node:test';
import assert from 'node:assert/strict';

import { withBackend } from '../../../src/backend/registry.js';
import { createModel, makeConfig } from '../../../src/model/index.js';
import { PersistentMemoryAttention } from '../../../src/model/efficient/persistent-memory.js';
import { FullAttention } from '../../../src/model/efficient/full.js';
import type { AttendInputs } from '../../../src/model/efficient/mechanism.js';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { gradcheck, input } from '../../helpers/gradcheck.js';

const padding = Tensor.from(Int32Array.from([1, 1, 1, 0, 1, 1, 1, 1]), [2, 4]);

function inputs(q: Tensor, k: Tensor, v: Tensor, over: Partial<AttendInputs> = {}): AttendInputs {
  return { q, k, v, keyPadding: null, causal: false, dropout: 0, training: false, needWeights: false, ...over };
}

const close = (a: Tensor, b: Tensor, tolerance: number) => {
  const [x, y] = [a.toArray(), b.toArray()];
  assert.equal(x.length, y.length);
  x.forEach((value, i) => assert.ok(Math.abs(value - y[i]) <= tolerance, `${i}: ${value} vs ${y[i]}`));
};

test('no slots is full attention, with padding and causal masks', () => {
  const context = { dModel: 8, h: 2, maxLength: 16, causal: false };
  const memory = new PersistentMemoryAttention({ kind: 'persistent-memory', memorySlots: 0 }, context);
  assert.equal(memory.parameters().length, 0);
  const [q, k, v] = [T.randn([2, 2, 4, 4]), T.randn([2, 2, 4, 4]), T.randn([2, 2, 4, 4])];
  for (const over of [{}, { keyPadding: padding }, { causal: true }, { causal: true, keyPadding: padding }]) {
    const full = new FullAttention().attend(inputs(q, k, v, { ...over, needWeights: true }));
    const mine = memory.attend(inputs(q, k, v, { ...over, needWeights: true }));
    close(mine.output, full.output, 1e-6);
    close(mine.weights!, full.weights!, 1e-6);
  }
});

test('slots are seen by every query, causal or not, and take weight from the sequence', () => {
  T.manualSeed(5);
  const context = { dModel: 8, h: 2, maxLength: 16, causal: true };
  const memory = new PersistentMemoryAttention({ kind: 'persistent-memory', memorySlots: 3 }, context);
  assert.deepEqual(memory.keys!.shape, [2, 3, 4]);
  const [q, k, v] = [T.randn([1, 2, 4, 4]), T.randn([1, 2, 4, 4]), T.randn([1, 2, 4, 4])];
  const { weights } = memory.attend(inputs(q, k, v, { causal: true, needWeights: true }));
  const w = weights!.toArray(); // (1, 2, 4, 4) over the sequence only
  for (let row = 0; row < 8; row++) {
    const i = row % 4;
    const mass = w.slice(row * 4, row * 4 + 4).reduce((a, b) => a + b, 0);
    assert.ok(mass < 0.999 && mass > 0, `row ${row} keeps ${mass} for the sequence`);
    for (let j = i + 1; j < 4; j++) assert.equal(w[row * 4 + j], 0, 'causal');
  }
  // Decoding: the last query over a cache of all four keys equals the last row of the full call.
  const full = memory.attend(inputs(q, k, v, { causal: true })).output;
  const step = memory.attend(inputs(T.slice(q, 2, 3, 4), k, v, { causal: true })).output;
  close(step, T.slice(full, 2, 3, 4), 1e-6);
});

test('gradients of queries, keys, values and slots match finite differences', () => {
  withBackend('js', () => {
    const context = { dModel: 6, h: 2, maxLength: 8, causal: true, dtype: 'float64' as const };
    const memory = new PersistentMemoryAttention({ kind: 'persistent-memory', memorySlots: 2 }, context);
    const [keys, values] = [memory.keys!, memory.values!];
    const pad = Tensor.from(Int32Array.from([1, 1, 1, 1, 1, 0]), [2, 3]);
    gradcheck(
      'persistent memory',
      (q, k, v) => memory.attend(inputs(q, k, v, { keyPadding: pad, causal: true })).output,
      [input([2, 2, 3, 3], 1), input([2, 2, 3, 3], 2), input([2, 2, 3, 3], 3)],
    );
    // The slots' gradients: the same check with the slots as the inputs.
    gradcheck(
      'persistent memory slots',
      () =>
        memory.attend(
          inputs(
            input([2, 2, 3, 3], 4).requireGrad(false),
            input([2, 2, 3, 3], 5).requireGrad(false),
            input([2, 2, 3, 3], 6).requireGrad(false),
            { keyPadding: pad },
          ),
        ).output,
      [keys, values],
    );
  });
});

test('all-attention layers have slots and no feed-forward; full layers keep theirs', () => {
  const config = makeConfig('tiny', {
    kind: 'decoder-only',
    decoderLayers: 2,
    attention: { kind: 'persistent-memory', memorySlots: 4, noFeedForward: true },
    layerAttention: { 'decoder.1': { kind: 'full' } },
  });
  const model = createModel(config);
  const names = [...model.namedParameters().keys()];
  assert.ok(names.includes('decoder.layers.0.selfAttention.mechanism.keys'));
  assert.ok(!names.some((n) => n.startsWith('decoder.layers.0.ffn')), 'layer 0 has no feed-forward');
  assert.ok(
    names.some((n) => n.startsWith('decoder.layers.1.ffn')),
    'layer 1 keeps its feed-forward',
  );
  assert.ok(!names.some((n) => n.startsWith('decoder.layers.1.selfAttention.mechanism')));
});
