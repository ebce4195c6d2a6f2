// Model folders: every kind of model saved and loaded bit for bit, and the errors for folders that do not fit.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InputError } from '../../src/errors.js';
import { loadModel, loadTokenizer, saveModel } from '../../src/io/model-folder.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/io/safetensors.js';
import { createModel, makeConfig, type Model, type ModelConfig } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { learnBpe } from '../../src/tokenizer/learn.js';

const root = mkdtempSync(join(tmpdir(), 'model-folder-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const bytesOf = (t: Tensor) => {
  const a = t.dense();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
};

/** The model's output on a fixed batch, as raw bytes. */
function logits(model: Model): Buffer {
  return tidy(() =>
    T.noGrad(() => {
      const ids = Tensor.from(Int32Array.from([5, 6, 7, 8, 3, 4, 9, 0]), [2, 4]);
      const out =
        model.config.kind === 'encoder-decoder'
          ? (model as { forward(a: Tensor, b: Tensor): Tensor }).forward(ids, ids)
          : (model as { forward(a: Tensor): Tensor }).forward(ids);
      return Buffer.from(bytesOf(T.contiguous(out)));
    }),
  );
}

const kinds: [string, Partial<ModelConfig>][] = [
  ['encoder-decoder, shared and tied', {}],
  [
    'encoder-decoder, separate tables',
    {
      shareEmbeddings: false,
      tieOutput: false,
      finalLogitsBias: true,
      sourceVocabSize: 11,
      normPosition: 'pre',
      positionalEncoding: 'learned',
    },
  ],
  ['decoder-only', { kind: 'decoder-only' }],
  ['encoder-only, masked LM', { kind: 'encoder-only' }],
  ['encoder-only, sequence classification', { kind: 'encoder-only', head: 'sequence-classification', numLabels: 3 }],
];

for (const [what, overrides] of kinds) {
  test(`${what}: saved and loaded bit for bit, with identical logits`, async () => {
    T.manualSeed(11);
    const model = createModel(makeConfig('tiny', overrides)).eval();
    const dir = join(root, what.replace(/\W+/g, '-'));
    await saveModel(dir, model, { metadata: { note: what } });
    const drawsBefore = T.defaultGenerator().getState();
    const loaded = await loadModel(dir);
    assert.deepEqual(T.defaultGenerator().getState(), drawsBefore, 'loading drew random initial weights');
    assert.deepEqual(loaded.config, model.config);
    assert.equal(loaded.training, false, 'a loaded model is in eval mode');
    const want = model.namedParameters();
    const got = loaded.namedParameters();
    assert.deepEqual([...got.keys()], [...want.keys()]);
    for (const [name, p] of want) assert.ok(bytesOf(got.get(name)!).equals(bytesOf(p)), `${name} differs`);
    assert.ok(logits(loaded).equals(logits(model)), 'logits differ');
    assert.equal(readSafetensors(join(dir, 'model.safetensors')).metadata.note, what);
    const again = join(root, `${what.replace(/\W+/g, '-')}-again`);
    await saveModel(again, loaded, { metadata: { note: what } });
    assert.ok(readFileSync(join(again, 'model.safetensors')).equals(readFileSync(join(dir, 'model.safetensors'))));
    assert.equal(readFileSync(join(again, 'config.json'), 'utf8'), readFileSync(join(dir, 'config.json'), 'utf8'));
  });
}

test('config.json holds the format, its version and the whole config', async () => {
  const model = createModel(makeConfig('tiny'));
  const dir = join(root, 'config');
  await saveModel(dir, model);
  const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(json, { format: 'transformer-ts/model', version: 1, ...model.config });
});

test('one error lists every missing, unexpected and mis-shaped tensor', async () => {
  const dir = join(root, 'mismatch');
  await saveModel(dir, createModel(makeConfig('tiny')));
  const file = join(dir, 'model.safetensors');
  const tensors = new Map<string, TensorToWrite>(readSafetensors(file).tensors);
  tensors.delete('encoder.layers.1.ffn.w1.weight');
  tensors.delete('decoder.layers.0.norm3.bias');
  tensors.set('decoder.layers.0.ffn.w2.bias', { shape: [17], data: new Float32Array(17) });
  tensors.set('output.projection.weight', { shape: [13, 16], data: new Float32Array(13 * 16) });
  writeSafetensors(file, tensors);
  await assert.rejects(loadModel(dir), (error: Error) => {
    assert.ok(error.message.startsWith(`${file} does not fit`), error.message);
    assert.match(error.message, /4 problems/);
    assert.match(error.message, /missing encoder\.layers\.1\.ffn\.w1\.weight \[32, 16\]/);
    assert.match(error.message, /missing decoder\.layers\.0\.norm3\.bias \[16\]/);
    assert.match(error.message, /wrong shape decoder\.layers\.0\.ffn\.w2\.bias: expected \[16\], found \[17\]/);
    assert.match(error.message, /unexpected output\.projection\.weight \[13, 16\]/);
    return true;
  });
});

test('a bad or missing config.json is named, with the offending key', async () => {
  const dir = join(root, 'bad-config');
  await saveModel(dir, createModel(makeConfig('tiny')));
  const path = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const cases: [unknown, RegExp][] = [
    [{ ...config, dModel: 'big' }, /"dModel" must be a number/],
    [{ ...config, h: 5 }, /dModel 16 is not divisible by h 5/],
    [{ ...config, dropout: 0.1 }, /unknown key "dropout"/],
    [{ ...config, version: 2 }, /"version" 2 is not one this program reads/],
    [{ ...config, format: undefined }, /"format" must be "transformer-ts\/model"/],
    [[1, 2], /not a JSON object/],
  ];
  for (const [content, message] of cases) {
    writeFileSync(path, JSON.stringify(content));
    await assert.rejects(
      loadModel(dir),
      (error: Error) => error.message.startsWith(`${path}: `) && message.test(error.message),
    );
  }
  writeFileSync(path, '{"kind": ');
  await assert.rejects(loadModel(dir), new RegExp(`${path}: not valid JSON`));
  rmSync(path);
  await assert.rejects(loadModel(dir), new RegExp(`${path}: cannot read it \\(ENOENT\\); is ${dir} a model folder`));
  await assert.rejects(loadModel(join(root, 'no-such-folder')), /no-such-folder\/config\.json: cannot read it/);
});

test('a damaged model.safetensors is named', async () => {
  const dir = join(root, 'damaged');
  await saveModel(dir, createModel(makeConfig('tiny')));
  const file = join(dir, 'model.safetensors');
  writeFileSync(file, readFileSync(file).subarray(0, -1000));
  await assert.rejects(loadModel(dir), (error: Error) => {
    assert.ok(error instanceof InputError, String(error));
    assert.match(error.message, new RegExp(`^${file}: tensor ".*truncated`));
    return true;
  });
});

test('the tokenizer travels with the model; a folder without one has none', async () => {
  const tokenizer = learnBpe(['the cat sat on the mat', 'the dog ran'], { vocabSize: 290 });
  const tokenizerPath = join(root, 'tok.json');
  await tokenizer.save(tokenizerPath);
  const dir = join(root, 'with-tokenizer');
  await saveModel(dir, createModel(makeConfig('tiny', { vocabSize: 300 })), { tokenizerPath });
  assert.equal(readFileSync(join(dir, 'tokenizer.json'), 'utf8'), readFileSync(tokenizerPath, 'utf8'));
  const loaded = await loadTokenizer(dir);
  assert.deepEqual([...loaded!.encode('the cat')], [...tokenizer.encode('the cat')]);
  assert.equal(await loadTokenizer(join(root, 'config')), null);
  await assert.rejects(
    saveModel(join(root, 'too-small'), createModel(makeConfig('tiny')), { tokenizerPath }),
    /pieces do not fit the model's vocabulary of 13/,
  );
});
