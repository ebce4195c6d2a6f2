// Token-budget batching: the budget (with padding) holds, every pair appears once per epoch,
// padding and BOS/EOS are right, everything follows from the seed, and a saved position resumes
// into exactly the batches an uninterrupted run yields.

import test from 'node:test';
import assert from 'node:assert/strict';
import { BatchIterator, parsePosition, type BatchOptions } from '../../src/data/batch-iterator.js';
import { planEpoch } from '../../src/data/batching.js';
import { corpusFromIds, type ParallelCorpus } from '../../src/data/corpus.js';
import { sentence } from '../../src/data/token-column.js';
import { Generator } from '../../src/tensor/random.js';

const PAD = 0;
const BOS = 1;
const EOS = 2;

/** n pairs of random lengths 1..maxLength (some long outliers), ids from 3 up. */
function randomCorpus(n: number, seed: number, maxLength = 40): ParallelCorpus {
  const rng = new Generator(seed);
  const side = () => {
    const length = 1 + (rng.nextUint32() % (rng.uniform() < 0.02 ? 4 * maxLength : maxLength));
    return Int32Array.from({ length }, () => 3 + (rng.nextUint32() % 500));
  };
  return corpusFromIds(Array.from({ length: n }, () => [side(), side()] as const));
}

const options = (seed: number, maxTokens = 400): BatchOptions => ({
  maxTokens,
  seed,
  padId: PAD,
  bosId: BOS,
  eosId: EOS,
});

test('batching: padded tokens stay within the budget on both sides; only a lone pair may exceed it', () => {
  const corpus = randomCorpus(3000, 1);
  for (const maxTokens of [64, 400, 2500]) {
    const batches = planEpoch(corpus, options(5, maxTokens), 0);
    const it = new BatchIterator(corpus, options(5, maxTokens));
    let singles = 0;
    for (let k = 0; k < batches.length; k++) {
      const b = it.next();
      if (b.size === 1) singles++;
      else {
        assert.ok(b.size * b.sourceLength <= maxTokens, `source ${b.size} x ${b.sourceLength} > ${maxTokens}`);
        assert.ok(b.size * b.targetLength <= maxTokens, `target ${b.size} x ${b.targetLength} > ${maxTokens}`);
      }
    }
    // Sorting by length keeps padding low on the sorted (source) side.
    let real = 0;
    let padded = 0;
    for (const idx of batches) {
      const lengths = [...idx].map((i) => corpus.source.offsets[i + 1] - corpus.source.offsets[i]);
      real += lengths.reduce((a, b) => a + b, 0);
      padded += idx.length * Math.max(...lengths);
    }
    assert.ok(real / padded > 0.9, `source padding ${(1 - real / padded).toFixed(3)}`);
    if (maxTokens >= 400)
      assert.ok(singles < batches.length / 10, `${singles} single-pair batches of ${batches.length}`);
  }
  const capped = planEpoch(corpus, { ...options(5, 100000), maxSentences: 7 }, 0);
  assert.ok(capped.every((b) => b.length <= 7));
});

test('batching: every pair appears exactly once per epoch, and batch order differs between epochs', () => {
  const corpus = randomCorpus(2000, 2);
  const orders: string[] = [];
  for (const epoch of [0, 1]) {
    const batches = planEpoch(corpus, options(9), epoch);
    const seen = new Int32Array(corpus.size);
    for (const b of batches) for (const i of b) seen[i]++;
    assert.ok(seen.every((c) => c === 1));
    orders.push(batches.map((b) => b.join(',')).join(';'));
  }
  assert.notEqual(orders[0], orders[1]);
});

