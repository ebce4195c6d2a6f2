// `transformer translate`: order and empty lines kept, the library's hypotheses, n-best lists, files,
// over-long sources, text through the folder's tokenizer, one-line errors, an --output that is written
// whole or not at all, and sampling.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { translateIds, translateLines } from '../../src/decode/index.js';
import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { trainCopyModel } from '../decode/copy-model.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'translate-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const copyDir = join(root, 'copy');
const copyModel = trainCopyModel();
await saveModel(copyDir, copyModel);

const run = (input: string, ...args: string[]) =>
  runCli(['translate', ...args], { input, env: { TRANSFORMER_THREADS: '2' } });

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

test('errors are one line: exit 2 for the command line, 1 for the files', () => {
  const cases: [string[], RegExp, number][] = [
    [['--ids'], /--model DIR is required/, 2],
    [['--model', copyDir, '--ids', '--beam', '0'], /--beam must be an integer from 1/, 2],
    [['--model', copyDir, '--ids', '--beam', '2', '--nbest', '3'], /--nbest must be an integer from 1 to 2/, 2],
    [['--model', copyDir, '--ids', '--alpha=-1'], /--alpha must be a number >= 0/, 2],
    [['--model', copyDir], /has no tokenizer.json; pass --ids/, 2],
    [['--model', join(root, 'missing'), '--ids'], /missing\/config\.json: cannot read it/, 1],
    [['--model', copyDir, '--ids', '--input', join(root, 'nothing.txt')], /nothing\.txt: no such file or folder/, 1],
    [['--model', copyDir, '--ids', '--bogus'], /unknown flag "--bogus"/, 2],
  ];
  for (const [args, message, expected] of cases) {
    const { code, err } = run('5 6\n', ...args);
    assert.equal(code, expected, args.join(' '));
    assert.match(err, message);
    assert.equal(err.trim().split('\n').length, 1, err);
  }
  const bad = run('5 6\n5 x\n', '--model', copyDir, '--ids');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /stdin:2: "x" is not a token id/);
});

test('--output is written atomically: a bad line leaves the old file as it was, and no file beside it', () => {
  const dir = join(root, 'atomic');
  mkdirSync(dir);
  const [input, output] = [join(dir, 'in.txt'), join(dir, 'out.txt')];
  writeFileSync(output, 'the translations of yesterday\n');
  writeFileSync(input, '5 6\n7 8\n9 x\n10 11\n');
  const bad = run('', '--model', copyDir, '--ids', '--input', input, '--output', output);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /in\.txt:3: "x" is not a token id/);
  assert.equal(readFileSync(output, 'utf8'), 'the translations of yesterday\n');
  assert.deepEqual(readdirSync(dir).sort(), ['in.txt', 'out.txt']);
  // Standard input is translated in chunks of 16 batches: the first chunk is done before line 21 fails.
  const many = `${Array.from({ length: 20 }, () => '5 6').join('\n')}\n9 x\n`;
  const piped = run(many, '--model', copyDir, '--ids', '--batch-size', '1', '--output', output);
  assert.equal(piped.code, 1);
  assert.match(piped.err, /stdin:21: "x" is not a token id/);
  assert.equal(readFileSync(output, 'utf8'), 'the translations of yesterday\n');
  assert.deepEqual(readdirSync(dir).sort(), ['in.txt', 'out.txt']);
  const same = run('', '--model', copyDir, '--ids', '--input', input, '--output', join(dir, '.', 'in.txt'));
  assert.equal(same.code, 2);
  assert.match(same.err, /is the --input file/);
  assert.equal(readFileSync(input, 'utf8'), '5 6\n7 8\n9 x\n10 11\n', 'the input survives');
});

test('--sample: seeded draws that do not depend on the batch, N per line, temperature 0 is greedy', () => {
  const input = `${lines.join('\n')}\n`;
  const sample = (...flags: string[]) => run(input, '--model', copyDir, '--ids', '--sample', ...flags);
  const a = sample('--seed', '5', '--samples', '3', '--temperature', '1.5', '--batch-size', '8');
  const b = sample('--seed', '5', '--samples', '3', '--temperature', '1.5', '--batch-size', '1');
  const c = sample('--seed', '6', '--samples', '3', '--temperature', '1.5');
  for (const r of [a, b, c]) assert.equal(r.code, 0, r.err);
  assert.equal(a.out, b.out, 'the same draws whatever the batch size');
  assert.notEqual(a.out, c.out, 'another seed, other draws');
  const rows = a.out
    .trim()
    .split('\n')
    .map((l) => l.split(' ||| '));
  assert.equal(rows.length, 3 * lines.length);
  assert.deepEqual(
    rows.map((r) => Number(r[0])),
    lines.flatMap((_, i) => [i, i, i]),
  );
  for (const r of rows) assert.ok(Number(r[2]) <= 0, 'a log-probability');
  const greedy = run(input, '--model', copyDir, '--ids', '--beam', '1');
  const cold = sample('--temperature', '0');
  assert.equal(cold.out, greedy.out);
  const top1 = sample('--top-k', '1', '--seed', '9');
  assert.equal(top1.out, greedy.out, 'top-k 1 leaves only the most probable token');
});
