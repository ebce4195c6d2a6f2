// `transformer bench train`: the JSON summary that scripts outside the repository read (no timing asserts).

import test from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

const run = (...args: string[]) => runCli(['bench', 'train', ...args]);

test('--json prints one JSON object on the last line with the throughput and the setup', () => {
  const result = run(
    '--preset',
    'tiny',
    '--batch-size',
    '4',
    '--steps',
    '2',
    '--warmup',
    '1',
    '--threads',
    '1',
    '--json',
  );
  assert.equal(result.code, 0, result.err);
  const summary = JSON.parse(result.out.trim().split('\n').at(-1)!) as Record<string, unknown>;
  for (const key of ['target_tokens_per_second', 'step_ms', 'params', 'threads', 'loss']) {
    assert.equal(typeof summary[key], 'number', key);
    assert.ok(Number.isFinite(summary[key]) && (summary[key] as number) > 0, key);
  }
  assert.equal(summary.preset, 'tiny');
  assert.equal(summary.batch_size, 4);
  assert.equal(summary.src_len, 24);
  assert.equal(summary.tgt_len, 24);
  assert.equal(summary.steps, 2);
  assert.equal(summary.params, 11344);
});

test('bad flags are usage errors (exit 2) that name the flag', () => {
  for (const [flag, value] of [
    ['--preset', 'huge'],
    ['--batch-size', '0'],
    ['--steps', 'many'],
  ]) {
    const result = run(flag, value);
    assert.equal(result.code, 2);
    assert.match(result.err, new RegExp(flag));
  }
  assert.equal(run('--unknown').code, 2);
});

test('--precision bf16 trains with bf16 products and says so; bench gemm --precision bf16 too', () => {
  const result = run('--preset', 'tiny', '--batch-size', '4', '--steps', '1', '--warmup', '0', '--precision', 'bf16');
  assert.equal(result.code, 0, result.err);
  assert.match(result.out, /precision bf16/);
  const json = run(
    '--preset',
    'tiny',
    '--batch-size',
    '4',
    '--steps',
    '1',
    '--warmup',
    '0',
    '--precision',
    'bf16',
    '--json',
  );
  assert.equal((JSON.parse(json.out.trim().split('\n').at(-1)!) as { precision: string }).precision, 'bf16');
  const gemm = runCli(['bench', 'gemm', '--size', '64', '--threads', '1', '--precision', 'bf16', '--json']);
  assert.equal(gemm.code, 0, gemm.err);
  const summary = JSON.parse(gemm.out.trim().split('\n').at(-1)!) as { precision: string; gflops: number };
  assert.equal(summary.precision, 'bf16');
  assert.ok(summary.gflops > 0);
  const bad = run('--precision', 'fp16');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--precision must be one of float32, bf16/);
});
