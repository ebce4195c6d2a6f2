// Model files that lie: NaN or infinite weights, configs asking for absurd or other models than the
// weights hold, missing keys. Each is refused in one line naming the file and the tensor or key, and
// before the model a config asks for is allocated.

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { InputError } from '../../src/errors.js';
import { loadMarian } from '../../src/io/marian.js';
import { loadModel, saveModel } from '../../src/io/model-folder.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/io/safetensors.js';
import { CONFIG_LIMITS, createModel, makeConfig, validateConfig } from '../../src/model/index.js';
import { Adam } from '../../src/train/adam.js';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from '../../src/train/checkpoint.js';

const MARIAN = fileURLToPath(new URL('../../../test/fixtures/marian/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hostile-weights-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** Asserts a one-line InputError whose message matches every pattern. */
async function refused(load: () => Promise<unknown> | unknown, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(
    async () => load(),
    (error: Error) => {
      assert.ok(error instanceof InputError, `not an InputError: ${error.stack}`);
      assert.ok(!error.message.includes('\n'), `not one line: ${error.message}`);
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

/** Rewrites a safetensors file with one value of one tensor replaced. */
function poke(file: string, name: string, index: number, value: number): void {
  const tensors = new Map<string, TensorToWrite>(readSafetensors(file).tensors);
  const data = Float32Array.from(tensors.get(name)!.data);
  data[index] = value;
  tensors.set(name, { shape: tensors.get(name)!.shape, data });
  writeSafetensors(file, tensors);
}

async function modelFolder(name: string): Promise<string> {
  const dir = join(root, name);
  await saveModel(dir, createModel(makeConfig('tiny')));
  return dir;
}

function editConfig(dir: string, edit: (config: Record<string, unknown>) => void): string {
  const path = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(config);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

test('a NaN or an infinity in a model folder is refused, naming the file, the tensor and the index', async () => {
  for (const [value, shown] of [
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ] as const) {
    const dir = await modelFolder(`nan-${shown}`);
    const file = join(dir, 'model.safetensors');
    poke(file, 'decoder.layers.1.ffn.w2.weight', 7, value);
    await refused(
      () => loadModel(dir),
      new RegExp(`^${file}: tensor "decoder\\.layers\\.1\\.ffn\\.w2\\.weight" holds ${shown} at index 7`),
    );
  }
});

test('a NaN in a Marian folder is refused, naming the file and the tensor', async () => {
  const dir = join(root, 'marian-nan');
  cpSync(MARIAN, dir, { recursive: true });
  poke(join(dir, 'model.safetensors'), 'model.encoder.layers.0.fc1.weight', 3, NaN);
  await refused(() => loadMarian(dir), /model\.safetensors: tensor "model\.encoder\.layers\.0\.fc1\.weight" holds NaN/);
});

test('a training checkpoint with a NaN weight is refused on resume, naming the file', async () => {
  const model = createModel(makeConfig('tiny'));
  const optimizer = new Adam(model.parameters());
  const state: TrainingState = {
    step: 3,
    generator: { state: 1, spareNormal: null },
    data: { epoch: 0, index: 0, seed: 1 },
    best: null,
    elapsedSeconds: 1,
    targetTokens: 10,
  };
  const dir = join(root, 'checkpoint');
  saveCheckpoint(dir, model, optimizer, state);
  assert.equal(loadCheckpoint(dir, model, optimizer).step, 3, 'the intact checkpoint loads');
  const file = join(dir, 'model.safetensors');
  poke(file, 'sourceEmbedding.weight', 0, NaN);
  await refused(
    () => loadCheckpoint(dir, model, optimizer),
    new RegExp(`^${file}: tensor "sourceEmbedding\\.weight" holds NaN`),
  );
});

test('config.json is checked against the header before the model is built', async () => {
  // Within every limit, yet far too big to build: 256 layers of dModel 65536 are 2^40 floats. The error
  // can only come back (instead of an allocation failure) if the header was read first.
  const dir = await modelFolder('huge');
  const path = editConfig(dir, (c) => Object.assign(c, { encoderLayers: 256, dModel: 65536, dFF: 262144, h: 1 }));
  const file = join(dir, 'model.safetensors');
  await refused(
    () => loadModel(dir),
    new RegExp(`^${file} does not fit the model of its config \\(\\d+ problems; `),
    /"encoderLayers" is 256, the file has 2 encoder layers; "dModel" is 65536, the file's embeddings are 16 wide\)/,
    /wrong shape sourceEmbedding\.weight: expected \[13, 65536\], found \[13, 16\]/,
    /; and \d+ more$/,
  );
  assert.ok(readFileSync(path, 'utf8').includes('65536'));

  const marian = join(root, 'marian-huge');
  cpSync(MARIAN, marian, { recursive: true });
  editConfig(marian, (c) =>
    Object.assign(c, {
      encoder_layers: 256,
      decoder_layers: 256,
      d_model: 65536,
      encoder_ffn_dim: 262144,
      decoder_ffn_dim: 262144,
    }),
  );
  await refused(() => loadMarian(marian), /model\.safetensors does not fit the MarianMTModel of its config\.json/);
});

test("sizes above the limits are refused naming the key, in our config and in Marian's", async () => {
  for (const [key, limit] of Object.entries(CONFIG_LIMITS)) {
    assert.throws(
      () => validateConfig({ ...makeConfig('tiny'), [key]: limit + 1 }, 'run/config.json'),
      (error: Error) =>
        error instanceof InputError && error.message.includes(`"${key}" ${limit + 1} is above the limit of ${limit}`),
      key,
    );
  }
  assert.throws(
    () => validateConfig({ ...makeConfig('tiny'), maxLength: 1_048_576, dModel: 1024, h: 16 }),
    /"maxLength" 1048576 times "dModel" 1024 is above the limit/,
  );
  const dir = await modelFolder('layers');
  const path = editConfig(dir, (c) => (c.decoderLayers = 1_000_000));
  await refused(() => loadModel(dir), new RegExp(`^${path}: "decoderLayers" 1000000 is above the limit of 256`));

  for (const [key, value] of [
    ['d_model', 1e9],
    ['encoder_layers', 1e6],
    ['vocab_size', 1e8],
    ['max_position_embeddings', 1e7],
  ] as const) {
    const marian = join(root, `marian-${key}`);
    cpSync(MARIAN, marian, { recursive: true });
    const configPath = editConfig(marian, (c) => (c[key] = value));
    await refused(() => loadMarian(marian), new RegExp(`^${configPath}: "${key}" ${value} is above the limit`));
  }
  const beams = join(root, 'marian-beams');
  cpSync(MARIAN, beams, { recursive: true });
  editConfig(beams, (c) => (c.num_beams = 1e9));
  await refused(() => loadMarian(beams), /"num_beams" must be an integer from 1 to 1024, got 1000000000/);
});

test('a key missing from our config.json is an error naming it, not a default', async () => {
  const dir = await modelFolder('missing');
  const path = editConfig(dir, (c) => {
    delete c.dFF;
    delete c.layerNormEps;
  });
  await refused(() => loadModel(dir), new RegExp(`^${path}: "dFF", "layerNormEps" missing; every key must be given`));
});

test('integer tensors and trailing garbage in the names stay one-line errors', async () => {
  const dir = await modelFolder('odd-names');
  const file = join(dir, 'model.safetensors');
  const tensors = new Map<string, TensorToWrite>(readSafetensors(file).tensors);
  tensors.set('extra\nname', { shape: [1], data: new Float32Array(1) });
  tensors.set('sourceEmbedding.weight', { shape: [13, 16], data: new Int32Array(13 * 16) });
  writeSafetensors(file, tensors);
  await refused(
    () => loadModel(dir),
    /wrong dtype sourceEmbedding\.weight: expected a float dtype, found I32/,
    /unexpected extra\\nname \[1\]/,
  );
});
