// Parallel corpora: compact storage, line-count mismatches, filters that report what they drop,
// and the real Multi30k files when they are present.

import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusFromIds, readParallelCorpus } from '../../src/data/corpus.js';
import { describeReport } from '../../src/data/filters.js';
import { sentence } from '../../src/data/token-column.js';
import { sharedData, tempDir } from './helpers.js';

/** A stand-in tokenizer: one id per whitespace-separated word, by its length and first letter. */
const words = (text: string) =>
  Int32Array.from(text.split(' ').filter(Boolean), (w) => w.length * 1000 + w.charCodeAt(0));

test('corpus: ids in one typed array plus offsets; Uint16Array when every id fits', () => {
  const small = corpusFromIds([
    [[1, 2, 3], [4]],
    [[], [5, 6]],
    [[7], [8, 9, 65535]],
  ]);
  assert.ok(small.source.ids instanceof Uint16Array);
  assert.deepEqual([...small.source.offsets], [0, 3, 3, 4]);
  assert.deepEqual([...sentence(small.target, 2)], [8, 9, 65535]);
  const big = corpusFromIds([[[1, 70000], [2]]]);
  assert.ok(big.source.ids instanceof Int32Array);
  assert.deepEqual([...sentence(big.source, 0)], [1, 70000]);
  assert.ok(big.target.ids instanceof Uint16Array, 'each side picks its own storage');
  assert.throws(() => corpusFromIds([[[-1], [1]]]), /token id -1/);
});

test('corpus: two files read in step; a different number of lines names both files and counts', async (t) => {
  const dir = tempDir(t);
  const de = join(dir, 'a.de');
  const en = join(dir, 'a.en');
  writeFileSync(de, 'ein Hund\nzwei Katzen\n');
  writeFileSync(en, 'a dog\ntwo cats\n');
  const corpus = await readParallelCorpus(de, en, { encodeSource: words });
  assert.equal(corpus.size, 2);
  assert.deepEqual([...sentence(corpus.target, 1)], [...words('two cats')]);
  writeFileSync(en, 'a dog\ntwo cats\nthree birds\nfour\n');
  await assert.rejects(
    readParallelCorpus(de, en, { encodeSource: words }),
    new RegExp(`line counts differ: ${de} has 2 lines, ${en} has 4`),
  );
  await assert.rejects(
    readParallelCorpus(en, de, { encodeSource: words }),
    new RegExp(`line counts differ: ${en} has 4 lines, ${de} has 2`),
  );
});

test('corpus: filters drop pairs and report how many for each reason', () => {
  const pair = (s: number, t: number) => [new Int32Array(s).fill(1), new Int32Array(t).fill(2)] as const;
  const corpus = corpusFromIds([pair(3, 3), pair(0, 2), pair(40, 38), pair(2, 9), pair(5, 6), pair(1, 1)], {
    minLength: 1,
    maxLength: 30,
    maxRatio: 2,
  });
  assert.equal(corpus.size, 3);
  assert.deepEqual(corpus.report, { read: 6, kept: 3, dropped: { tooShort: 1, tooLong: 1, ratio: 1 } });
  assert.equal(describeReport(corpus.report), 'kept 3 of 6 pairs; dropped 3 (too short 1, too long 1, length ratio 1)');
  assert.deepEqual([...corpus.source.offsets], [0, 3, 8, 9]);
  const unfiltered = corpusFromIds([pair(0, 0), pair(100, 1)]);
  assert.deepEqual(unfiltered.report, { read: 2, kept: 2, dropped: { tooShort: 0, tooLong: 0, ratio: 0 } });
});

test('corpus: the real Multi30k training files, streamed', async (t) => {
  const dir = sharedData(t, 'multi30k');
  if (dir === null) return;
  const bytes = (text: string) => Int32Array.from(Buffer.from(text, 'utf8'));
  const corpus = await readParallelCorpus(join(dir, 'train.de'), join(dir, 'train.en'), {
    encodeSource: bytes,
    filters: { maxLength: 200 },
  });
  assert.equal(corpus.report.read, 29000);
  assert.equal(corpus.size + corpus.report.dropped.tooLong, 29000);
  assert.ok(corpus.size > 28000);
  assert.ok(corpus.source.ids instanceof Uint16Array);
  const first = Buffer.from(sentence(corpus.source, 0)).toString('utf8');
  assert.match(first, /^\S.*\S$/u);
});
