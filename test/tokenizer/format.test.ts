// The tokenizer file: save, load, and clear errors for files of the wrong kind, version or content.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { learnBpe, Tokenizer } from '../../src/tokenizer/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenizer-format-'));
const tokenizer = learnBpe(['héllo wörld 日本', 'hello world', 'hello there'], {
  numMerges: 15,
  specialTokens: ['<sep>'],
});
const path = join(dir, 'tokenizer.json');

test('save then load gives the same pieces and encodings, and leaves no temporary file', async () => {
  await tokenizer.save(path);
  assert.deepEqual(readdirSync(dir), ['tokenizer.json']);
  const loaded = await Tokenizer.load(path);
  assert.equal(loaded.vocabSize, tokenizer.vocabSize);
  assert.deepEqual(loaded.spec, tokenizer.spec);
  const text = 'hello wörld <sep> 日本語 ▁';
  assert.deepEqual(loaded.encode(text, { allowSpecial: true }), tokenizer.encode(text, { allowSpecial: true }));
  const json = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(json.format, 'transformer-ts/tokenizer');
  assert.equal(json.version, 1);
  assert.equal(json.vocab.length, tokenizer.vocabSize);
});

async function loadEdited(name: string, edit: (json: Record<string, unknown>) => unknown): Promise<Tokenizer> {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(edit(json)));
  return Tokenizer.load(file);
}

test('a file of another version, kind or with inconsistent fields is an error naming the file and field', async () => {
  await tokenizer.save(path);
  await assert.rejects(
    loadEdited('v2.json', (j) => ({ ...j, version: 2 })),
    /v2\.json: field "version" is 2/,
  );
  await assert.rejects(
    loadEdited('kind.json', (j) => ({ ...j, format: 'safetensors' })),
    /kind\.json: field "format"/,
  );
  await assert.rejects(
    loadEdited('merges.json', (j) => ({ ...j, merges: [['q', 'z']] })),
    /merges\.json: field "merges" merge 0/,
  );
  await assert.rejects(
    loadEdited('vocab.json', (j) => ({ ...j, vocab: (j.vocab as string[]).slice(0, -1) })),
    /vocab\.json: field "vocab" disagrees/,
  );
  await assert.rejects(
    loadEdited('special.json', (j) => ({ ...j, specialTokens: ['<s>', '<pad>', '</s>', '<unk>'] })),
    /special\.json: field "specialTokens" special token 0 must be "<pad>"/,
  );
});

test('a corrupt or missing file is an error naming the file', async () => {
  const corrupt = join(dir, 'corrupt.json');
  writeFileSync(corrupt, readFileSync(path, 'utf8').slice(0, 100));
  await assert.rejects(Tokenizer.load(corrupt), /corrupt\.json: not valid JSON/);
  await assert.rejects(Tokenizer.load(join(dir, 'absent.json')), /absent\.json: cannot read/);
});
