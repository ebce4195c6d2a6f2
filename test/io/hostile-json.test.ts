// JSON files that lie: nested 100,000 levels deep, broken across lines, ids with gaps. Every reader
// answers with one line naming the file, whatever the nesting.

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { InputError } from '../../src/errors.js';
import { loadMarian } from '../../src/io/marian.js';
import { loadModel, loadTokenizer, saveModel } from '../../src/io/model-folder.js';
import { parseJson } from '../../src/io/json.js';
import { oneLine, quoteJson } from '../../src/quote.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { createModel, makeConfig } from '../../src/model/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { MarianTokenizer } from '../../src/tokenizer/marian-tokenizer.js';

const MARIAN = fileURLToPath(new URL('../../../test/fixtures/marian/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hostile-json-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);
const DEEP_OBJECT = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);

async function refused(load: () => Promise<unknown> | unknown, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(
    async () => load(),
    (error: Error) => {
      assert.ok(error instanceof InputError, `not an InputError: ${error.stack}`);
      assert.ok(!error.message.includes('\n'), `not one line: ${error.message}`);
      assert.ok(error.message.includes(file), `${file} is not named: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('parseJson: depth limit, one-line syntax errors; quoteJson and oneLine bound what they print', () => {
  const fail = (problem: string) => new InputError(problem);
  assert.deepEqual(parseJson('{"a": [[1]]}', fail), { a: [[1]] });
  assert.throws(
    () => parseJson(DEEP, fail),
    (e: Error) => e instanceof InputError && e.message === 'nested deeper than 64 levels',
  );
  assert.throws(() => parseJson(DEEP_OBJECT, fail), /nested deeper than 64 levels/);
  assert.throws(
    () => parseJson('{\n"a": }', fail),
    (e: Error) => /^not valid JSON \(.*\)$/.test(e.message) && !e.message.includes('\n'),
  );
  assert.equal(quoteJson('a\nb'), '"a\\nb"');
  assert.equal(quoteJson('x'.repeat(500)).length, 83);
  const deep: unknown[] = [];
  let inner = deep;
  for (let i = 0; i < 100_000; i++) inner.push((inner = []));
  assert.equal(quoteJson(deep), '[...]');
  assert.equal(oneLine('a\u2028b\rc\u0000'), 'a\\u2028b\\rc\\u0000');
});

test('our model folder: config.json and tokenizer.json nested too deep are refused in one line', async () => {
  const dir = join(root, 'ours');
  const tokenizerPath = join(root, 'tok.json');
  await learnBpe(['the cat sat on the mat'], { vocabSize: 270 }).save(tokenizerPath);
  await saveModel(dir, createModel(makeConfig('tiny', { vocabSize: 300 })), { tokenizerPath });
  const config = join(dir, 'config.json');
  const good = readFileSync(config, 'utf8');
  for (const text of [DEEP, DEEP_OBJECT, `${good.trimEnd().slice(0, -1)}, "layerAttention": ${DEEP}}`]) {
    writeFileSync(config, text);
    await refused(() => loadModel(dir), config, /nested deeper than 64 levels/);
  }
  writeFileSync(config, '{\n  "kind": \n}');
  await refused(() => loadModel(dir), config, /not valid JSON/);
  writeFileSync(config, good);
  const tokenizer = join(dir, 'tokenizer.json');
  writeFileSync(tokenizer, DEEP);
  await refused(() => loadTokenizer(dir), tokenizer, /nested deeper than 64 levels/);
  writeFileSync(tokenizer, '{"format": "transformer-ts/tokenizer", "version": 1, "model": "bpe", \n');
  await refused(() => loadTokenizer(dir), tokenizer, /not valid JSON/);
});

test('a safetensors header nested too deep is refused in one line', async () => {
  const file = join(root, 'deep.safetensors');
  const header = Buffer.from(`{"w": {"dtype": "F32", "shape": ${DEEP}, "data_offsets": [0, 0]}}`);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(file, Buffer.concat([prefix, header]));
  await refused(() => readSafetensors(file), file, /the header is nested deeper than 64 levels/);
});

test('Marian folders: config.json, vocab.json and tokenizer_config.json nested too deep', async () => {
  for (const name of ['config.json', 'vocab.json', 'tokenizer_config.json', 'generation_config.json']) {
    const dir = join(root, `marian-${name}`);
    cpSync(MARIAN, dir, { recursive: true });
    writeFileSync(join(dir, name), DEEP);
    await refused(() => loadMarian(dir), join(dir, name), /nested deeper than 64 levels/);
  }
});

test('vocab.json ids with gaps decode as <unk>, as in MarianTokenizer', async () => {
  const dir = join(root, 'marian-gaps');
  cpSync(MARIAN, dir, { recursive: true });
  const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
  const [piece, id] = Object.entries(vocab).find(([, i]) => i === 10)!;
  delete vocab[piece];
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  const tokenizer = await MarianTokenizer.load(dir);
  assert.equal(tokenizer.idToPiece(id), '<unk>');
  assert.equal(tokenizer.idToPiece(1e6), '<unk>', 'an id past the last piece too');
  // Like an id no piece has in HF's MarianTokenizer, it reads as the piece <unk> (whose surface is
  // U+2047), while the unknown token's own id is a special token, which decoding drops.
  const reference = await MarianTokenizer.load(MARIAN);
  const word = reference.decode([11]);
  assert.ok(word.length > 0);
  assert.equal(tokenizer.decode([11, id, 11]), `${word} \u2047 ${word}`);
  assert.equal(tokenizer.decode([11, tokenizer.unkId, 11]), reference.decode([11, reference.unkId, 11]));
  const { model } = await loadMarian(dir);
  assert.equal(model.config.vocabSize, 330, 'the model keeps the vocabulary size of config.json');
});
