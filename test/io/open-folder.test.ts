// openModelFolder: one opener for our folders and Hugging Face Marian folders, with each kind's
// tokenizer and search defaults.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadMarian } from '../../src/io/marian.js';
import { saveModel, ModelFolderError } from '../../src/io/model-folder.js';
import { folderFormat, openModelFolder, readFolderConfig, SEARCH_DEFAULTS } from '../../src/io/open-folder.js';
import { createModel, makeConfig } from '../../src/model/index.js';

const MARIAN = fileURLToPath(new URL('../../../test/fixtures/marian/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'open-folder-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('our folder opens with the paper-like search defaults, and without a tokenizer when it has none', async () => {
  const dir = join(root, 'ours');
  const model = createModel(makeConfig('tiny'));
  await saveModel(dir, model);
  assert.equal(folderFormat(dir), 'transformer-ts');
  const opened = await openModelFolder(dir);
  assert.equal(opened.format, 'transformer-ts');
  assert.deepEqual(opened.search, SEARCH_DEFAULTS);
  assert.equal(opened.tokenizer, null);
  assert.equal(opened.marian, null);
  assert.deepEqual(opened.model.config, model.config);
  assert.deepEqual(readFolderConfig(dir), model.config);
});

test('a Marian folder opens with its tokenizer and its own generation settings', async () => {
  const expected = await loadMarian(MARIAN);
  const opened = await openModelFolder(MARIAN);
  assert.equal(opened.format, 'marian');
  assert.equal(folderFormat(MARIAN), 'marian');
  assert.deepEqual(opened.marian, expected.generation);
  assert.equal(opened.search.beam, expected.generation.beam);
  assert.equal(opened.search.maxLenB, expected.generation.maxLength - 2);
  assert.deepEqual(opened.model.config, expected.model.config);
  assert.deepEqual(readFolderConfig(MARIAN), expected.model.config);
  const text = 'a b c';
  assert.deepEqual(opened.tokenizer!.encode(text), expected.tokenizer.encode(text));
  assert.equal((await openModelFolder(MARIAN, { tokenizer: false })).tokenizer, null);
});

test('a folder of neither kind is a ModelFolderError naming its config.json', async () => {
  const dir = join(root, 'other');
  await saveModel(dir, createModel(makeConfig('tiny')));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
  await assert.rejects(openModelFolder(dir), (error: Error) => {
    assert.ok(error instanceof ModelFolderError, String(error));
    assert.match(error.message, /config\.json/);
    return true;
  });
});
