// openModelFolderFrom: a folder's files from memory, a URL or picked File objects open to what
// openModelFolder gives for the same folder on disk (ours and Marian's), and a broken folder is refused
// with the same error, naming the same file.

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { translateLines } from '../../src/decode/translate-lines.js';
import type { FolderSource } from '../../src/io/folder-source.js';
import { fetchedFolder, memoryFolder, pickedFolder } from '../../src/io/folder-sources.js';
import { openModelFolder, openModelFolderFrom, type OpenedFolder } from '../../src/io/open-folder.js';
import type { EncoderDecoder } from '../../src/model/index.js';
import type { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { makeServeFixture, sentences, type ServeFixture } from '../serve/serve-fixture.js';

const MARIAN = fileURLToPath(new URL('../../../test/fixtures/marian', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'open-from-source-'));
let ours: ServeFixture;
test.before(async () => {
  ours = await makeServeFixture();
});
test.after(() => {
  ours?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

/** The folder's files in memory, named in messages as the folder on disk is. */
function inMemory(dir: string): FolderSource {
  return memoryFolder(
    new Map(readdirSync(dir).map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))])),
    dir,
  );
}

/** The same model and tokenizer; a tokenizer that records where it was read from may name another place. */
function assertSameFolder(actual: OpenedFolder, expected: OpenedFolder, place?: string): void {
  assert.equal(actual.format, expected.format);
  assert.deepEqual(actual.search, expected.search);
  assert.deepEqual(actual.marian, expected.marian);
  assert.equal(Object.getPrototypeOf(actual.model), Object.getPrototypeOf(expected.model));
  assert.deepEqual(actual.model.config, expected.model.config);
  const parameters = expected.model.namedParameters();
  assert.deepEqual([...actual.model.namedParameters().keys()], [...parameters.keys()]);
  for (const [name, p] of actual.model.namedParameters())
    assert.deepEqual(p.dense(), parameters.get(name)!.dense(), name);
  assert.equal(actual.model.training, false);
  const renamed =
    place === undefined
      ? expected.tokenizer
      : Object.assign(Object.create(Object.getPrototypeOf(expected.tokenizer)), expected.tokenizer, {
          vocabFile: place,
        });
  assert.deepStrictEqual(actual.tokenizer, renamed);
}

test('our folder from memory opens to what openModelFolder gives, and translates the same', async () => {
  const expected = await openModelFolder(ours.dir);
  const actual = await openModelFolderFrom(inMemory(ours.dir));
  assert.ok(expected.tokenizer !== null);
  assertSameFolder(actual, expected);
  const translate = (opened: OpenedFolder, beam: number) =>
    translateLines(opened.model as EncoderDecoder, opened.tokenizer as Tokenizer, sentences, { beam });
  assert.deepEqual(translate(actual, 1), translate(expected, 1));
  assert.deepEqual(translate(actual, 4), translate(expected, 4));
  const withoutTokenizer = await openModelFolderFrom(inMemory(ours.dir), { tokenizer: false });
  assert.equal(withoutTokenizer.tokenizer, null);
});

test('a Marian folder from memory opens to what openModelFolder gives', async () => {
  const expected = await openModelFolder(MARIAN);
  const actual = await openModelFolderFrom(inMemory(MARIAN));
  assert.equal(actual.format, 'marian');
  assertSameFolder(actual, expected);
  const ids = actual.tokenizer!.encode('a b c', { addEos: true });
  assert.deepEqual(ids, expected.tokenizer!.encode('a b c', { addEos: true }));
  assert.equal(actual.tokenizer!.decode(ids), expected.tokenizer!.decode(ids));
});

/** A copy of `from` in root/name, changed by `edit`. */
function brokenCopy(from: string, name: string, edit: (dir: string) => void): string {
  const dir = join(root, name);
  cpSync(from, dir, { recursive: true });
  edit(dir);
  return dir;
}

