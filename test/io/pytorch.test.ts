// PyTorch checkpoints (src/io/pytorch/) against scripts/make_pytorch_fixtures.py: Marian folders whose
// weights are a pytorch_model.bin (zip or legacy format) compute the logits and translations of their
// safetensors twin, and torch.load's logits; other dtypes and views read as torch.load reads them;
// pickles that would run something, cut-short and corrupt files are refused in one line.

import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { translateIds } from '../../src/decode/translate-lines.js';
import { InputError } from '../../src/errors.js';
import { loadMarian } from '../../src/io/marian.js';
import { parsePytorchCheckpoint, PytorchError } from '../../src/io/pytorch/checkpoint.js';
import { readPytorchCheckpoint } from '../../src/io/pytorch/file.js';
import { readStateDictPickle } from '../../src/io/pytorch/state-dict.js';
import type { EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const PYTORCH = join(FIXTURES, 'pytorch');
const root = mkdtempSync(join(tmpdir(), 'pytorch-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

interface Encoded {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}
interface Expected {
  logits: { source: Encoded; decoderInput: Encoded; logits: Encoded };
  dtypes: Record<string, { shape: number[]; values: (number | string)[] }>;
  command: string;
}
const expected = JSON.parse(readFileSync(join(PYTORCH, 'expected.json'), 'utf8')) as Expected;

function tensorOf(t: Encoded): Tensor {
  const copy = new Uint8Array(Buffer.from(t.data, 'base64')).buffer;
  return Tensor.from(t.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy), t.shape);
}

function logitsOf(model: EncoderDecoder): Float32Array {
  const { source, decoderInput } = expected.logits;
  return tidy(() =>
    T.noGrad(() => Float32Array.from(T.contiguous(model.forward(tensorOf(source), tensorOf(decoderInput))).floats())),
  );
}

/** A Marian folder: the tokenizer of test/fixtures/marian, the tiny config, and `weights` under `as`. */
function folder(name: string, weights: string, as: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const file of ['vocab.json', 'source.spm', 'target.spm', 'tokenizer_config.json'])
    copyFileSync(join(FIXTURES, 'marian', file), join(dir, file));
  copyFileSync(join(PYTORCH, 'config.json'), join(dir, 'config.json'));
  copyFileSync(weights, join(dir, as));
  return dir;
}

const twin = folder('twin', join(PYTORCH, 'model.safetensors'), 'model.safetensors');
const SOURCES = [
  [5, 17, 42, 99, 0],
  [7, 8, 0],
  [100, 200, 300, 50, 60, 70, 0],
  [3, 0],
];

/** One line, naming the file: how every refusal must read. */
function assertOneLine(error: unknown, file: string): void {
  assert.ok(error instanceof InputError, `not an InputError: ${String(error)}`);
  assert.ok(!error.message.includes('\n'), error.message);
  assert.ok(error.message.includes(file), `${error.message} does not name ${file}`);
}

for (const format of ['zip', 'legacy']) {
  test(`a Marian folder with a ${format}-format pytorch_model.bin computes its safetensors twin's logits and translations`, async () => {
    const dir = folder(format, join(PYTORCH, `${format}.bin`), 'pytorch_model.bin');
    const [ours, theirs] = [await loadMarian(dir), await loadMarian(twin)];
    const [a, b] = [logitsOf(ours.model), logitsOf(theirs.model)];
    assert.deepEqual(a, b);
    const torch = tensorOf(expected.logits.logits).floats();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - torch[i]));
    assert.ok(worst < 1e-5, `logits differ from torch.load's by up to ${worst}`);
    for (const beam of [1, 3]) {
      const options = { beam, maxLenA: 0, maxLenB: 12 };
      assert.deepEqual(translateIds(ours.model, SOURCES, options), translateIds(theirs.model, SOURCES, options));
    }
  });
}

test('every tied name of a checkpoint may share one storage; views with offsets and strides are gathered', () => {
  const tensors = readPytorchCheckpoint(join(PYTORCH, 'zip.bin'));
  const shared = tensors.get('model.shared.weight')!;
  for (const alias of ['model.encoder.embed_tokens.weight', 'model.decoder.embed_tokens.weight', 'lm_head.weight'])
    assert.deepEqual(tensors.get(alias)!.data, shared.data);
  // q_proj, k_proj and v_proj were saved as three row blocks of one storage, fc1.weight transposed.
  const q = tensors.get('model.encoder.layers.0.self_attn.q_proj.weight')!;
  const v = tensors.get('model.encoder.layers.0.self_attn.v_proj.weight')!;
  assert.deepEqual(q.shape, [8, 8]);
  assert.notDeepEqual(q.data, v.data);
  const legacy = readPytorchCheckpoint(join(PYTORCH, 'legacy.bin'));
  for (const [name, t] of tensors) assert.deepEqual(legacy.get(name), t, name);
  assert.deepEqual(
    [...legacy.keys()].filter((k) => !tensors.has(k)),
    ['model.encoder.embed_positions.weight', 'model.decoder.embed_positions.weight'],
  );
});

