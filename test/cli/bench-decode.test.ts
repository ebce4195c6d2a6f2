// `transformer bench decode`: its JSON line, and the decoding it times is greedy search without EOS.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { decodeFixedLength } from '../../src/decode/fixed-length.js';
import { greedy } from '../../src/decode/index.js';
import { trainCopyModel, randomSources } from '../decode/copy-model.js';
import { padSources } from '../../src/decode/search.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

test('bench decode --json ends with {"tokens_per_second", "batch_size", "ms", ...}', () => {
  const args = ['bench', 'decode', '--preset', 'tiny', '--vocab-size', '13', '--batch-size', '3', '--repeats', '2'];
  const result = spawnSync(process.execPath, [bin, ...args, '--json'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.batch_size, 3);
  assert.equal(summary.tokens, 24);
  assert.ok(summary.tokens_per_second > 0 && summary.ms > 0);
  assert.ok(Math.abs(summary.tokens_per_second - (3 * 24) / (summary.ms / 1000)) < 0.01 * summary.tokens_per_second);
  const bad = spawnSync(process.execPath, [bin, 'bench', 'decode', '--batch-size', '0'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
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
