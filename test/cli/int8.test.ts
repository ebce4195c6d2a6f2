// int8 inference end to end: a model quantized with quantizeModel computes logits close to float32's (and
// only in inference: training and gradients keep float32); `--quantize int8` for translate and score
// decodes as the library does; the pipeline takes quantize: 'int8'; a wrong value is a one-line error.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { translateIds } from '../../src/decode/index.js';
import { saveModel } from '../../src/io/model-folder.js';
import { openModelFolder } from '../../src/io/open-folder.js';
import { quantizeModel, shiftRight, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomSources, trainCopyModel } from '../decode/copy-model.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'int8-cli-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const model = trainCopyModel();
const dir = join(root, 'f32');
await saveModel(dir, model);
const quantized = (await openModelFolder(dir, { tokenizer: false, quantize: 'int8' })).model as EncoderDecoder;

const env = { TRANSFORMER_THREADS: '2' };
const lines = ['5 6 7', '8 9 10 11 12 3', '4', '12 11 10 9 8 7 6', '3 3 5', '9 10'];
const ids = (line: string) => line.split(' ').map(Number);

function logits(m: EncoderDecoder, rows: number[][]): Float32Array {
  const L = Math.max(...rows.map((r) => r.length));
  const src = Tensor.from(Int32Array.from(rows.flatMap((r) => [...r, ...Array(L - r.length).fill(0)])), [
    rows.length,
    L,
  ]);
  return T.noGrad(() => T.tidy(() => Float32Array.from(m.forward(src, shiftRight(src, 1)).floats())));
}

test('quantizeModel: logits within a few percent of float32, and only in inference', () => {
  const rows = randomSources(8, 3);
  const [f32, int8] = [model, quantized].map((m) => logits(m.eval(), rows));
  let worst = 0;
  let scale = 0;
  f32.forEach((x, i) => {
    worst = Math.max(worst, Math.abs(x - int8[i]));
    scale = Math.max(scale, Math.abs(x));
  });
  assert.ok(worst > 0, 'int8 logits differ from float32 ones');
  assert.ok(worst < 0.05 * scale, `largest gap ${worst}, largest logit ${scale}`);
  // Training mode, or gradients on, multiplies the float32 weights.
  assert.deepEqual(logits(quantized.train(), rows), logits(model.train(), rows));
  quantized.eval();
  model.eval();
  assert.equal(quantizeModel(quantized, 'none'), 0);
});

test('translate --quantize int8 decodes as the library does, and copies as float32 does', () => {
  const want = translateIds(quantized, lines.map(ids), { beam: 4 }).map((h) => h[0].tokens.join(' '));
  const full = translateIds(model, lines.map(ids), { beam: 4 }).map((h) => h[0].tokens.join(' '));
  const copied = (out: string[]) => out.filter((w, i) => w === lines[i]).length;
  assert.ok(copied(want) >= copied(full) - 1, `int8: ${want.join(' | ')}; float32: ${full.join(' | ')}`);
  const r = runCli(['translate', '--model', dir, '--ids', '--quantize', 'int8'], { input: lines.join('\n'), env });
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.trimEnd().split('\n'), want);
});

test('score --quantize int8 gives log-probabilities close to float32', () => {
  const input = lines.map((l) => `${l}\t${l}`).join('\n');
  const [f32, int8] = ['none', 'int8'].map((quantize) => {
    const r = runCli(['score', '--model', dir, '--ids', '--quantize', quantize], { input, env });
    assert.equal(r.code, 0, r.err);
    return r.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { logprobs: number[] }).logprobs);
  });
  const gaps = f32.flatMap((row, i) => row.map((x, j) => Math.abs(x - int8[i][j])));
  assert.ok(Math.max(...gaps) < 0.25, `largest gap ${Math.max(...gaps)}`);
  assert.ok(Math.max(...gaps) > 0, 'int8 products differ from float32 ones');
});

test('a wrong --quantize is a one-line usage error', () => {
  for (const command of ['translate', 'score']) {
    const bad = runCli([command, '--model', dir, '--ids', '--quantize', 'int4'], { input: '5\n', env });
    assert.equal(bad.code, 2, command);
    assert.match(bad.err, /--quantize must be one of none, int8, got "int4"/);
    assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
  }
});
