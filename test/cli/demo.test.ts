// `transformer demo` is honest: a run too short to learn the task says that it missed its target and exits 1,
// still leaving a model folder; its flags are checked, and a folder holding another task is not overwritten.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'demo', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRANSFORMER_THREADS: '2' },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('a demo that misses its target reports the test BLEU, says so and exits 1', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runDir = join(dir, 'run');
  const demo = run('--updates', '12', '--train-size', '300', '--run', runDir);
  assert.equal(demo.code, 1, demo.err);
  assert.match(demo.out, /training for 12 updates, or until the validation BLEU reaches 94/);
  assert.match(demo.out, /greedy BLEU on the held-out test set: \d+\.\d\d \(model of update \d+; nrefs:1\|case:mixed/);
  assert.match(demo.out, /hypothesis: /);
  assert.match(demo.out, /demo: FAILED: test BLEU \d+\.\d\d is not above the target 90 after 12 updates/);
  assert.doesNotMatch(demo.out, /demo: done/);
  assert.match(demo.err, /step 12\/12 \(100%\)/);
  for (const file of ['config.json', 'tokenizer.json', 'model.safetensors', 'data/test.src', 'demo.json']) {
    assert.ok(existsSync(join(runDir, file)), file);
  }
  const other = run('--updates', '12', '--train-size', '400', '--run', runDir);
  assert.equal(other.code, 2);
  assert.match(other.err, /--train-size 400: .* holds a demo run made with --train-size 300; give another --run/);
});

test('demo flags: --help, and one-line errors naming the flag', () => {
  const help = run('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /--updates N.*--target BLEU.*--max-minutes M/);
  for (const [flags, message] of [
    [['--updates', '0'], /--updates must be an integer from 1/],
    [['--target', '100'], /--target must be a BLEU score in \[0, 100\), got "100"/],
    [['--max-minutes=-1'], /--max-minutes must be a number in \(0, 10000\], got "-1"/],
    [['--minutes', '4'], /--minutes/],
  ] as const) {
    const bad = run(...flags);
    assert.equal(bad.code, 2, bad.err);
    assert.match(bad.err, message);
    assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
  }
});
