// `transformer translate`: order and empty lines kept, the library's hypotheses, n-best lists, files,
// over-long sources, text through the folder's tokenizer, and one-line usage errors.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { translateIds, translateLines } from '../../src/decode/index.js';
import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { trainCopyModel } from '../decode/copy-model.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'translate-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const copyDir = join(root, 'copy');
const copyModel = trainCopyModel();
await saveModel(copyDir, copyModel);

function run(input: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'translate', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, TRANSFORMER_THREADS: '2' },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const lines = ['5 6 7', '', '8 9 10 11 12 3', '4', '  ', '12 11 10 9 8 7 6', '3 3 5', '9 10'];
const idsOf = (line: string) => (line.trim() === '' ? [] : line.trim().split(/\s+/).map(Number));

test('ids in, ids out: one line per line, in order, empty lines kept, as the library decodes them', () => {
  for (const [beam, batch] of [
    ['4', '3'],
    ['1', '2'],
  ]) {
    const { code, out, err } = run(
      `${lines.join('\n')}\n`,
      '--model',
      copyDir,
      '--ids',
      '--beam',
      beam,
      '--batch-size',
      batch,
    );
    assert.equal(code, 0, err);
    assert.equal(err, '');
    const want = translateIds(copyModel, lines.map(idsOf), { beam: Number(beam) }).map((l) => l[0].tokens.join(' '));
    assert.deepEqual(out.split('\n'), [...want, '']);
    assert.equal(want[1], '');
    // The model copies, so outputs line up with their inputs: the order survived the length sorting.
    assert.ok(want.filter((w, i) => w === lines[i].trim()).length >= 6, want.join(' | '));
  }
});

test('--nbest N: N lines "LINE ||| TEXT ||| SCORE" per line, best first; one for an empty line', () => {
  const { code, out, err } = run(
    `${lines.slice(0, 3).join('\n')}\n`,
    '--model',
    copyDir,
    '--ids',
    '--beam',
    '4',
    '--nbest',
    '3',
  );
  assert.equal(code, 0, err);
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.split(' ||| '));
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['0', '0', '0', '1', '2', '2', '2'],
  );
  assert.deepEqual(rows[3], ['1', '', '0.0000']);
  const want = translateIds(copyModel, lines.slice(0, 3).map(idsOf), { beam: 4, nbest: 3 });
  for (const [i, r] of [0, 1, 2, 4, 5, 6].map((row, n) => [n, rows[row]] as const)) {
    const h = want[i < 3 ? 0 : 2][i % 3];
    assert.equal(r[1], h.tokens.join(' '));
    assert.equal(r[2], h.score.toFixed(4));
  }
});

test('--input and --output files; an over-long source is cut with a warning naming the line', () => {
  const long = Array.from({ length: 80 }, (_, i) => 3 + (i % 10)).join(' ');
  const input = join(root, 'in.txt');
  const output = join(root, 'out.txt');
  writeFileSync(input, `5 6 7\r\n${long}\n\n9 10`); // CRLF and no final newline
  const { code, err } = run('', '--model', copyDir, '--ids', '--input', input, '--output', output);
  assert.equal(code, 0, err);
  assert.match(err, /warning: line 2 has 81 tokens with EOS, more than the model's maxLength 64/);
  assert.equal(err.trim().split('\n').length, 1, 'one warning, and no progress bar off a terminal');
  const got = readFileSync(output, 'utf8').split('\n');
  assert.equal(got.length, 5);
  const cut = [...idsOf(long).slice(0, 63), 2];
  assert.equal(got[1], translateIds(copyModel, [cut], { beam: 4 })[0][0].tokens.join(' '));
  assert.deepEqual([got[2], got[4]], ['', '']);
});

test('text through the folder tokenizer gives what translateLines gives', async () => {
  const text = ['ein Haus am See', 'zwei Hunde laufen', 'der Mann liest ein Buch', 'Häuser und Hunde'];
  const tokenizer = learnBpe(text, { vocabSize: 300 });
  const tokenizerPath = join(root, 'tokenizer.json');
  await tokenizer.save(tokenizerPath);
  T.manualSeed(2);
  const model = createModel(makeConfig('tiny', { vocabSize: 300 })).eval() as EncoderDecoder;
  const dir = join(root, 'text');
  await saveModel(dir, model, { tokenizerPath });
  const input = ['ein Hund', '', 'der See ist groß', 'Bücher 📚'];
  const { code, out, err } = run(`${input.join('\n')}\n`, '--model', dir, '--beam', '2', '--max-len-b', '5');
  assert.equal(code, 0, err);
  assert.deepEqual(out.split('\n'), [...translateLines(model, tokenizer, input, { beam: 2, maxLenB: 5 }), '']);
});

test('usage errors are one line and exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['--ids'], /--model DIR is required/],
    [['--model', copyDir, '--ids', '--beam', '0'], /--beam must be an integer from 1/],
    [['--model', copyDir, '--ids', '--beam', '2', '--nbest', '3'], /--nbest must be an integer from 1 to 2/],
    [['--model', copyDir, '--ids', '--alpha=-1'], /--alpha must be a number >= 0/],
    [['--model', copyDir], /has no tokenizer.json; pass --ids/],
    [['--model', join(root, 'missing'), '--ids'], /missing/],
    [['--model', copyDir, '--ids', '--input', join(root, 'nothing.txt')], /cannot read --input/],
    [['--model', copyDir, '--ids', '--bogus'], /bogus/],
  ];
  for (const [args, message] of cases) {
    const { code, err } = run('5 6\n', ...args);
    assert.equal(code, 2, args.join(' '));
    assert.match(err, message);
    // The message is one line; a missing --model is followed by the usage.
    assert.ok(err.trim().split('\n').length === 1 || /required/.test(err), err);
  }
  const bad = run('5 6\n5 x\n', '--model', copyDir, '--ids');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /line 2: "x" is not a token id/);
});
