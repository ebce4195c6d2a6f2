// The incremental merge learner against a plain recount-everything BPE, and its tie-breaking.

import test from 'node:test';
import assert from 'node:assert/strict';

import { learnMerges, type Merge } from '../../src/tokenizer/index.js';
import { compareCodePoints } from '../../src/tokenizer/unicode.js';
import { mulberry32 } from './random.js';

/** Textbook BPE: recount every pair before each merge; the largest (count, first, second) wins. */
function naiveMerges(words: string[][], counts: number[], numMerges: number): Merge[] {
  const seqs = words.map((w) => [...w]);
  const merges: Merge[] = [];
  while (merges.length < numMerges) {
    const stats = new Map<string, { pair: Merge; n: number }>();
    seqs.forEach((s, w) => {
      for (let i = 0; i + 1 < s.length; i++) {
        const k = JSON.stringify([s[i], s[i + 1]]);
        const e = stats.get(k) ?? { pair: [s[i], s[i + 1]] as Merge, n: 0 };
        e.n += counts[w];
        stats.set(k, e);
      }
    });
    let best: { pair: Merge; n: number } | undefined;
    for (const e of stats.values()) {
      const order =
        best === undefined
          ? 1
          : e.n - best.n || compareCodePoints(e.pair[0], best.pair[0]) || compareCodePoints(e.pair[1], best.pair[1]);
      if (order > 0) best = e;
    }
    if (best === undefined || best.n < 2) break;
    const [a, b] = best.pair;
    merges.push([a, b]);
    seqs.forEach((s, w) => {
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (s[i] === a && s[i + 1] === b && i + 1 < s.length) {
          out.push(a + b);
          i++;
        } else out.push(s[i]);
      }
      seqs[w] = out;
    });
  }
  return merges;
}

test('incremental learning equals recounting every pair, on random corpora with many ties and repeats', () => {
  const random = mulberry32(7);
  const alphabet = ['a', 'b', 'c', 'aa', '\uFF21', '\u{1F600}'];
  for (let trial = 0; trial < 40; trial++) {
    const words: string[][] = [];
    const counts: number[] = [];
    for (let w = 0; w < 30; w++) {
      const len = 1 + Math.floor(random() * 8);
      words.push(Array.from({ length: len }, () => alphabet[Math.floor(random() * (trial % 2 ? 3 : alphabet.length))]));
      counts.push(1 + Math.floor(random() * 4));
    }
    assert.deepEqual(learnMerges(words, counts, { numMerges: 60 }), naiveMerges(words, counts, 60), `trial ${trial}`);
  }
});

test('ties go to the largest pair in code points (an astral character sorts after U+FF21)', () => {
  const merges = learnMerges(
    [
      ['a', '\uFF21'],
      ['a', '\u{1F600}'],
    ],
    [2, 2],
    { numMerges: 1 },
  );
  assert.deepEqual(merges, [['a', '\u{1F600}']]);
  assert.ok(compareCodePoints('\u{1F600}', '\uFF21') > 0 && '\u{1F600}' < '\uFF21');
});

test('stops at minFrequency, at maxNewSymbols, and never makes a refused piece', () => {
  const words = [
    ['x', 'y'],
    ['x', 'y', 'z'],
    ['q', 'r'],
  ];
  assert.deepEqual(learnMerges(words, [1, 1, 1], { numMerges: 10 }), [['x', 'y']]);
  assert.deepEqual(learnMerges(words, [1, 1, 1], { numMerges: 10, minFrequency: 1 }).length, 3);
  assert.deepEqual(learnMerges(words, [1, 1, 1], { numMerges: 10, minFrequency: 1, maxNewSymbols: 1 }), [['x', 'y']]);
  assert.deepEqual(learnMerges(words, [1, 1, 1], { numMerges: 10, isAllowed: (p) => p !== 'xy' }), []);
});
