// One UTF-8 check for every way text comes in: a file streamed, standard input streamed in arbitrary
// chunks, and a whole buffer give the same lines and, on a bad byte, the same error but for the name.

import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { allLines, checkUtf8, CorpusError, readLines, textLines } from '../../src/data/lines.js';
import { tempDir } from './helpers.js';

async function fromFile(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(path)) lines.push(line);
  return lines;
}

/** The bytes as a stream cut into pieces of `size` bytes, cutting through multi-byte characters. */
const pieces = (bytes: Buffer, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)),
  );

test('a file, a chunked stream and a buffer give the same lines', async (t) => {
  const bytes = Buffer.from('\ufeffFußgänger 🚶\r\n\nzwei\nohne Ende');
  const path = join(tempDir(t), 'text.txt');
  writeFileSync(path, bytes);
  const want = ['Fußgänger 🚶', '', 'zwei', 'ohne Ende'];
  assert.deepEqual(await fromFile(path), want);
  assert.deepEqual(textLines(bytes, 'x'), want);
  for (const size of [1, 2, 3, 7]) assert.deepEqual(await allLines(pieces(bytes, size)), want, `pieces of ${size}`);
});

test('a bad byte: the same message for a file, standard input and a buffer, naming each', async (t) => {
  const bytes = Buffer.concat([Buffer.from('gut\n\ufeffé '), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from('\n')]);
  const path = join(tempDir(t), 'bad.txt');
  writeFileSync(path, bytes);
  const message = (name: string) => `${name}:2: invalid UTF-8 byte 0xe2 at byte column 7`;
  await assert.rejects(fromFile(path), { name: 'CorpusError', message: message(path) });
  await assert.rejects(allLines(pieces(bytes, 2)), { name: 'CorpusError', message: message('stdin') });
  assert.throws(() => textLines(bytes, 'buffer'), { message: message('buffer') });
  assert.throws(
    () => checkUtf8(bytes, 'whole'),
    (error: Error) => error instanceof CorpusError && error.message === message('whole'),
  );
  assert.doesNotThrow(() => checkUtf8(Buffer.from('fine\n'), 'whole'));
});

test('reading a folder names it', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(fromFile(dir), { code: 'EISDIR', path: dir });
});
