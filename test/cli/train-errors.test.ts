// `transformer train` and `lm` on ordinary mistakes: each ends in one line that names the file, line, field or
// flag and what was expected, exit 2 for a wrong command line and 1 for bad files; nothing is left behind
// that would make the next run resume the mistake. The command runs in this process (as main runs it).

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { makeTask, writeTask } from '../../src/data/task/builtin-task.js';

const dir = mkdtempSync(join(tmpdir(), 'train-errors-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const at = (...parts: string[]) => join(dir, ...parts);

/** Runs `transformer ...args` in this process; returns the exit code and what it printed on stderr. */
async function transformer(...args: string[]): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const saved = { error: console.error, log: console.log };
  console.error = (...parts: unknown[]) => void lines.push(parts.join(' '));
  console.log = () => undefined;
  try {
    return { code: await main(args), err: lines.join('\n') };
  } finally {
    Object.assign(console, saved);
  }
}

const tiny = ['model.encoderLayers=1', 'model.decoderLayers=1', 'model.dModel=16', 'model.dFF=32', 'model.h=2'];
const sets = (...items: string[]) => items.flatMap((s) => ['--set', s]);
let runs = 0;
interface RunOptions {
  run?: string;
  source?: string;
  target?: string;
  vocabSize?: string;
}
/** A new run's flags on the generated task; a fresh run folder unless one is given. */
const newRun = (o: RunOptions = {}) => [
  ...['train', '--run', o.run ?? at(`run-${runs++}`), '--vocab-size', o.vocabSize ?? '400'],
  ...['--source', o.source ?? at('data', 'train.src'), '--target', o.target ?? at('data', 'train.tgt')],
  ...sets(...tiny, 'train.steps=1'),
];

test.before(async () => {
  await writeTask(at('data'), makeTask({ seed: 2, train: 60, valid: 4, test: 2 }));
  writeFileSync(at('short.tgt'), 'a\nb\n');
  writeFileSync(at('bad.src'), Buffer.concat([Buffer.from('fine\nabc'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
  writeFileSync(at('bad.tgt'), 'x\ny\n');
  writeFileSync(at('empty.src'), '');
  writeFileSync(at('empty.tgt'), '');
  writeFileSync(at('a-file'), 'not a folder');
  const made = await transformer(...newRun({ run: at('done') }));
  assert.equal(made.code, 0, made.err);
});

type Case = [name: string, args: () => string[], code: number, message: RegExp];

const cases: Case[] = [
  [
    'mismatched line counts',
    () => newRun({ target: at('short.tgt') }),
    1,
    /line counts differ: .*train\.src has 60 lines, .*short\.tgt has 2/,
  ],
  [
    'invalid UTF-8',
    () => newRun({ source: at('bad.src'), target: at('bad.tgt') }),
    1,
    /bad\.src:2: invalid UTF-8 byte 0xc3 at byte column 4/,
  ],
  [
    'a vocabulary too small for the alphabet',
    () => newRun({ vocabSize: '300' }),
    2,
    /--vocab-size 300 is too small for .*: the minimum is \d+ \(4 special, 256 bytes, \d+ characters\)/,
  ],
  [
    'an unknown model key',
    () => [...newRun(), ...sets('model.foo=1')],
    2,
    /unknown key "model\.foo"; the model keys are .*dModel.*vocabSize/,
  ],
  ['a misspelt model key', () => [...newRun(), ...sets('model.dmodel=8')], 2, /did you mean model\.dModel\?/],
  [
    'an empty corpus',
    () => newRun({ source: at('empty.src'), target: at('empty.tgt') }),
    1,
    /empty\.src and .*empty\.tgt are empty/,
  ],
  [
    'a run folder that cannot be made',
    () => newRun({ run: at('a-file', 'run') }),
    1,
    /--run .*a-file.run: cannot create or write the run folder: .*not a folder \(ENOTDIR\)/,
  ],
  [
    'a linformer decoder',
    () => [...newRun(), ...sets('model.attention={"kind":"linformer","projectedLength":8}')],
    2,
    /--set model\.\*: .*"linformer" cannot be causal, and decoder\.0 uses it/,
  ],
  [
    'an encoder-only model',
    () => [...newRun(), ...sets('model.kind=encoder-only')],
    2,
    /model\.kind="encoder-only": train makes translation models, whose kind is encoder-decoder/,
  ],
  [
    'accumulate 0',
    () => [...newRun(), ...sets('train.accumulate=0')],
    2,
    /train\.accumulate must be a whole number >= 1, got 0/,
  ],
  ['accumulate 1.5', () => [...newRun(), ...sets('train.accumulate=1.5')], 2, /whole number >= 1, got 1\.5/],
  [
    'smoothing 1',
    () => [...newRun(), ...sets('train.labelSmoothing=1')],
    2,
    /labelSmoothing must be a number in \[0, 1\), got 1/,
  ],
  ['beta1 1', () => [...newRun(), ...sets('train.beta1=1')], 2, /train\.beta1 must be a number in \[0, 1\), got 1/],
  ['beta2 -0.1', () => [...newRun(), ...sets('train.beta2=-0.1')], 2, /train\.beta2 must be a number in \[0, 1\)/],
  ['lr 0', () => [...newRun(), ...sets('train.schedule.lr=0')], 2, /schedule\.lr must be a number > 0, got 0/],
  ['warmup 2.5', () => [...newRun(), ...sets('train.schedule.warmup=2.5')], 2, /warmup must be a whole number >= 0/],
  ['steps 0', () => [...newRun(), ...sets('train.steps=0')], 2, /train\.steps must be a whole number >= 1, got 0/],
  ['eps 1e999', () => [...newRun(), ...sets('train.eps=1e999')], 2, /train\.eps must be a number > 0, got Infinity/],
  [
    'an unknown train key',
    () => [...newRun(), ...sets('train.stepz=3')],
    2,
    /unknown key "train\.stepz" \(did you mean train\.steps\?\)/,
  ],
  [
    'a target BLEU without validation',
    () => [...newRun(), ...sets('train.targetBleu=50')],
    2,
    /train\.targetBleu needs validation BLEU: --valid-source/,
  ],
  [
    'resuming with other data',
    () => ['train', '--run', at('done'), '--source', at('data', 'valid.src')],
    2,
    /--source .*valid\.src: the run being resumed was started with .*train\.src/,
  ],
  [
    'resuming with another model',
    () => ['train', '--run', at('done'), ...sets('model.dModel=32')],
    2,
    /--set model\.dModel=32: the run being resumed has model\.dModel 16 \(config\.json\)/,
  ],
  [
    'resuming with another seed',
    () => ['train', '--run', at('done'), ...sets('train.seed=9')],
    2,
    /--set train\.seed=9: the run being resumed was started with 1/,
  ],
  [
    'lm: invalid UTF-8',
    () => ['lm', '--text', at('bad.src'), '--run', at('lm'), '--steps', '1'],
    1,
    /bad\.src:2: invalid UTF-8 byte 0xc3 at byte column 4/,
  ],
  [
    'lm: an unknown model key',
    () => ['lm', '--text', at('data', 'train.src'), '--run', at('lm'), '--steps', '1', ...sets('model.foo=1')],
    2,
    /unknown key "model\.foo"/,
  ],
  [
    'lm: batch 0',
    () => ['lm', '--text', at('data', 'train.src'), '--run', at('lm'), '--steps', '1', ...sets('train.batch=0')],
    2,
    /train\.batch must be a whole number >= 1, got 0/,
  ],
];

for (const [name, args, code, message] of cases) {
  test(`one line for ${name}`, async () => {
    const result = await transformer(...args());
    assert.equal(result.code, code, result.err);
    const lines = result.err.trim().split('\n');
    const last = lines.at(-1)!;
    assert.match(last, message);
    assert.match(last, /^transformer (train|lm): /);
    assert.ok(!result.err.includes('    at '), `no stack: ${result.err}`);
  });
}

test('a failed new run leaves no train.json, so the next attempt starts afresh', async () => {
  const run = at('retry');
  const failed = await transformer(...newRun({ run, target: at('short.tgt') }));
  assert.equal(failed.code, 1);
  assert.deepEqual(readdirSync(run), []);
  const fixed = await transformer(...newRun({ run }));
  assert.equal(fixed.code, 0, fixed.err);
  assert.doesNotMatch(fixed.err, /resuming/);
});

test('resuming with the same --set model.* values and data flags is accepted; changed data is refused', async () => {
  const copy = at('copy');
  cpSync(at('data'), at('data-copy'), { recursive: true });
  const first = await transformer(
    ...newRun({ run: copy, source: at('data-copy', 'train.src'), target: at('data-copy', 'train.tgt') }),
  );
  assert.equal(first.code, 0, first.err);
  const again = await transformer(
    ...['train', '--run', copy, '--source', at('data-copy', 'train.src'), '--vocab-size', '400'],
    ...sets(...tiny, 'train.steps=2'),
  );
  assert.equal(again.code, 0, again.err);
  assert.match(again.err, /resuming/);
  assert.match(again.err, /resuming with changed settings: steps 1 -> 2/);
  writeFileSync(at('data-copy', 'train.tgt'), 'changed\n'.repeat(60));
  const changed = await transformer('train', '--run', copy, ...sets('train.steps=3'));
  assert.equal(changed.code, 1);
  assert.match(
    changed.err,
    /train\.tgt \(--target\) changed since the run started \(now \d+ bytes, SHA-256 [0-9a-f]{12}, was/,
  );
});

test('a damaged checkpoint is named in one line', async () => {
  const run = at('damaged');
  cpSync(at('done'), run, { recursive: true });
  writeFileSync(join(run, 'checkpoints', 'last', 'model.safetensors'), 'xx');
  const result = await transformer('train', '--run', run, ...sets('train.steps=2'));
  assert.equal(result.code, 1, result.err);
  assert.match(
    result.err.trim().split('\n').at(-1)!,
    /cannot resume from .*last: .*last.model\.safetensors: .*remove .*checkpoints.last/,
  );
  assert.ok(existsSync(join(run, 'checkpoints', 'last')), 'the damaged checkpoint is kept for the user to look at');
});
