// `transformer convert`: a Marian folder with pytorch_model.bin (test/fixtures/pytorch) becomes a Marian
// folder with model.safetensors whose other files are the input's, and which translates as the input
// does; an --out that holds files and a refused checkpoint are one-line errors that leave nothing behind.

import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runCliAsync } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'convert-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function pytorchFolder(name: string, weights: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const file of ['vocab.json', 'source.spm', 'target.spm', 'tokenizer_config.json'])
    copyFileSync(join(FIXTURES, 'marian', file), join(dir, file));
  copyFileSync(join(FIXTURES, 'pytorch', 'config.json'), join(dir, 'config.json'));
  copyFileSync(join(FIXTURES, 'pytorch', weights), join(dir, 'pytorch_model.bin'));
  return dir;
}

const INPUT =
  'The school was a long way from the house.\nHe said nothing.\nI had never seen such a thing in my life!\n';

test('convert writes a Marian folder with model.safetensors that translates as the pytorch_model.bin folder', async () => {
  const input = pytorchFolder('legacy', 'legacy.bin');
  const out = join(root, 'converted');
  const converted = await runCliAsync(['convert', '--model', input, '--out', out]);
  assert.equal(converted.code, 0, converted.err);
  assert.deepEqual(readdirSync(out).sort(), [
    'config.json',
    'model.safetensors',
    'source.spm',
    'target.spm',
    'tokenizer_config.json',
    'vocab.json',
  ]);
  for (const file of ['config.json', 'vocab.json', 'source.spm'])
    assert.deepEqual(readFileSync(join(out, file)), readFileSync(join(input, file)), file);
  const translate = (model: string) => runCliAsync(['translate', '--model', model, '--beam', '1'], { input: INPUT });
  const [a, b] = await Promise.all([translate(input), translate(out)]);
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out.split('\n').length, 4);
  assert.equal(b.out, a.out);
});

test('convert refuses an --out that holds files, and a pickle that would run a command, leaving nothing', async () => {
  const input = pytorchFolder('zip', 'zip.bin');
  const busy = await runCliAsync(['convert', '--model', input, '--out', input]);
  assert.equal(busy.code, 2);
  assert.match(busy.err, /--out .* already holds/);
  const evil = pytorchFolder('evil', 'evil-eval.bin');
  const out = join(root, 'never');
  const refused = await runCliAsync(['convert', '--model', evil, '--out', out]);
  assert.equal(refused.code, 1);
  assert.equal(refused.err.trim().split('\n').length, 1);
  assert.match(refused.err, /refused the global __builtin__\.eval/);
  assert.ok(!existsSync(out));
});
