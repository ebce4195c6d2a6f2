// Ticks: steps of 1, 2 or 5 times a power of ten that cover the data, log decades, and short labels.

import test from 'node:test';
import assert from 'node:assert/strict';

import { logTicks, niceStep, niceTicks, tickLabels } from '../../src/viz/index.js';

const isNice = (step: number) => {
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9);
};

test('ticks are evenly spaced by a nice step and cover the range', () => {
  const ranges: [number, number][] = [
    [0, 1],
    [1.3, 8.97],
    [0.000987, 0.000698],
    [-3.2, 47],
    [1, 3764],
    [2.17, 2.19],
    [-1e9, 1e9],
    [19.41, 38.26],
  ];
  for (const [a, b] of ranges) {
    const [min, max] = [Math.min(a, b), Math.max(a, b)];
    const t = niceTicks(min, max, 5);
    assert.ok(isNice(t.step), `step ${t.step} for ${min}..${max}`);
    assert.ok(t.values[0] <= min && t.values.at(-1)! >= max, `${t.values} cover ${min}..${max}`);
    assert.ok(t.values.length >= 3 && t.values.length <= 12, `${t.values.length} ticks for ${min}..${max}`);
    t.values.slice(1).forEach((v, k) => assert.ok(Math.abs(v - t.values[k] - t.step) < t.step * 1e-9));
    assert.deepEqual([t.min, t.max], [t.values[0], t.values.at(-1)]);
  }
  assert.equal(niceTicks(0.1, 0.3, 2).values.join(' '), '0.1 0.2 0.3');
  assert.deepEqual(niceTicks(0, 0.3, 3).values, [0, 0.1, 0.2, 0.3], 'no float noise such as 0.30000000000000004');
  assert.equal(niceStep(3764, 5), 1000);
  assert.equal(niceStep(7e-4, 7), 1e-4);
});

test('a single value gets a range around it; bad bounds are RangeErrors', () => {
  const t = niceTicks(5, 5);
  assert.ok(t.min < 5 && t.max > 5);
  assert.ok(niceTicks(0, 0).values.includes(0));
  assert.throws(() => niceTicks(2, 1), RangeError);
  assert.throws(() => niceTicks(0, Infinity), RangeError);
  assert.throws(() => logTicks(0, 1), RangeError);
});

test('log ticks are the decades around the range, with 2 and 5 between when there are few', () => {
  assert.deepEqual(logTicks(0.003, 70).values, [0.001, 0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(logTicks(1.5, 80).values, [1, 2, 5, 10, 20, 50, 100]);
  const t = logTicks(2e-5, 9e-4);
  assert.ok(t.min <= 2e-5 && t.max >= 9e-4);
});

test('labels carry the digits the step needs; tiny or huge axes use exponents throughout', () => {
  assert.deepEqual(tickLabels(niceTicks(0, 1, 4)), ['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  assert.deepEqual(tickLabels(niceTicks(0, 20000, 10)), [
    '0',
    '2000',
    '4000',
    '6000',
    '8000',
    '10000',
    '12000',
    '14000',
    '16000',
    '18000',
    '20000',
  ]);
  assert.deepEqual(tickLabels(niceTicks(0, 7e-4, 7)), ['0', '1e-4', '2e-4', '3e-4', '4e-4', '5e-4', '6e-4', '7e-4']);
  assert.deepEqual(tickLabels(niceTicks(0, 3e6, 3)), ['0', '1e6', '2e6', '3e6']);
  assert.deepEqual(tickLabels(niceTicks(0, 1.5e-4, 3)), ['0', '5e-5', '1.0e-4', '1.5e-4']);
  assert.deepEqual(tickLabels(logTicks(1e-5, 1e-3)), ['1e-5', '2e-5', '5e-5', '1e-4', '2e-4', '5e-4', '1e-3']);
  assert.deepEqual(tickLabels(logTicks(0.5, 8)), ['0.1', '0.2', '0.5', '1', '2', '5', '10']);
  assert.deepEqual(tickLabels(logTicks(0.5, 50)), ['0.1', '1', '10', '100']);
});