test('a broken folder is refused in the same words from memory as from disk', async () => {
  const cases: [string, string][] = [
    ['no folder at all', join(root, 'nowhere')],
    ['ours: bad config key', brokenCopy(ours.dir, 'bad-key', (d) => patchJson(d, 'config.json', { dModel: 'wide' }))],
    ['ours: no weights', brokenCopy(ours.dir, 'no-weights', (d) => rmSync(join(d, 'model.safetensors')))],
    ['ours: truncated weights', brokenCopy(ours.dir, 'cut-weights', (d) => truncate(join(d, 'model.safetensors')))],
    [
      'ours: bad tokenizer',
      brokenCopy(ours.dir, 'bad-tokenizer', (d) => writeFileSync(join(d, 'tokenizer.json'), '{')),
    ],
    ['marian: no source.spm', brokenCopy(MARIAN, 'no-spm', (d) => rmSync(join(d, 'source.spm')))],
    ['marian: no weights', brokenCopy(MARIAN, 'marian-no-weights', (d) => rmSync(join(d, 'model.safetensors')))],
    [
      'marian: bad generation',
      brokenCopy(MARIAN, 'gen', (d) => writeFileSync(join(d, 'generation_config.json'), '{"num_beams": 0}')),
    ],
    ['marian: vocab too big', brokenCopy(MARIAN, 'vocab', (d) => patchJson(d, 'config.json', { vocab_size: 10 }))],
  ];
  for (const [what, dir] of cases) {
    const fromDisk = await openModelFolder(dir).then(
      () => assert.fail(`${what}: opened`),
      (error: Error) => error,
    );
    const files = new Map<string, Uint8Array>();
    try {
      for (const name of readdirSync(dir)) files.set(name, new Uint8Array(readFileSync(join(dir, name))));
    } catch {
      // the folder does not exist: no files
    }
    const fromMemory = await openModelFolderFrom(memoryFolder(files, dir)).then(
      () => assert.fail(`${what}: opened from memory`),
      (error: Error) => error,
    );
    assert.equal(fromMemory.constructor, fromDisk.constructor, what);
    assert.equal(fromMemory.message, fromDisk.message, what);
    assert.ok(fromDisk.message.includes(dir), `${what}: ${fromDisk.message}`);
  }
});

function patchJson(dir: string, name: string, change: Record<string, unknown>): void {
  const json = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, name), JSON.stringify({ ...json, ...change }));
}

function truncate(path: string): void {
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 100));
}

/** A fetch over the folder's files: a missing file is a 404, `failing` answers 500. */
function fakeFetch(dir: string, failing = ''): typeof fetch {
  return async (input) => {
    const name = new URL(String(input)).pathname.split('/').pop()!;
    if (name === failing) return new Response('', { status: 500 });
    try {
      return new Response(readFileSync(join(dir, name)));
    } catch {
      return new Response('', { status: 404 });
    }
  };
}

test('a folder fetched from a URL opens to the same model, and names the URL in errors', async () => {
  const expected = await openModelFolder(MARIAN);
  const actual = await openModelFolderFrom(
    fetchedFolder('https://example.test/models/marian', { fetch: fakeFetch(MARIAN) }),
  );
  assertSameFolder(actual, expected, 'https://example.test/models/marian/vocab.json');
  await assert.rejects(
    openModelFolderFrom(
      fetchedFolder('https://example.test/models/marian/', { fetch: fakeFetch(MARIAN, 'vocab.json') }),
    ),
    { message: 'https://example.test/models/marian/vocab.json: cannot read it (HTTP 500)' },
  );
  await assert.rejects(
    openModelFolderFrom(fetchedFolder('https://example.test/nothing/', { fetch: fakeFetch(root) })),
    {
      message:
        'https://example.test/nothing/config.json: cannot read it (ENOENT); is https://example.test/nothing/ a model folder?',
    },
  );
});

test('picked files open to the same model; files of subfolders are not the folder', async () => {
  const expected = await openModelFolder(ours.dir);
  const picked = (prefix: string) =>
    readdirSync(ours.dir).map((name) => {
      const file = new File([readFileSync(join(ours.dir, name))], name);
      if (prefix !== '') Object.defineProperty(file, 'webkitRelativePath', { value: `${prefix}${name}` });
      return file;
    });
  assertSameFolder(await openModelFolderFrom(pickedFolder(picked(''))), expected);
  assertSameFolder(await openModelFolderFrom(pickedFolder(picked('model/'))), expected);
  await assert.rejects(openModelFolderFrom(pickedFolder(picked('model/deeper/'))), {
    message: 'config.json: cannot read it (ENOENT); is the picked folder a model folder?',
  });
});
