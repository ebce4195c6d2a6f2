// The `transformer` command as users run it: exit codes, errors that name the flag, JSON output.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRANSFORMER_THREADS: '2' },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('help lists the commands; an unknown command is an error', () => {
  const help = run('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /demo/);
  assert.match(help.out, /bench/);
  const unknown = run('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"/);
});

test('bad flags name the flag and what was expected, without a stack trace', () => {
  const bad = run('demo', '--seed', 'ten');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--seed must be an integer/);
  assert.doesNotMatch(bad.err, /at .*\.js:\d+/);
  const unknown = run('demo', '--stpes', '3');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /--stpes/);
});

test('bench gemm --json ends with one JSON object of the documented shape', () => {
  const bench = run('bench', 'gemm', '--size', '64', '--threads', '1', '--json');
  assert.equal(bench.code, 0, bench.err);
  const last = bench.out.trim().split('\n').at(-1) ?? '';
  const result = JSON.parse(last) as { size: number; threads: number; gflops: number };
  assert.equal(result.size, 64);
  assert.equal(result.threads, 1);
  assert.ok(result.gflops > 0);
});