test('batching: source, decoder input (BOS + y) and output (y + EOS) are padded right, with lengths', () => {
  const corpus = corpusFromIds([
    [[10, 11, 12], [20]],
    [[13], [21, 22, 23, 24]],
  ]);
  const b = new BatchIterator(corpus, options(0, 1000)).next();
  assert.equal(b.size, 2);
  assert.equal(b.sourceLength, 3);
  assert.equal(b.targetLength, 5);
  const row = (k: number) => [...b.indices].indexOf(k);
  const [r0, r1] = [row(0), row(1)];
  const slice = (a: Int32Array, r: number, w: number) => [...a.subarray(r * w, (r + 1) * w)];
  assert.deepEqual(slice(b.source, r0, 3), [10, 11, 12]);
  assert.deepEqual(slice(b.source, r1, 3), [13, PAD, PAD]);
  assert.deepEqual(slice(b.targetIn, r0, 5), [BOS, 20, PAD, PAD, PAD]);
  assert.deepEqual(slice(b.targetOut, r0, 5), [20, EOS, PAD, PAD, PAD]);
  assert.deepEqual(slice(b.targetIn, r1, 5), [BOS, 21, 22, 23, 24]);
  assert.deepEqual(slice(b.targetOut, r1, 5), [21, 22, 23, 24, EOS]);
  assert.equal(b.sourceLengths[r1], 1);
  assert.equal(b.targetLengths[r0], 2);
  assert.equal(b.targetLengths[r1], 5);
});

test('batching: every batch reproduces its pairs exactly', () => {
  const corpus = randomCorpus(500, 3);
  const it = new BatchIterator(corpus, options(4, 300));
  for (let k = 0; k < it.batchesPerEpoch; k++) {
    const b = it.next();
    for (let r = 0; r < b.size; r++) {
      const x = sentence(corpus.source, b.indices[r]);
      const y = sentence(corpus.target, b.indices[r]);
      assert.deepEqual([...b.source.subarray(r * b.sourceLength, r * b.sourceLength + x.length)], [...x]);
      assert.deepEqual([...b.targetOut.subarray(r * b.targetLength, r * b.targetLength + y.length)], [...y]);
      assert.equal(
        b.source.subarray(r * b.sourceLength + x.length, (r + 1) * b.sourceLength).every((v) => v === PAD),
        true,
      );
    }
  }
});

test('batching: the same seed gives the same batches, another seed other batches', () => {
  const corpus = randomCorpus(1000, 4);
  const ids = (seed: number) => planEpoch(corpus, options(seed), 0).map((b) => [...b]);
  assert.deepEqual(ids(11), ids(11));
  assert.notDeepEqual(ids(11), ids(12));
  // Ties among equal lengths are shuffled by the seed too, not left in corpus order.
  const uniform = corpusFromIds(
    Array.from(
      { length: 64 },
      (_, i) =>
        [
          [i + 3, 4],
          [5, 6],
        ] as const,
    ),
  );
  const first = (seed: number) => [...planEpoch(uniform, options(seed, 30), 0).flatMap((b) => [...b])];
  assert.notDeepEqual(first(1), first(2));
});

test('batching: a position saved as JSON resumes into exactly the same batches, across epochs', () => {
  const corpus = randomCorpus(600, 5);
  const opts = options(21, 500);
  const straight = new BatchIterator(corpus, opts);
  const perEpoch = straight.batchesPerEpoch;
  const expected = Array.from({ length: 3 * perEpoch }, () => straight.next());
  for (const stop of [0, 1, perEpoch - 1, perEpoch, perEpoch + 3]) {
    const first = new BatchIterator(corpus, opts);
    for (let k = 0; k < stop; k++) first.next();
    const saved = JSON.stringify(first.position);
    const resumed = new BatchIterator(corpus, opts, parsePosition(JSON.parse(saved)));
    for (let k = stop; k < stop + perEpoch + 2; k++) {
      const b = resumed.next();
      assert.deepEqual([...b.indices], [...expected[k].indices], `batch ${k} after resuming at ${stop} (${saved})`);
      assert.deepEqual(b.targetIn, expected[k].targetIn);
    }
  }
  assert.deepEqual(
    JSON.parse(JSON.stringify(new BatchIterator(corpus, opts, { epoch: 2, index: 3, seed: 21 }).position)),
    {
      epoch: 2,
      index: 3,
      seed: 21,
    },
  );
  assert.throws(() => new BatchIterator(corpus, opts, { epoch: 0, index: 0, seed: 22 }), /seed 22, not 21/);
  assert.throws(() => new BatchIterator(corpus, opts, { epoch: 0, index: 10 ** 6, seed: 21 }), /past the/);
  assert.throws(() => parsePosition({ epoch: -1, index: 0, seed: 1 }), /not a data position/);
  assert.throws(() => parsePosition('{}'), /not a data position/);
});
