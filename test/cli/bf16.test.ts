// bf16 from the command line: `--precision bf16` for translate and score, model folders stored as BF16
// (half the size, read back as float32), `average --dtype bf16`, and `train.precision=bf16` training whose
// losses follow float32's and whose checkpoints stay float32.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { makeTask, writeTask } from '../../src/data/task/builtin-task.js';
import { translateIds } from '../../src/decode/index.js';
import { saveModel, WEIGHTS_FILE } from '../../src/io/model-folder.js';
import { readSafetensorsHeader } from '../../src/io/safetensors.js';
import * as T from '../../src/tensor/index.js';
import { trainCopyModel } from '../decode/copy-model.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'bf16-cli-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const model = trainCopyModel();
const [f32Dir, bf16Dir] = [join(root, 'f32'), join(root, 'bf16')];
await saveModel(f32Dir, model);
await saveModel(bf16Dir, model, { dtype: 'bf16' });

const env = { TRANSFORMER_THREADS: '2' };
const lines = ['5 6 7', '8 9 10 11 12 3', '4', '12 11 10 9 8 7 6', '3 3 5', '9 10'];
const ids = (line: string) => line.split(' ').map(Number);
const dtypes = (file: string) => new Set(readSafetensorsHeader(file).entries.map((e) => e.dtype));

test('a folder saved in bf16 holds BF16 weights at half the size', () => {
  const [f32, bf16] = [f32Dir, bf16Dir].map((d) => join(d, WEIGHTS_FILE));
  assert.deepEqual([...dtypes(f32)], ['F32']);
  assert.deepEqual([...dtypes(bf16)], ['BF16']);
  const ratio = statSync(bf16).size / statSync(f32).size;
  assert.ok(ratio > 0.45 && ratio < 0.55, `size ratio ${ratio}`);
});

test('translate --precision bf16 decodes as the library does, the same from float32 and bf16 folders', () => {
  const want = T.withPrecision('bf16', () => translateIds(model, lines.map(ids), { beam: 4 })).map((h) =>
    h[0].tokens.join(' '),
  );
  const full = translateIds(model, lines.map(ids), { beam: 4 }).map((h) => h[0].tokens.join(' '));
  const copied = (out: string[]) => out.filter((w, i) => w === lines[i]).length;
  assert.ok(copied(want) >= copied(full) - 1, `bf16: ${want.join(' | ')}; float32: ${full.join(' | ')}`);
  for (const dir of [f32Dir, bf16Dir]) {
    const r = runCli(['translate', '--model', dir, '--ids', '--precision', 'bf16'], { input: lines.join('\n'), env });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trimEnd().split('\n'), want, dir);
  }
});

test('score --precision bf16 gives log-probabilities close to float32', () => {
  const input = lines.map((l) => `${l}\t${l}`).join('\n');
  const [f32, bf16] = ['float32', 'bf16'].map((precision) => {
    const r = runCli(['score', '--model', f32Dir, '--ids', '--precision', precision], { input, env });
    assert.equal(r.code, 0, r.err);
    return r.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { logprobs: number[] }).logprobs);
  });
  const gaps = f32.flatMap((row, i) => row.map((x, j) => Math.abs(x - bf16[i][j])));
  // bf16 rounds every operand by up to 2^-9 relative; on this model the largest gap measured was about 0.09.
  assert.ok(Math.max(...gaps) < 0.25, `largest gap ${Math.max(...gaps)}`);
  assert.ok(Math.max(...gaps) > 0, 'bf16 products differ from float32 ones');
});

test('a wrong --precision or train.precision is a one-line usage error', () => {
  const bad = runCli(['translate', '--model', f32Dir, '--ids', '--precision', 'fp8'], { input: '5\n', env });
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--precision must be one of float32, bf16, got "fp8"/);
  const train = runCli(['train', '--run', join(root, 'x'), '--source', 'a', '--set', 'train.precision=fp16']);
  assert.equal(train.code, 2);
  assert.match(train.err, /train\.precision must be one of float32, bf16/);
});

test('train.precision=bf16 follows float32 losses, writes float32 checkpoints; average --dtype bf16', async () => {
  const data = join(root, 'data');
  await writeTask(data, makeTask({ seed: 3, train: 200, valid: 20, test: 5 }));
  const losses = (precision: string) => {
    const runDir = join(root, `run-${precision}`);
    const settings = ['model.encoderLayers=1', 'model.decoderLayers=1', 'model.dModel=32', 'model.dFF=64'];
    settings.push('train.maxTokens=400', 'train.steps=8', 'train.checkpointEvery=8', `train.precision=${precision}`);
    const r = runCli(
      [
        'train',
        ...['--run', runDir, '--source', join(data, 'train.src'), '--target', join(data, 'train.tgt')],
        ...['--vocab-size', '400'],
        ...settings.flatMap((s) => ['--set', s]),
      ],
      { env },
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([...dtypes(join(runDir, WEIGHTS_FILE))], ['F32']);
    return {
      runDir,
      loss: readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; loss?: number })
        .filter((e) => e.event === 'step')
        .map((e) => e.loss!),
    };
  };
  const [f32, bf16] = [losses('float32'), losses('bf16')];
  assert.equal(bf16.loss.length, 8);
  bf16.loss.forEach((l, i) =>
    assert.ok(Math.abs(l - f32.loss[i]) < 0.02 * f32.loss[i], `step ${i + 1}: ${l} vs ${f32.loss[i]}`),
  );
  const averaged = join(root, 'averaged');
  const avg = runCli(['average', '--run', bf16.runDir, '--last', '1', '--output', averaged, '--dtype', 'bf16']);
  assert.equal(avg.code, 0, avg.err);
  assert.deepEqual([...dtypes(join(averaged, WEIGHTS_FILE))], ['BF16']);
  const translated = runCli(['translate', '--model', averaged, '--precision', 'bf16'], { input: 'a b c\n', env });
  assert.equal(translated.code, 0, translated.err);
});
