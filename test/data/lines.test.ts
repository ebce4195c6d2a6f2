// Streaming lines with UTF-8 checking: errors name file, line and byte column; multi-byte
// characters cut by chunk boundaries survive; the validator agrees with a strict decoder.

import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLines, CorpusError } from '../../src/data/lines.js';
import { firstInvalidUtf8 } from '../../src/data/utf8.js';
import { Generator } from '../../src/tensor/random.js';
import { tempDir } from './helpers.js';

async function collect(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(path)) lines.push(line);
  return lines;
}

test('lines: \\n and \\r\\n ends, a last line without \\n, empty lines, a leading BOM', async (t) => {
  const path = join(tempDir(t), 'a.txt');
  writeFileSync(path, '\ufeffone\r\ntwo\n\nfour');
  assert.deepEqual(await collect(path), ['one', 'two', '', 'four']);
  writeFileSync(path, 'x\n');
  assert.deepEqual(await collect(path), ['x']);
  writeFileSync(path, '');
  assert.deepEqual(await collect(path), []);
});

test('lines: a file much bigger than a chunk, with multi-byte characters across every boundary', async (t) => {
  const path = join(tempDir(t), 'big.txt');
  const expected = Array.from({ length: 20000 }, (_, i) => `${i} Fußgänger 🚶 überquert ${'ä'.repeat(i % 7)}`);
  writeFileSync(path, expected.join('\n') + '\n');
  assert.deepEqual(await collect(path), expected);
});

test('lines: an invalid byte is reported with the file, the 1-based line and byte column', async (t) => {
  const path = join(tempDir(t), 'bad.de');
  writeFileSync(path, Buffer.concat([Buffer.from('gut\nauch gut\nab'), Buffer.from([0xc3, 0x28]), Buffer.from('c\n')]));
  await assert.rejects(collect(path), (error: Error) => {
    assert.ok(error instanceof CorpusError);
    assert.equal(error.message, `${path}:3: invalid UTF-8 byte 0xc3 at byte column 3`);
    return true;
  });
  // Columns count the line's bytes in the file: here 3 of BOM, 3 of "ok ", 2 of "é", 1 space.
  writeFileSync(path, Buffer.concat([Buffer.from('\ufeffok \u00e9 '), Buffer.from([0xff])]));
  await assert.rejects(collect(path), /bad\.de:1: invalid UTF-8 byte 0xff at byte column 10$/);
});

test('utf8: first invalid byte of overlong forms, surrogates, truncations and strays', () => {
  const at = (...bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
  assert.equal(at(0x41, 0xc3, 0xa9), -1);
  assert.equal(at(0xf0, 0x9f, 0x98, 0x80), -1);
  assert.equal(at(0x41, 0xc0, 0x80), 1); // overlong NUL
  assert.equal(at(0xe0, 0x80, 0x80), 0); // overlong
  assert.equal(at(0xed, 0xa0, 0x80), 0); // surrogate U+D800
  assert.equal(at(0xf4, 0x90, 0x80, 0x80), 0); // above U+10FFFF
  assert.equal(at(0x41, 0x42, 0xe2, 0x82), 2); // cut short
  assert.equal(at(0x41, 0x80), 1); // stray continuation
});

test('utf8: agrees with a strict decoder on random byte strings', () => {
  const rng = new Generator(7);
  const strict = new TextDecoder('utf-8', { fatal: true });
  const alphabet = [
    0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff,
  ];
  let invalid = 0;
  for (let trial = 0; trial < 20000; trial++) {
    const bytes = Uint8Array.from(
      { length: 1 + (rng.nextUint32() % 6) },
      () => alphabet[rng.nextUint32() % alphabet.length],
    );
    let valid = true;
    try {
      strict.decode(bytes);
    } catch {
      valid = false;
    }
    const at = firstInvalidUtf8(bytes);
    assert.equal(at === -1, valid, `bytes ${Buffer.from(bytes).toString('hex')}`);
    if (!valid) {
      invalid++;
      assert.equal(firstInvalidUtf8(bytes, 0, at), -1, 'everything before the reported byte is valid');
    }
  }
  assert.ok(invalid > 1000);
});
