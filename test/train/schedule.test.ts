// Learning-rate schedules and gradient clipping.

import test from 'node:test';
import assert from 'node:assert/strict';
import { learningRate, type Schedule } from '../../src/train/schedule.js';
import { clipGradNorm, gradNorm } from '../../src/train/clip.js';
import * as T from '../../src/tensor/index.js';

const base: Schedule = { kind: 'paper', warmup: 4000, lr: 1, dModel: 512, totalSteps: 10000, minLr: 0 };

test("the paper's schedule: linear warm-up, then inverse square root, peak at warmup", () => {
  const peak = 512 ** -0.5 * 4000 ** -0.5;
  assert.ok(Math.abs(learningRate(4000, base) - peak) < 1e-12);
  assert.ok(Math.abs(learningRate(1, base) - 512 ** -0.5 * 4000 ** -1.5) < 1e-15);
  assert.ok(Math.abs(learningRate(16000, base) - peak / 2) < 1e-12);
  assert.ok(learningRate(2000, base) < learningRate(4000, base));
});

test('inverse-sqrt, constant and cosine schedules', () => {
  const s = (kind: Schedule['kind']): Schedule => ({
    ...base,
    kind,
    lr: 1e-3,
    warmup: 100,
    totalSteps: 1100,
    minLr: 1e-5,
  });
  assert.ok(Math.abs(learningRate(50, s('inverse-sqrt')) - 5e-4) < 1e-15);
  assert.ok(Math.abs(learningRate(400, s('inverse-sqrt')) - 5e-4) < 1e-15);
  assert.equal(learningRate(5000, s('constant')), 1e-3);
  assert.ok(Math.abs(learningRate(100, s('cosine')) - 1e-3) < 1e-15);
  assert.ok(Math.abs(learningRate(600, s('cosine')) - (1e-5 + 0.5 * (1e-3 - 1e-5))) < 1e-12);
  assert.ok(Math.abs(learningRate(1100, s('cosine')) - 1e-5) < 1e-15);
});

test('clipping by global norm scales every gradient by the same factor', () => {
  const a = T.tensor([3, 0]).requireGrad();
  const b = T.tensor([0, 4]).requireGrad();
  T.sum(T.add(T.mul(a, T.tensor([3, 0])), T.mul(b, T.tensor([0, 4])))).backward();
  assert.equal(gradNorm([a, b]), 5);
  assert.equal(clipGradNorm([a, b], 1), 5);
  assert.ok(Math.abs(gradNorm([a, b]) - 1) < 1e-5);
  assert.ok(Math.abs(a.grad!.toArray()[0] - 0.6) < 1e-5);
  assert.equal(clipGradNorm([a, b], 10), gradNorm([a, b]), 'below the limit nothing changes');
});
