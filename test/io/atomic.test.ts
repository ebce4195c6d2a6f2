// Atomic writes: a file or folder appears whole or not at all, a failure leaves the old content and no
// temporary file, and every error names the target the user gave, never the temporary name.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AtomicFile, makeFolders, writeFileAtomic, writeFolderAtomic } from '../../src/io/atomic.js';
import { readFileNamed, sameFile } from '../../src/io/files.js';
import { quote, quoteList } from '../../src/quote.js';

const root = mkdtempSync(join(tmpdir(), 'atomic-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('AtomicFile: nothing at the path before commit; abort keeps the old file; no temporary file is left', () => {
  const path = join(root, 'a.txt');
  writeFileSync(path, 'old\n');
  const file = AtomicFile.open(path);
  file.write('new ');
  file.write(Buffer.from('content\n'));
  assert.equal(readFileSync(path, 'utf8'), 'old\n');
  file.abort();
  assert.equal(readFileSync(path, 'utf8'), 'old\n');
  const again = AtomicFile.open(path);
  again.write('new\n');
  again.commit();
  again.abort(); // after commit: nothing to undo
  assert.equal(readFileSync(path, 'utf8'), 'new\n');
  assert.deepEqual(readdirSync(root), ['a.txt']);
});

test('errors name the target: a path through a file, a missing folder, a folder in the way', () => {
  writeFileSync(join(root, 'file'), 'x');
  mkdirSync(join(root, 'in-the-way'));
  const cases: [string, string][] = [
    [join(root, 'file', 'x.txt'), 'ENOTDIR'],
    [join(root, 'missing', 'x.txt'), 'ENOENT'],
    [join(root, 'in-the-way'), 'EISDIR'],
  ];
  for (const [target, code] of cases) {
    assert.throws(
      () => writeFileAtomic(target, [Buffer.from('x')]),
      (error: NodeJS.ErrnoException) => {
        assert.equal(error.code, code);
        assert.equal(error.path, target);
        assert.doesNotMatch(error.message, /\.tmp/);
        return true;
      },
      target,
    );
  }
  assert.deepEqual(readdirSync(root).sort(), ['a.txt', 'file', 'in-the-way'], 'no temporary file left');
});

test('writeFolderAtomic: the folder appears whole, or on a failure not at all; an empty folder is replaced', async () => {
  const dir = join(root, 'folder');
  await writeFolderAtomic(dir, (temp) => {
    writeFileSync(join(temp, 'one'), '1');
    writeFileSync(join(temp, 'two'), '2');
  });
  assert.deepEqual(readdirSync(dir).sort(), ['one', 'two']);
  const failed = join(root, 'failed');
  await assert.rejects(
    writeFolderAtomic(failed, (temp) => {
      writeFileSync(join(temp, 'one'), '1');
      throw new Error('half-way');
    }),
    /half-way/,
  );
  assert.ok(!readdirSync(root).some((f) => f.includes('failed')), readdirSync(root).join(' '));
  const empty = join(root, 'empty');
  mkdirSync(empty);
  await writeFolderAtomic(empty, (temp) => writeFileSync(join(temp, 'x'), 'x'));
  assert.deepEqual(readdirSync(empty), ['x']);
});

test('makeFolders creates the missing levels and names a file in the way', () => {
  makeFolders(join(root, 'p', 'q', 'r'));
  makeFolders(join(root, 'p', 'q', 'r'));
  assert.deepEqual(readdirSync(join(root, 'p', 'q')), ['r']);
  assert.throws(() => makeFolders(join(root, 'file', 'sub')), { code: 'ENOTDIR', path: join(root, 'file', 'sub') });
  assert.throws(() => makeFolders(join(root, 'file')), { code: 'ENOTDIR', path: join(root, 'file') });
});

test('sameFile sees through "..", relative paths, symbolic links and hard links; readFileNamed names a folder', () => {
  const a = join(root, 'same.txt');
  writeFileSync(a, 'x');
  symlinkSync(a, join(root, 'link.txt'));
  assert.ok(sameFile(a, join(root, 'p', '..', 'same.txt')));
  assert.ok(sameFile(a, join(root, 'link.txt')));
  assert.ok(sameFile(join(root, 'not-yet', '..', 'new.txt'), join(root, 'new.txt')));
  assert.ok(!sameFile(a, join(root, 'file')));
  assert.throws(() => readFileNamed(root), { code: 'EISDIR', path: root });
});

test('quote and quoteList keep a message on one line and short', () => {
  assert.equal(quote('a\nb\t"c"'), '"a\\nb\\t\\"c\\""');
  assert.equal(quote('x'.repeat(100), 10), '"xxxxxxxxxx"…(100 characters)');
  assert.equal(quoteList(['a', 'b']), '"a", "b"');
  assert.equal(
    quoteList(Array.from({ length: 13 }, (_, i) => i)),
    '"0", "1", "2", "3", "4", "5", "6", "7", "8", "9" and 3 more',
  );
});
