// `transformer average`: checkpoint averaging of explicit files and of a run's newest step checkpoints.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadModel, saveModel } from '../../src/io/model-folder.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/io/safetensors.js';
import { createModel, makeConfig } from '../../src/model/index.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'average-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'average', ...args], { encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function write(name: string, tensors: Record<string, { shape: number[]; data: Float32Array | Float64Array }>): string {
  const path = join(root, name);
  writeSafetensors(path, new Map<string, TensorToWrite>(Object.entries(tensors)));
  return path;
}

test('averages explicit files exactly: summed in float64, stored as float32', () => {
  // 0.1 + 0.2 + 0.4 in float32 summed in float32 would round differently from the float64 mean.
  const a = write('a.safetensors', {
    w: { shape: [2, 2], data: new Float32Array([0.1, 1, -3, 16777216]) },
    b: { shape: [3], data: new Float32Array([1, 2, 3]) },
  });
  const b = write('b.safetensors', {
    w: { shape: [2, 2], data: new Float32Array([0.2, 2, 3, 1]) },
    b: { shape: [3], data: new Float32Array([4, 5, 6]) },
  });
  const c = write('c.safetensors', {
    b: { shape: [3], data: new Float32Array([7, 8, 9]) },
    w: { shape: [2, 2], data: new Float32Array([0.4, 3, 0, 1]) },
  });
  const out = join(root, 'mean.safetensors');
  const result = run('--output', out, a, b, c);
  assert.equal(result.code, 0, result.err);
  const tensors = readSafetensors(out).tensors;
  assert.deepEqual([...tensors.keys()].sort(), ['b', 'w']);
  const w = tensors.get('w')!;
  assert.equal(w.dtype, 'F32');
  assert.deepEqual(w.shape, [2, 2]);
  const f = (x: number) => Math.fround(x);
  const expected = [
    (f(0.1) + f(0.2) + f(0.4)) / 3,
    2,
    0,
    (16777216 + 1 + 1) / 3, // 16777216 + 1 is not representable in float32
  ].map(f);
  assert.deepEqual([...w.data], expected);
  assert.deepEqual([...tensors.get('b')!.data], [4, 5, 6]);
});

test('refuses inputs whose names, shapes or dtypes differ, naming the file and the tensor', () => {
  const a = write('x.safetensors', { w: { shape: [2, 2], data: new Float32Array(4) } });
  const shape = write('shape.safetensors', { w: { shape: [4], data: new Float32Array(4) } });
  const extra = write('extra.safetensors', {
    w: { shape: [2, 2], data: new Float32Array(4) },
    v: { shape: [1], data: new Float32Array(1) },
  });
  const renamed = write('renamed.safetensors', { u: { shape: [2, 2], data: new Float32Array(4) } });
  const dtype = write('dtype.safetensors', { w: { shape: [2, 2], data: new Float64Array(4) } });
  const out = join(root, 'never.safetensors');
  const cases: [string, RegExp][] = [
    [shape, /shape\.safetensors: tensor "w" has shape \[4\], but \[2, 2\] in .*x\.safetensors/],
    [extra, /extra\.safetensors: tensor "v" is not in .*x\.safetensors/],
    [renamed, /renamed\.safetensors: tensor "w" \(in .*x\.safetensors\) is missing/],
    [dtype, /dtype\.safetensors: tensor "w" is F64, but F32 in .*x\.safetensors/],
  ];
  for (const [bad, message] of cases) {
    const result = run('--output', out, a, bad);
    assert.equal(result.code, 1);
    assert.match(result.err, message);
  }
  assert.equal(existsSync(out), false);
  assert.equal(run('--output', out).code, 2);
  assert.equal(run(a, shape).code, 2);
});

test('--run --last N averages the newest N step checkpoints by step number into a model folder', async () => {
  const config = makeConfig('tiny');
  const model = createModel(config);
  const run_ = join(root, 'run');
  await saveModel(run_, model);
  writeFileSync(join(run_, 'tokenizer.json'), '{"tokenizer": "stand-in"}\n');
  mkdirSync(join(run_, 'checkpoints', 'last'), { recursive: true });
  const names = [...model.namedParameters().keys()];
  // Every parameter of the checkpoint at step s is filled with s; the digits sort as the steps do
  // only because they are zero-padded, so 999 must come before 1000.
  for (const step of [200, 999, 1000, 1200, 40]) {
    const tensors = new Map<string, TensorToWrite>();
    for (const [name, p] of model.namedParameters()) {
      tensors.set(name, { shape: p.shape, data: new Float32Array(p.size).fill(step) });
    }
    writeSafetensors(join(run_, 'checkpoints', `step-${String(step).padStart(8, '0')}.safetensors`), tensors);
  }
  writeFileSync(join(run_, 'checkpoints', 'notes.safetensors'), 'not a checkpoint');
  const result = run('--run', run_, '--last', '3');
  assert.equal(result.code, 0, result.err);
  const averaged = join(run_, 'averaged');
  assert.equal(readFileSync(join(averaged, 'tokenizer.json'), 'utf8'), '{"tokenizer": "stand-in"}\n');
  const loaded = await loadModel(averaged);
  assert.deepEqual(loaded.config, config);
  for (const name of names) {
    const values = loaded.namedParameters().get(name)!.dense();
    assert.ok(
      values.every((v) => v === Math.fround((999 + 1000 + 1200) / 3)),
      name,
    );
  }
  const other = join(root, 'other');
  assert.equal(run('--run', run_, '--last', '5', '--output', other).code, 0);
  assert.equal(readSafetensors(join(other, 'model.safetensors')).tensors.get(names[0])!.data[0], Math.fround(3439 / 5));
  const tooMany = run('--run', run_, '--last', '6');
  assert.equal(tooMany.code, 1);
  assert.match(tooMany.err, /5 step checkpoints .* asked for 6/);
  assert.equal(run('--run', run_).code, 2);
  assert.equal(run('--run', run_, '--last', '0').code, 2);
});

test('writes leave no temporary file, and a failed write names the file asked for', () => {
  const a = write('p.safetensors', { w: { shape: [2], data: new Float32Array([1, 2]) } });
  const b = write('q.safetensors', { w: { shape: [2], data: new Float32Array([3, 4]) } });
  const folder = join(root, 'out');
  mkdirSync(folder);
  assert.equal(run('--output', join(folder, 'mean.safetensors'), a, b).code, 0);
  assert.deepEqual(readdirSync(folder), ['mean.safetensors']);
  // The output's folder is missing: the temporary file beside it cannot be made, but the error names the output.
  const target = join(root, 'missing', 'mean.safetensors');
  const failed = run('--output', target, a, b);
  assert.equal(failed.code, 1);
  assert.equal(failed.err.trim(), `transformer average: ${target}: no such file or folder (ENOENT)`);
});
