// `train --task classify|tag|mlm`, `classify` and `fill-mask` as a user runs them: tiny runs end to end
// (masked-LM, then a classifier started from it with --init), and one-line errors naming file and line.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliAsync } from '../helpers/cli.js';
import { pipeline, type FillMaskOutput } from '../../src/index.js';

const TINY = [
  '--set',
  'model.dModel=16',
  '--set',
  'model.dFF=32',
  '--set',
  'model.h=2',
  '--set',
  'model.encoderLayers=1',
];

function folder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'encoder-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const sentiment =
  ['text\tlabel', 'a good film\tpos', 'a bad film\tneg', 'good good\tpos', 'bad bad\tneg'].join('\n') + '\n';

test('masked-LM, fill-mask, then a classifier from its encoder (--init), classify --json and plain', async (t) => {
  const dir = folder(t);
  const text = write(dir, 'text.txt', 'the cat sat on the mat\nthe dog sat on the log\n'.repeat(10));
  const mlm = join(dir, 'mlm');
  const steps = ['--set', 'train.steps=3', '--set', 'train.validEvery=0'];
  const pre = await runCliAsync([
    'train',
    '--task',
    'mlm',
    '--run',
    mlm,
    '--train',
    text,
    '--vocab-size',
    '300',
    ...TINY,
    ...steps,
  ]);
  assert.equal(pre.code, 0, pre.err);
  const filled = await runCliAsync(['fill-mask', '--model', mlm, '--top-k', '2'], { input: 'the <mask> sat\n' });
  assert.equal(filled.code, 0, filled.err);
  assert.match(filled.out, /^\S+ \(0\.\d{4}\) \S+ \(0\.\d{4}\)\n$/);
  // The pipeline's fill-mask answers as the command does, in transformers.js's shape.
  const unmasker = await pipeline('fill-mask', mlm);
  const fillers = (await unmasker('the <mask> sat', { top_k: 2 })) as FillMaskOutput[];
  assert.equal(fillers.map((f) => `${f.token_str} (${f.score.toFixed(4)})`).join(' ') + '\n', filled.out);
  assert.equal(fillers[0].sequence, `the ${fillers[0].token_str} sat`);
  await assert.rejects(unmasker('the cat'), /fill-mask: the input has no <mask> token/);
  const noMask = await runCliAsync(['fill-mask', '--model', mlm], { input: 'the cat\n' });
  assert.deepEqual([noMask.code, noMask.err], [1, 'transformer fill-mask: stdin:1: no <mask> token in the line\n']);

  const train = write(dir, 'train.tsv', sentiment);
  const run = join(dir, 'cls');
  const fine = await runCliAsync([
    'train',
    '--task',
    'classify',
    '--run',
    run,
    '--train',
    train,
    '--valid',
    train,
    '--init',
    mlm,
    ...steps,
  ]);
  assert.equal(fine.code, 0, fine.err);
  assert.match(fine.err, /validation at step 3: loss [\d.]+ accuracy [\d.]+% macroF1/);
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(
    [config.head, config.id2label, config.label2id],
    ['sequence-classification', { 0: 'neg', 1: 'pos' }, { neg: 0, pos: 1 }],
  );
  assert.equal(config.dModel, 16, 'the --init folder gives the sizes');
  assert.equal(readFileSync(join(run, 'tokenizer.json'), 'utf8'), readFileSync(join(mlm, 'tokenizer.json'), 'utf8'));

  const plain = await runCliAsync(['classify', '--model', run], { input: 'a good film\nbad\n' });
  assert.equal(plain.code, 0, plain.err);
  assert.match(plain.out, /^(pos|neg)\n(pos|neg)\n$/);
  const json = await runCliAsync(['classify', '--model', run, '--json', '--input', train]);
  const rows = json.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, 4, 'the header line is not classified');
  for (const r of rows) assert.ok(Math.abs(r.probabilities.neg + r.probabilities.pos - 1) < 1e-5);
  const wrongHead = await runCliAsync(['classify', '--model', mlm], { input: 'x\n' });
  assert.equal(wrongHead.code, 1);
  assert.match(
    wrongHead.err,
    /^transformer classify: classify needs an encoder-only model with a sequence-classification head; .* holds a masked-lm head\n$/,
  );
});

test('bad input is one line naming the file and line', async (t) => {
  const dir = folder(t);
  const good = write(dir, 'good.tsv', sentiment);
  const cases: [string[], number, RegExp][] = [
    [
      ['--train', write(dir, 'bad.tsv', 'text\tlabel\nok\tpos\nno label here\n')],
      1,
      /bad\.tsv:3: expected text<TAB>label, got "no label here"/,
    ],
    [
      ['--train', good, '--valid', write(dir, 'v.tsv', 'fine\tpos\nmeh\tneutral\n')],
      1,
      /v\.tsv:2: unknown label "neutral"; the training labels are neg, pos/,
    ],
    [
      ['--task', 'tag', '--train', write(dir, 'bad.conll', 'EU B-ORG\nlonely\n')],
      1,
      /bad\.conll:2: expected a token and its label in columns/,
    ],
    [['--task', 'mlm', '--train', good, '--tokenizer', 'missing.json'], 2, /--tokenizer: missing\.json does not exist/],
    [['--task', 'sort', '--train', good], 2, /--task must be translation, classify, tag, mlm; got "sort"/],
  ];
  for (const [args, code, says] of cases) {
    const withTask = args.includes('--task') ? args : ['--task', 'classify', ...args];
    const r = await runCliAsync(['train', '--run', join(dir, `run-${code}-${args.length}`), ...withTask, ...TINY]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, says);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
});

test('data make-listops writes three TSV files with LRA header; bounds no tree meets are one line', async (t) => {
  const dir = folder(t);
  const args = ['data', 'make-listops', '--dir', dir, '--train', '20', '--valid', '3', '--test', '4'];
  const made = await runCliAsync([...args, '--min-length', '10', '--max-length', '40', '--seed', '2']);
  assert.equal(made.code, 0, made.err);
  for (const [name, n] of [
    ['train', 20],
    ['valid', 3],
    ['test', 4],
  ] as const) {
    const lines = readFileSync(join(dir, `${name}.tsv`), 'utf8')
      .trimEnd()
      .split('\n');
    assert.equal(lines[0], 'Source\tTarget');
    assert.equal(lines.length, n + 1);
  }
  const bad = await runCliAsync([...args, '--max-depth', '2', '--min-length', '50']);
  assert.deepEqual(
    [bad.code, bad.err],
    [2, 'transformer data: make-listops: minLength 50: trees of depth 2 with 10 arguments have at most 12 tokens\n'],
  );
});
