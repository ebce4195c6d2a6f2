// int8 inference end to end: a model quantized with quantizeModel computes logits close to float32's (and
// only in inference: training and gradients keep float32); `--quantize int8` for translate and score
// decodes as the library does; the pipeline takes quantize: 'int8'; a wrong value is a one-line error.

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { translateIds } from '../../src/decode/index.js';
import { saveModel, WEIGHTS_FILE } from '../../src/io/model-folder.js';
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from '../../src/io/safetensors.js';
import { openModelFolder } from '../../src/io/open-folder.js';
import { createModel, makeConfig, quantizeModel, shiftRight, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomSources, trainCopyModel } from '../decode/copy-model.js';
import { runCli } from '../helpers/cli.js';
import { pipeline, PipelineError } from '../../src/pipeline/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';

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

test('quantizeModel: logits within a few percent of float32, and only in inference', async () => {
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
  // Gradients on multiply the float32 weights; training mode drops the int8 copies for good.
  const withGrad = (m: EncoderDecoder) => {
    const src = Tensor.from(Int32Array.from(rows[0]), [1, rows[0].length]);
    return T.tidy(() => Float32Array.from(m.forward(src, shiftRight(src, 1)).floats()));
  };
  assert.deepEqual(withGrad(quantized), withGrad(model));
  const again = (await openModelFolder(dir, { tokenizer: false, quantize: 'int8' })).model as EncoderDecoder;
  again.train();
  assert.deepEqual(logits(again.eval(), rows), f32);
  assert.equal(quantizeModel(again, 'none'), 0);
  assert.ok(quantizeModel(again, 'int8') > 0);
  assert.deepEqual(logits(again, rows), int8);
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

test('convert --quantize int8 writes I8 weights and F32 scales that translate and score as --quantize int8', () => {
  const int8Dir = join(root, 'int8');
  const c = runCli(['convert', '--model', dir, '--out', int8Dir, '--quantize', 'int8'], { env });
  assert.equal(c.code, 0, c.err);
  const header = readSafetensorsHeader(join(int8Dir, WEIGHTS_FILE));
  const dtypes = new Map(header.entries.map((e) => [e.name, e.dtype]));
  assert.equal(dtypes.get('decoder.layers.0.ffn.w1.weight'), 'I8');
  assert.equal(dtypes.get('decoder.layers.0.ffn.w1.weight_scale'), 'F32');
  assert.equal(dtypes.get('targetEmbedding.weight') ?? dtypes.get('sourceEmbedding.weight'), 'I8');
  assert.equal(dtypes.get('decoder.layers.0.norm1.weight') ?? 'F32', 'F32');
  const ratio = statSync(join(int8Dir, WEIGHTS_FILE)).size / statSync(join(dir, WEIGHTS_FILE)).size;
  assert.ok(ratio > 0.2 && ratio < 0.45, `size ratio ${ratio}`);
  for (const command of [['translate', '--beam', '4'], ['score']]) {
    const input = command[0] === 'score' ? lines.map((l) => `${l}\t${l}`).join('\n') : lines.join('\n');
    const fromInt8 = runCli([...command, '--model', int8Dir, '--ids'], { input, env });
    const quantized = runCli([...command, '--model', dir, '--ids', '--quantize', 'int8'], { input, env });
    assert.equal(fromInt8.code, 0, fromInt8.err);
    assert.equal(fromInt8.out, quantized.out, command[0]);
  }
});

test('an int8 weight without its scale is a one-line error naming the tensor', () => {
  const int8Dir = join(root, 'int8');
  const broken = join(root, 'broken');
  cpSync(int8Dir, broken, { recursive: true });
  const file = join(broken, WEIGHTS_FILE);
  const tensors = new Map([...readSafetensors(file).tensors].filter(([name]) => !name.endsWith('w1.weight_scale')));
  writeSafetensors(file, tensors);
  const r = runCli(['translate', '--model', broken, '--ids'], { input: '5 6\n', env });
  assert.equal(r.code, 1);
  assert.match(r.err, /int8 tensor "[^"]*w1\.weight" has no "[^"]*w1\.weight_scale" beside it/);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
});

test("the pipeline's quantize option: int8 translates as translate --quantize int8; a wrong value is a PipelineError", async () => {
  const text = ['ein Haus am See', 'zwei Hunde laufen', 'der Mann liest ein Buch', 'Häuser und Hunde'];
  const tokenizerPath = join(root, 'tokenizer.json');
  await learnBpe(text, { vocabSize: 300 }).save(tokenizerPath);
  T.manualSeed(2);
  const textDir = join(root, 'text');
  await saveModel(textDir, createModel(makeConfig('tiny', { vocabSize: 300 })), { tokenizerPath });
  const input = ['ein Hund', 'der See ist groß'];
  const cli = runCli(
    ['translate', '--model', textDir, '--beam', '2', '--max-len-a', '0', '--max-len-b', '5', '--quantize', 'int8'],
    {
      input: `${input.join('\n')}\n`,
      env,
    },
  );
  assert.equal(cli.code, 0, cli.err);
  const translator = await pipeline('translation', textDir, { quantize: 'int8' });
  const got = await translator(input, { num_beams: 2, max_new_tokens: 5 });
  assert.deepEqual(
    got.map((l) => l[0].translation_text),
    cli.out.split('\n').slice(0, -1),
  );
  await assert.rejects(
    pipeline('translation', dir, { quantize: 'int4' as never }),
    (e: Error) => e instanceof PipelineError && /quantize must be one of none, int8, got "int4"/.test(e.message),
  );
});

test('a wrong --quantize is a one-line usage error', () => {
  for (const command of ['translate', 'score']) {
    const bad = runCli([command, '--model', dir, '--ids', '--quantize', 'int4'], { input: '5\n', env });
    assert.equal(bad.code, 2, command);
    assert.match(bad.err, /--quantize must be one of none, int8, got "int4"/);
    assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
  }
});
