// `transformer score`: forced decoding of a model folder, checked against model.forward + logSoftmax.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, shiftRight, type DecoderOnly, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'score-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const run = (input: string | Buffer, ...args: string[]) =>
  runCli(['score', ...args], { input, env: { TRANSFORMER_THREADS: '2' } });

interface Scored {
  tokens: number[];
  logprobs: number[];
  sum: number;
}

const parse = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Scored);
const row = (ids: number[]) => Tensor.from(Int32Array.from(ids), [1, ids.length]);

/** log p(target[t]) at each position, computed one sentence at a time in this process. */
function reference(logits: Tensor, target: number[]): number[] {
  const V = logits.shape[2];
  const logp = T.contiguous(T.logSoftmax(logits, -1)).toArray();
  return target.map((id, t) => logp[t * V + id]);
}

function assertScores(got: Scored, tokens: number[], want: number[], what: string): void {
  assert.deepEqual(got.tokens, tokens, what);
  assert.equal(got.logprobs.length, want.length, what);
  got.logprobs.forEach((x, i) => {
    assert.ok(x <= 0, `${what}: log-probability ${x} > 0`);
    assert.ok(Math.abs(x - want[i]) <= 1e-5, `${what}, token ${i}: ${x} vs ${want[i]}`);
  });
  assert.equal(
    got.sum,
    got.logprobs.reduce((s, x) => s + x, 0),
    `${what}: sum`,
  );
}

test('encoder-decoder, --ids: every target token and EOS, as model.forward + logSoftmax gives them', async () => {
  T.manualSeed(3);
  const model = createModel(makeConfig('tiny')).eval() as EncoderDecoder;
  const dir = join(root, 'translation');
  await saveModel(dir, model);
  const lines: [number[], number[]][] = [
    [
      [3, 4, 5],
      [6, 7],
    ],
    [[8], [9, 10, 11, 12]],
    [[5, 5, 6, 7, 8, 9], [4]],
    [[], [3, 3]],
    [[12, 11], []],
  ];
  const input = lines.map(([s, t]) => `${s.join(' ')}\t${t.join(' ')}\n`).join('');
  const result = run(input, '--model', dir, '--ids', '--batch-size', '2');
  assert.equal(result.code, 0, result.err);
  const scored = parse(result.out);
  assert.equal(scored.length, lines.length);
  const { eosId, bosId } = model.config;
  lines.forEach(([source, target], i) => {
    const tokens = [...target, eosId];
    const want = tidy(() =>
      T.noGrad(() => reference(model.forward(row([...source, eosId]), shiftRight(row(tokens), bosId)), tokens)),
    );
    assertScores(scored[i], tokens, want, `line ${i + 1}`);
  });
});

test('decoder-only, --ids: the tokens after the first, EOS appended', async () => {
  T.manualSeed(4);
  const model = createModel(makeConfig('tiny', { kind: 'decoder-only' })).eval() as DecoderOnly;
  const dir = join(root, 'language-model');
  await saveModel(dir, model);
  const lines = [[1, 4, 5, 6], [7], [1, 8, 8, 8, 8, 9, 10]];
  const result = run(lines.map((l) => `${l.join(' ')}\n`).join(''), '--model', dir, '--ids');
  assert.equal(result.code, 0, result.err);
  const scored = parse(result.out);
  assert.equal(scored.length, lines.length);
  lines.forEach((ids, i) => {
    const sequence = [...ids, model.config.eosId];
    const tokens = sequence.slice(1);
    const want = tidy(() => T.noGrad(() => reference(model.forward(row(sequence.slice(0, -1))), tokens)));
    assertScores(scored[i], tokens, want, `line ${i + 1}`);
  });
});

test('text mode encodes with the folder tokenizer: source and target each end with EOS', async () => {
  const tokenizer = learnBpe(['the cat sat on the mat', 'the dog ran'], { vocabSize: 290 });
  const tokenizerPath = join(root, 'tokenizer.json');
  await tokenizer.save(tokenizerPath);
  T.manualSeed(5);
  const model = createModel(makeConfig('tiny', { vocabSize: 290 })).eval() as EncoderDecoder;
  const dir = join(root, 'text');
  await saveModel(dir, model, { tokenizerPath });
  const result = run('the cat\tthe dog\nthe mat\tsat\n', '--model', dir);
  assert.equal(result.code, 0, result.err);
  const [first, second] = parse(result.out);
  const source = [...tokenizer.encode('the cat', { addEos: true })];
  const target = [...tokenizer.encode('the dog', { addEos: true })];
  const want = tidy(() => T.noGrad(() => reference(model.forward(row(source), shiftRight(row(target), 1)), target)));
  assertScores(first, target, want, 'text line 1');
  assert.deepEqual(second.tokens, [...tokenizer.encode('sat', { addEos: true })]);
});

test('bad lines and bad folders give one line naming the line or the file, exit 1 (2 for the command line)', async () => {
  const dir = join(root, 'errors');
  await saveModel(dir, createModel(makeConfig('tiny', { maxLength: 8 })));
  const cases: [string | Buffer, string[], RegExp, number?][] = [
    ['3 4\t5\n6 7\n', ['--ids'], /stdin:2: expected SOURCE<TAB>TARGET, found 0 tabs/],
    ['3 x\t5\n', ['--ids'], /stdin:1: source token "x" is not an id of the vocabulary \(0\.\.12\)/],
    ['3\t4\n3\t13\n', ['--ids'], /stdin:2: target token "13" is not an id/],
    ['3\t-1\n', ['--ids'], /stdin:1: target token "-1"/],
    ['3\t4\t5\n', ['--ids'], /stdin:1: expected SOURCE<TAB>TARGET, found 2 tabs/],
    ['3 3 3 3 3 3 3 3\t4\n', ['--ids'], /stdin:1: the source \(with EOS\) has 9 tokens, more than maxLength 8/],
    [
      Buffer.from([0x33, 0x09, 0x34, 0x0a, 0x33, 0xff, 0x0a]),
      ['--ids'],
      /stdin:2: invalid UTF-8 byte 0xff at byte column 2/,
    ],
    ['hello\tworld\n', [], /has no tokenizer\.json; pass --ids/, 2],
    ['3\t4\n', ['--batch-size', '0'], /--batch-size must be an integer from 1/, 2],
  ];
  for (const [input, flags, message, expected = 1] of cases) {
    const result = run(input, '--model', dir, ...flags);
    assert.equal(result.code, expected, `${message}: ${result.err}`);
    assert.match(result.err, message);
    assert.doesNotMatch(result.err, /at .*\.js:\d+/);
    assert.equal(result.err.trim().split('\n').length, 1, result.err);
  }
  const missing = run('3\t4\n', '--model', join(root, 'nowhere'), '--ids');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nowhere\/config\.json: cannot read it/);
  const encoderOnly = join(root, 'encoder-only');
  await saveModel(encoderOnly, createModel(makeConfig('tiny', { kind: 'encoder-only' })));
  const wrongKind = run('3\t4\n', '--model', encoderOnly, '--ids');
  assert.equal(wrongKind.code, 1);
  assert.match(wrongKind.err, /needs an encoder-decoder or decoder-only model/);
});
