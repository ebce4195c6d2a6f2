// withoutRandomInit: a model built inside it holds zeros where its random weights would be, draws
// nothing from the default generator, and the initialisers draw again once it returns (also after a throw).

import test from 'node:test';
import assert from 'node:assert/strict';

import { createModel, makeConfig } from '../../src/model/index.js';
import { normal, withoutRandomInit, xavierUniform } from '../../src/nn/init.js';
import * as T from '../../src/tensor/index.js';

test('a model built without random init holds zeros and draws nothing', () => {
  T.manualSeed(3);
  const before = T.defaultGenerator().getState();
  const model = withoutRandomInit(() => createModel(makeConfig('tiny', { positionalEncoding: 'learned' })));
  assert.deepEqual(T.defaultGenerator().getState(), before);
  const drawn = createModel(makeConfig('tiny', { positionalEncoding: 'learned' }));
  for (const [name, p] of model.namedParameters()) {
    const values = p.dense();
    const isNorm =
      name.endsWith('.weight') && p.shape.length === 1 && drawn.namedParameters().get(name)!.dense()[0] === 1;
    if (isNorm) continue; // LayerNorm's gain starts at one either way
    assert.ok(
      values.every((v) => v === 0),
      `${name} is not all zeros`,
    );
  }
  const matrices = [...drawn.namedParameters()].filter(([, p]) => p.shape.length === 2);
  assert.ok(
    matrices.length > 0 && matrices.every(([, p]) => p.dense().some((v) => v !== 0)),
    'outside, weights are drawn',
  );
});

test('the initialisers draw again after withoutRandomInit, even when the builder throws', () => {
  assert.throws(
    () =>
      withoutRandomInit(() => {
        throw new Error('builder failed');
      }),
    /builder failed/,
  );
  const nested = withoutRandomInit(() => withoutRandomInit(() => xavierUniform([3, 4])).dense());
  assert.ok(nested.every((v) => v === 0));
  assert.ok(
    xavierUniform([3, 4])
      .dense()
      .some((v) => v !== 0),
  );
  assert.ok(
    normal([5], 1)
      .dense()
      .some((v) => v !== 0),
  );
});
