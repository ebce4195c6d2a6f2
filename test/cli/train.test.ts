// `transformer train` as users run it: a run folder that is a model folder, resuming, clear errors.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTask, writeTask } from '../../src/data/task/builtin-task.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('train writes a resumable run folder that is a model folder', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await writeTask(join(dir, 'data'), makeTask({ seed: 3, train: 200, valid: 20, test: 5 }));
  const data = (name: string) => join(dir, 'data', name);
  const runDir = join(dir, 'run');
  const common = ['--run', runDir, '--source', data('train.src'), '--target', data('train.tgt')];
  const settings = [
    'model.encoderLayers=1',
    'model.decoderLayers=1',
    'model.dModel=32',
    'model.dFF=64',
    'train.maxTokens=400',
  ];
  const first = run(
    'train',
    ...common,
    ...['--valid-source', data('valid.src'), '--valid-target', data('valid.tgt'), '--vocab-size', '400'],
    ...[...settings, 'train.steps=4', 'train.validEvery=2'].flatMap((s) => ['--set', s]),
  );
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /validation at step 4: loss [\d.]+ ppl [\d.]+/);
  for (const file of ['config.json', 'tokenizer.json', 'train.json', 'model.safetensors', 'metrics.jsonl']) {
    assert.ok(existsSync(join(runDir, file)), file);
  }
  const info = run('info', '--model', runDir, '--json');
  assert.equal(info.code, 0, info.err);
  assert.equal(JSON.parse(info.out.trim().split('\n').at(-1)!).config.dModel, 32);

  const resumed = run('train', '--run', runDir, '--set', 'train.steps=6');
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.err, /resuming/);
  assert.match(resumed.err, /at step 6/);
  const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; step?: number })
    .filter((e) => e.event === 'step')
    .map((e) => e.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
});

test('train names what is wrong with its flags', () => {
  const missing = run('train', '--source', 'x');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /--run DIR is required/);
  const dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
  try {
    const noFile = run(
      'train',
      '--run',
      join(dir, 'r'),
      '--source',
      join(dir, 'nope.src'),
      '--target',
      join(dir, 'nope.tgt'),
    );
    assert.equal(noFile.code, 2);
    assert.match(noFile.err, /--source: .*nope.src does not exist/);
    const badKey = run('train', '--run', join(dir, 'r'), '--set', 'train.stepz=3');
    assert.equal(badKey.code, 2);
    assert.match(badKey.err, /unknown key "train.stepz"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C stops after the current update with a checkpoint, and the run resumes from it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await writeTask(join(dir, 'data'), makeTask({ seed: 4, train: 200, valid: 10, test: 5 }));
  const runDir = join(dir, 'run');
  const args = [
    '--run',
    runDir,
    '--source',
    join(dir, 'data', 'train.src'),
    '--target',
    join(dir, 'data', 'train.tgt'),
  ];
  const settings = [
    'model.encoderLayers=1',
    'model.decoderLayers=1',
    'model.dModel=32',
    'model.dFF=64',
    'train.maxTokens=400',
  ];
  const child = spawn(process.execPath, [
    bin,
    'train',
    ...args,
    '--vocab-size',
    '400',
    ...settings.flatMap((s) => ['--set', s]),
  ]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const metrics = join(runDir, 'metrics.jsonl');
  while (!existsSync(metrics) || !readFileSync(metrics, 'utf8').includes('"event":"step"')) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /interrupted at step \d+/);
  const state = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'last', 'state.json'), 'utf8')) as { step: number };
  assert.ok(state.step >= 1);
  const resumed = run('train', '--run', runDir, '--set', `train.steps=${state.step + 1}`);
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.err, new RegExp(`at step ${state.step + 1}`));
});
