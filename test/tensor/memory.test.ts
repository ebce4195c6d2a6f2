// Steady-state training must not grow memory: 1,000 steps of a small attention model inside tidy
// scopes, heap and RSS sampled after a warm-up and at the end.

import test from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ReverseTask } from '../helpers/reverse-task.js';

// A full collection before each sample, so that the numbers compare live memory, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settle(): void {
  gc();
  gc();
}

test('a 1,000-step training loop keeps heap and RSS flat', () => {
  const task = new ReverseTask({ vocab: 16, length: 8, dModel: 32, h: 4, dFF: 64, batch: 16, seed: 3 });
  for (let i = 0; i < 100; i++) task.step();
  settle();
  const start = process.memoryUsage();
  let last = { loss: 0, accuracy: 0 };
  for (let i = 0; i < 1000; i++) last = task.step();
  settle();
  const end = process.memoryUsage();
  const heapGrowth = end.heapUsed - start.heapUsed;
  const rssGrowth = end.rss - start.rss;
  assert.ok(Number.isFinite(last.loss), 'training stayed finite');
  assert.ok(heapGrowth < 4 * 1024 * 1024, `heap grew by ${(heapGrowth / 1048576).toFixed(2)} MiB over 1,000 steps`);
  assert.ok(rssGrowth < 16 * 1024 * 1024, `RSS grew by ${(rssGrowth / 1048576).toFixed(2)} MiB over 1,000 steps`);
});
