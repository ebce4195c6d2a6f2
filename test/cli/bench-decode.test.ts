// `transformer bench decode`: its JSON line, and the decoding it times is greedy search without EOS.

import test from 'node:test';
import assert from 'node:assert/strict';

import { decodeFixedLength } from '../../src/decode/fixed-length.js';
import { greedy } from '../../src/decode/index.js';
import { trainCopyModel, randomSources } from '../decode/copy-model.js';
import { padSources } from '../../src/decode/search.js';
import { runCli } from '../helpers/cli.js';

test('bench decode --json ends with {"tokens_per_second", "batch_size", "ms", ...}', () => {
  const args = ['bench', 'decode', '--preset', 'tiny', '--vocab-size', '13', '--batch-size', '3', '--repeats', '2'];
  const result = runCli([...args, '--json']);
  assert.equal(result.code, 0, result.err);
  const summary = JSON.parse(result.out.trim().split('\n').at(-1)!);
  assert.equal(summary.batch_size, 3);
  assert.equal(summary.tokens, 24);
  assert.ok(summary.tokens_per_second > 0 && summary.ms > 0);
  assert.ok(Math.abs(summary.tokens_per_second - (3 * 24) / (summary.ms / 1000)) < 0.01 * summary.tokens_per_second);
  const bad = runCli(['bench', 'decode', '--batch-size', '0']);
  assert.equal(bad.code, 2);
});

test('the benchmarked loop is greedy search that does not stop at EOS', () => {
  const model = trainCopyModel(60);
  const sources = randomSources(6, 3, 3, 3); // equal lengths: no padding
  const fixed = decodeFixedLength(model, padSources(sources, model.config), 10);
  greedy(model, sources, { maxLenA: 0, maxLenB: 10 }).forEach((h, b) => {
    const row = [...fixed.subarray(b * 10, (b + 1) * 10)];
    const ended = h.tokens.length < 10;
    assert.deepEqual(row.slice(0, h.tokens.length), h.tokens, `sentence ${b}`);
    if (ended) assert.equal(row[h.tokens.length], model.config.eosId, `sentence ${b}`);
  });
});
