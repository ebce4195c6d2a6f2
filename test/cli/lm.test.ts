// `transformer lm`: a few updates on a small generated text lower the loss; the run folder holds a model
// folder, the vocabulary and metrics.jsonl with the documented fields; bad flags are one-line errors.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLongText } from '../../src/data/long-text.js';
import { loadModel } from '../../src/io/model-folder.js';
import { DecoderOnly } from '../../src/model/index.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

function lm(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'lm', '--threads', '1', ...args], { encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'lm-'));
const text = join(dir, 'text.txt');
writeFileSync(text, makeLongText({ chars: 30_000, seed: 5 }));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const tiny = ['model.dModel=32', 'model.dFF=64', 'model.h=2', 'model.decoderLayers=2'].flatMap((s) => ['--set', s]);

type Line = Record<string, unknown>;
const metricsOf = (run: string) =>
  readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

test('a few updates lower the loss and leave a model folder, the vocabulary and the metrics', async () => {
  const run = join(dir, 'full');
  const flags = ['--seq', '32', '--batch', '8', '--steps', '60', '--set', 'train.validEvery=30'];
  const result = lm(
    '--text',
    text,
    '--run',
    run,
    ...flags,
    ...tiny,
    '--set',
    'train.warmup=10',
    '--set',
    'train.lr=0.003',
  );
  assert.equal(result.code, 0, result.err);
  const lines = metricsOf(run);
  const steps = lines.filter((l) => l.event === 'step');
  const validations = lines.filter((l) => l.event === 'validation');
  assert.equal(steps.length, 60);
  for (const s of steps)
    for (const key of ['step', 'elapsedSeconds', 'loss', 'bitsPerChar', 'lr', 'tokensPerSecond'])
      assert.equal(typeof s[key], 'number', key);
  assert.deepEqual(
    validations.map((v) => v.step),
    [0, 30, 60],
  );
  for (const v of validations) assert.ok((v.validBitsPerChar as number) > 0 && typeof v.elapsedSeconds === 'number');
  const mean = (xs: Line[]) => xs.reduce((a, s) => a + (s.loss as number), 0) / xs.length;
  assert.ok(mean(steps.slice(-10)) < 0.7 * mean(steps.slice(0, 5)), 'the training loss falls');
  assert.ok((validations[2].validBitsPerChar as number) < (validations[0].validBitsPerChar as number));
  const last = steps.at(-1)!;
  assert.ok(Math.abs((last.bitsPerChar as number) - (last.loss as number) / Math.LN2) < 1e-9);
  assert.equal(lines.at(-1)!.event, 'end');

  const model = await loadModel(run);
  assert.ok(model instanceof DecoderOnly);
  assert.equal(model.config.maxLength, 32);
  const vocabulary = JSON.parse(readFileSync(join(run, 'vocabulary.json'), 'utf8')) as { chars: string[] };
  assert.equal(model.config.vocabSize, 3 + vocabulary.chars.length);
  assert.ok(vocabulary.chars.includes('(') && vocabulary.chars.includes('\n'));
});

test('--set model.attention picks the mechanism of every layer, saved in config.json', () => {
  const run = join(dir, 'local');
  const spec = '{"kind":"local","window":8}';
  const result = lm(
    '--text',
    text,
    '--run',
    run,
    '--seq',
    '32',
    '--steps',
    '3',
    ...tiny,
    '--set',
    `model.attention=${spec}`,
  );
  assert.equal(result.code, 0, result.err);
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { attention: unknown };
  assert.deepEqual(config.attention, JSON.parse(spec));
  assert.match(result.err, /attention \{"kind":"local","window":8\}/);
});

test('bad flags and settings are one-line errors that name them', () => {
  const used = join(dir, 'used');
  mkdirSync(used);
  writeFileSync(join(used, 'metrics.jsonl'), '');
  const run = ['--run', join(dir, 'never')];
  const cases: [string[], RegExp][] = [
    [[...run], /--text FILE is required/],
    [['--text', text], /--run DIR is required/],
    [['--text', join(dir, 'missing.txt'), ...run], /--text .*missing\.txt: cannot read it \(ENOENT\)/],
    [['--text', text, ...run, '--seq', '0'], /--seq must be an integer from 1/],
    [['--text', text, ...run, '--minutes', 'soon'], /--minutes must be a number/],
    [['--text', text, ...run, '--minutes', '0'], /give a limit/],
    [['--text', text, ...run, '--set', 'train.lr=fast'], /train\.lr must be a number/],
    [['--text', text, ...run, '--set', 'train.bogus=1'], /unknown key "train\.bogus"/],
    [['--text', text, ...run, '--set', 'model.bogus=1'], /unknown key "model\.bogus"; the model keys are .*dModel/],
    [['--text', text, ...run, '--set', 'model.attention={"kind":"nope"}'], /attention.*kind must be one of/],
    [['--text', text, ...run, '--set', 'model.kind=encoder-only'], /decoder-only/],
    [['--text', text, ...run, '--set', 'lr=1'], /--set expects model\.KEY=VALUE or train\.KEY=VALUE/],
    [['--text', text, '--run', used], /already holds a run/],
    [['--text', text, ...run, '--frobnicate'], /frobnicate/],
  ];
  for (const [args, message] of cases) {
    const result = lm(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.err}`);
    assert.match(result.err, message);
    assert.equal(result.err.trim().split('\n').length, 1, result.err);
  }
  assert.ok(!existsSync(join(dir, 'never')), 'nothing is written before the flags are checked');
});