test('other dtypes, views and protocol 4 read as torch.load reads them', () => {
  const tensors = readPytorchCheckpoint(join(PYTORCH, 'dtypes.bin'));
  assert.deepEqual([...tensors.keys()], Object.keys(expected.dtypes));
  const dtypes = { half: 'F16', bfloat16: 'BF16', double: 'F64', long: 'I32', bool: 'I32', scalar: 'F32' };
  for (const [name, dtype] of Object.entries(dtypes)) assert.equal(tensors.get(name)!.dtype, dtype, name);
  for (const [name, { shape, values }] of Object.entries(expected.dtypes)) {
    const t = tensors.get(name)!;
    assert.deepEqual(t.shape, shape, name);
    const numbers = values.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v)));
    assert.deepEqual(Array.from(t.data), numbers, name);
  }
});

test('a pickle that would run a command is refused in one line naming its global, and nothing runs', async () => {
  const globals = {
    'evil-system.bin': 'posix.system',
    'evil-eval.bin': '__builtin__.eval',
    'evil-module.bin': 'torch.nn.modules.linear.Linear',
  };
  for (const [file, global] of Object.entries(globals)) {
    const path = join(PYTORCH, file);
    assert.throws(
      () => readPytorchCheckpoint(path),
      (error: unknown) => {
        assertOneLine(error, path);
        assert.ok(error instanceof PytorchError);
        assert.match(error.message, new RegExp(`refused the global ${global.replaceAll('.', '\\.')}:`));
        return true;
      },
    );
    const dir = folder(`evil-${global}`, path, 'pytorch_model.bin');
    await assert.rejects(loadMarian(dir), (error: unknown) => (assertOneLine(error, dir), true));
  }
  assert.ok(!existsSync(join(process.cwd(), expected.command.split(' ')[1])));
});

/** A state dict's pickle, protocol 2, of the given body between PROTO and STOP (none when the body ends in "|"). */
const pickle = (body: string) =>
  Buffer.from(body.endsWith('|') ? `\x80\x02${body.slice(0, -1)}` : `\x80\x02${body}.`, 'latin1');

test('opcodes a state dict does not use are refused by name', () => {
  const cases: [string, RegExp][] = [
    ['(cos\nsystem\nS"ls"\ni', /refused the global os\.system/],
    ['}(\x8c\x05posix\x8c\x06system\x93', /refused the global posix\.system/],
    ['(\x81', /opcode NEWOBJ is not allowed/],
    ['(o', /opcode OBJ is not allowed/],
    ['\x82\x01', /opcode EXT1 is not allowed/],
    ['P1\n', /opcode PERSID is not allowed/],
    ['\xff', /unknown opcode 0xff/],
    ['ccollections\nOrderedDict\n)R|', /the file ends before the pickle STOP/],
    ['ccollections\nOrderedDict\n)RX\x09\x00\x00\x00a|', /the file ends inside an opcode's argument/],
    ['ccollections\nOrderedDict\n(K\x01tR', /arguments a state dict does not use/],
    ['ccollections\nOrderedDict\n)Rh\x07', /memo entry 7 was never stored/],
    ['ccollections\nOrderedDict\n)RX\x01\x00\x00\x00aK\x01s', /"a" is not a tensor/],
    ['ccollections\nOrderedDict\n)R00', /the stack is empty/],
    [']', /no dict of tensors/],
  ];
  for (const [body, message] of cases)
    assert.throws(
      () => readStateDictPickle(pickle(body), 0, 'x.bin'),
      (error: unknown) => (assertOneLine(error, 'x.bin'), assert.match((error as Error).message, message), true),
      JSON.stringify(body),
    );
});

test('a cut-short or corrupt checkpoint is refused in one line naming it', () => {
  for (const format of ['zip', 'legacy']) {
    const bytes = new Uint8Array(readFileSync(join(PYTORCH, `${format}.bin`)));
    for (let cut = 0; cut < bytes.length; cut += 997) {
      const name = `${format}.bin cut at ${cut}`;
      assert.throws(
        () => parsePytorchCheckpoint(bytes.subarray(0, cut), name),
        (error: unknown) => (assertOneLine(error, name), true),
      );
    }
  }
  assert.throws(() => parsePytorchCheckpoint(Buffer.from('{"not": "a checkpoint"}'), 'x.bin'), /neither a zip/);
});

test('stored positions that are not the sinusoids, or a folder without weights, are refused in one line', async () => {
  const bytes = new Uint8Array(readFileSync(join(PYTORCH, 'legacy.bin')));
  const table = readPytorchCheckpoint(join(PYTORCH, 'legacy.bin')).get('model.decoder.embed_positions.weight')!;
  const row = new Uint8Array(Float32Array.from(table.data.subarray(8, 24)).buffer); // rows 1 and 2
  const at = Buffer.from(bytes).lastIndexOf(Buffer.from(row));
  assert.ok(at > 0);
  bytes[at + 3] ^= 0x40; // the first value's exponent
  const file = join(root, 'bad-positions.bin');
  writeFileSync(file, bytes);
  const dir = folder('bad-positions', file, 'pytorch_model.bin');
  await assert.rejects(loadMarian(dir), (error: unknown) => {
    assertOneLine(error, dir);
    assert.match((error as Error).message, /embed_positions\.weight: not the sines-then-cosines table/);
    return true;
  });
  const empty = folder('no-weights', join(PYTORCH, 'config.json'), 'README.md');
  await assert.rejects(loadMarian(empty), /model\.safetensors: missing, and there is no pytorch_model\.bin either/);
});
