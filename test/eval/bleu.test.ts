// BLEU on cases worked out by hand: perfect and empty hypotheses, the brevity penalty, clipping
// against several references, the closest reference length, smoothing, signatures, number format.

import test from 'node:test';
import assert from 'node:assert/strict';

import {
  bleuStatistics,
  closestRefLen,
  computeBleu,
  corpusBleu,
  formatBleu,
  formatFixed,
  sentenceBleu,
} from '../../src/eval/index.js';

const near = (actual: number, expected: number, what = '') =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} vs ${expected}`);

test('a perfect match scores 100', () => {
  const s = corpusBleu(['The cat sat on the mat.'], [['The cat sat on the mat.']]);
  near(s.score, 100); // exp(mean(log 100)) is 100.00000000000004 in Python too
  assert.deepEqual(s.precisions, [100, 100, 100, 100]);
  assert.equal(s.bp, 1);
  assert.equal(s.ratio, 1);
  assert.equal(s.signature, 'nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0');
});

test('an empty hypothesis scores 0 with a zero brevity penalty', () => {
  const s = corpusBleu([''], [['The cat sat on the mat.']]);
  assert.equal(s.score, 0);
  assert.equal(s.bp, 0);
  assert.equal(s.sysLen, 0);
  assert.equal(s.refLen, 7);
  assert.deepEqual(s.totals, [0, 0, 0, 0]);
});

test('the brevity penalty is exp(1 - r/c) for a short hypothesis, and 1 for a long one', () => {
  const short = corpusBleu(['a b c d'], [['a b c d e f']]);
  assert.deepEqual(short.precisions, [100, 100, 100, 100]);
  near(short.bp, Math.exp(1 - 6 / 4));
  near(short.score, 100 * Math.exp(-0.5));
  near(short.ratio, 4 / 6);
  const long = corpusBleu(['a b c d e f'], [['a b c d']]);
  assert.equal(long.bp, 1);
});

test('the closest reference length counts, ties going to the shorter reference', () => {
  assert.equal(closestRefLen(5, [4, 6]), 4);
  assert.equal(closestRefLen(5, [6, 4]), 4);
  assert.equal(closestRefLen(5, [7, 2, 6]), 6);
  const s = bleuStatistics(['a b c d e'], [['a b c d'], ['a b c d e f']]);
  assert.equal(s.refLen, 4);
  assert.equal(bleuStatistics(['a b c'], [['x y z w v u'], ['a b']]).refLen, 2);
});

test('matches are clipped by the largest count in any one reference', () => {
  const s = bleuStatistics(['the the the'], [['the cat'], ['the the dog']]);
  assert.deepEqual(s.correct, [2, 1, 0, 0]);
  assert.deepEqual(s.total, [3, 2, 1, 0]);
  assert.equal(s.nrefs, 2);
});

test('an empty reference is a missing one: nrefs becomes "var"; none at all is an error', () => {
  const s = corpusBleu(
    ['a b', 'c d'],
    [
      ['a b', 'c d'],
      ['a b', ''],
    ],
  );
  assert.match(s.signature, /^nrefs:var\|/);
  assert.throws(() => corpusBleu(['a', 'b'], [['a', '']]), /segment 2: every reference is empty/);
  assert.throws(() => corpusBleu(['a', 'b'], [['a']]), /reference stream 1 has 1 lines, the hypotheses 2/);
});

test('lowercase folds case on both sides and says so in the signature', () => {
  const hyp = ['The Cat Sat On The Mat'];
  const ref = [['the cat sat on the mat']];
  assert.ok(corpusBleu(hyp, ref).score < 50);
  const s = corpusBleu(hyp, ref, { lowercase: true });
  near(s.score, 100);
  assert.match(s.signature, /\|case:lc\|/);
});

test('smoothing: exp, floor, add-k and none on one missing 4-gram', () => {
  // Hypothesis "a b c d", reference "a b c e": matches 3/4, 2/3, 1/2, 0/1.
  const run = (smoothMethod: 'none' | 'floor' | 'add-k' | 'exp', smoothValue?: number) =>
    corpusBleu(['a b c d'], [['a b c e']], { tokenize: 'none', smoothMethod, smoothValue });
  const geo = (...p: number[]) => Math.exp(p.reduce((s, x) => s + Math.log(x), 0) / p.length);
  near(run('exp').score, geo(75, 200 / 3, 50, 50), 'exp');
  near(run('floor').score, geo(75, 200 / 3, 50, 10), 'floor 0.1');
  near(run('floor', 0.5).score, geo(75, 200 / 3, 50, 50), 'floor 0.5');
  near(run('add-k').score, geo(75, 75, 200 / 3, 50), 'add-k 1');
  assert.deepEqual(run('add-k').counts, [3, 3, 2, 1]); // as sacreBLEU reports them, k included
  assert.equal(run('none').score, 0);
  assert.match(run('floor').signature, /\|smooth:floor\[0\.10\]\|/);
  assert.match(run('add-k', 2).signature, /\|smooth:add-k\[2\.00\]\|/);
  assert.match(run('none').signature, /\|smooth:none\|/);
});

test('effective order: a two-word sentence scores 100 with it and 0 without', () => {
  near(sentenceBleu('a test', ['a test']).score, 100);
  assert.match(sentenceBleu('a test', ['a test']).signature, /\|eff:yes\|/);
  assert.equal(corpusBleu(['a test'], [['a test']]).score, 0);
  assert.equal(sentenceBleu('a test', ['a test'], { effectiveOrder: false }).score, 0);
});

test('BLEU from statistics, and an upper n-gram order', () => {
  const s = computeBleu(
    { correct: [9, 7, 5, 3], total: [10, 8, 6, 4], sysLen: 11, refLen: 11, nrefs: 1 },
    { smoothMethod: 'none' },
  );
  near(s.score, 100 * Math.exp((Math.log(0.9) + Math.log(7 / 8) + Math.log(5 / 6) + Math.log(3 / 4)) / 4));
  const one = corpusBleu(['a b x'], [['a b c']], { maxNgramOrder: 1 });
  near(one.score, 200 / 3);
  assert.equal(one.precisions.length, 1);
});

test("sacreBLEU's test value for the intl tokenizer on its README example", () => {
  const refs = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ];
  const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  assert.ok(Math.abs(corpusBleu(hyps, refs, { tokenize: 'intl' }).score - 43.91623493) < 1e-8);
});

test("numbers print as Python's format does: exact ties round to even", () => {
  assert.equal(formatFixed(0.125, 2), '0.12');
  assert.equal(formatFixed(0.375, 2), '0.38');
  assert.equal(formatFixed(37.25, 1), '37.2');
  assert.equal(formatFixed(2.5, 0), '2');
  assert.equal(formatFixed(3.5, 0), '4');
  assert.equal(formatFixed(-0.125, 2), '-0.12');
  assert.equal(formatFixed(1.005, 2), '1.00'); // 1.005 is stored a little below
  assert.equal(formatFixed(20.796506, 2), '20.80');
  const line = formatBleu({
    score: 30.1234,
    precisions: [61.25, 36, 23.75, 15.8],
    bp: 1,
    ratio: 1.0125,
    sysLen: 81,
    refLen: 80,
  });
  assert.equal(line, 'BLEU = 30.12 61.2/36.0/23.8/15.8 (BP = 1.000 ratio = 1.012 hyp_len = 81 ref_len = 80)');
});
