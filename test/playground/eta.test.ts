// The playground's readouts: throughput over a sliding window, the step at which BLEU should reach
// its target, the time left and its format.

import test from 'node:test';
import assert from 'node:assert/strict';

import { etaSeconds, formatDuration, stepAtTarget, Throughput } from '../../web/playground/eta.js';

test('throughput counts the last window of seconds only', () => {
  const t = new Throughput(10);
  assert.equal(t.tokensPerSecond, 0);
  assert.ok(Number.isNaN(t.secondsPerUpdate));
  t.add(4, 4000, 8); // 1000 tokens/s
  t.add(4, 8000, 8); // 2000 tokens/s
  assert.equal(t.tokensPerSecond, 1500);
  assert.equal(t.secondsPerUpdate, 0.5);
  t.add(8, 8000, 8); // the first slice falls out of the 10-second window
  assert.equal(t.tokensPerSecond, 16000 / 12);
  assert.equal(t.secondsPerUpdate, 12 / 16);
});

test('the target step follows the line through the last two validations', () => {
  assert.equal(stepAtTarget([], 90), null);
  assert.equal(stepAtTarget([{ step: 100, bleu: 10 }], 90), null);
  assert.equal(
    stepAtTarget(
      [
        { step: 100, bleu: 10 },
        { step: 200, bleu: 30 },
      ],
      90,
    ),
    500,
  );
  assert.equal(
    stepAtTarget(
      [
        { step: 100, bleu: 30 },
        { step: 200, bleu: 20 },
      ],
      90,
    ),
    null,
    'falling',
  );
  assert.equal(
    stepAtTarget(
      [
        { step: 100, bleu: 80 },
        { step: 200, bleu: 95 },
      ],
      90,
    ),
    200,
    'reached',
  );
});

test('the time left runs to the earlier of the limit and the projected target', () => {
  assert.equal(etaSeconds(100, 1000, 0.5, null), 450);
  assert.equal(etaSeconds(100, 1000, 0.5, 300), 100);
  assert.equal(etaSeconds(100, 1000, 0.5, 5000), 450);
  assert.equal(etaSeconds(300, 1000, 0.5, 200), 0, 'a target already passed');
  assert.ok(Number.isNaN(etaSeconds(0, 1000, NaN, null)));
});

test('durations read as m:ss or h:mm:ss', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(75.4), '1:15');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(NaN), '–');
});
