// chrF and chrF++ on cases worked out by hand, and on values from sacreBLEU's own tests.

import test from 'node:test';
import assert from 'node:assert/strict';

import { corpusChrf, sentenceChrf } from '../../src/eval/index.js';

const near = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < tol, `${actual} vs ${expected}`);

test('identical text scores 100; whitespace does not count', () => {
  const s = corpusChrf(['a b c'], [['abc']]);
  assert.equal(s.score, 100);
  assert.equal(s.name, 'chrF2');
  assert.equal(s.signature, 'nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0');
});

test('hand-computed scores average precision and recall over the orders both sides have', () => {
  // "abc" vs "abd": 1-grams P = R = 2/3, 2-grams 1/2, 3-grams 0; orders 4..6 absent.
  near(sentenceChrf('ab c', ['abd']).score, (100 * 7) / 18);
  // "ab" vs "abc": P = 1, 1; R = 2/3, 1/2, so R = 7/12 and F2 = 5 * 7/12 / (4 + 7/12) = 7/11.
  near(sentenceChrf('ab', ['abc']).score, 700 / 11);
  // "aa" vs "ab": 1-grams 1/2, 2-grams 0.
  near(sentenceChrf('aa', ['ab']).score, 25);
  assert.equal(sentenceChrf('', ['abc']).score, 0);
  assert.equal(sentenceChrf('xyz', ['abc']).score, 0);
});

test('chrF++ adds word unigrams and bigrams, punctuation split off', () => {
  // Characters "ab" vs "ac": 1/2 and 0; words {a, b} vs {a, c}: 1/2 and 0.
  const s = sentenceChrf('a b', ['a c'], { wordOrder: 2 });
  near(s.score, 25);
  assert.equal(s.name, 'chrF2++');
  assert.match(s.signature, /\|nw:2\|/);
  // "word." splits into "word" and ".", so it matches "word ." word for word.
  assert.equal(sentenceChrf('a word.', ['a word .'], { wordOrder: 2 }).score, 100);
});

test('each segment takes the reference with the best F-score; statistics sum over segments', () => {
  const s = corpusChrf(
    ['abc', 'xy'],
    [
      ['abd', 'xy'],
      ['abc', 'zz'],
    ],
  );
  assert.equal(s.score, 100);
  assert.equal(s.signature.startsWith('nrefs:2|'), true);
  const two = corpusChrf(['aa', 'abc'], [['ab', 'abc']]);
  assert.deepEqual(two.statistics.slice(0, 3), [5, 5, 4]);
});

test('lowercase', () => {
  assert.ok(sentenceChrf('ABC', ['abc']).score === 0);
  assert.equal(sentenceChrf('ABC', ['abc'], { lowercase: true }).score, 100);
});

test("values from sacreBLEU's tests: beta 3, epsilon smoothing, whitespace kept", () => {
  const beta3 = { beta: 3 };
  near(corpusChrf(['aa'], [['ab']], { ...beta3, epsSmoothing: true }).score, 8.3333, 1e-4);
  near(corpusChrf(['a b c'], [['abc']], { ...beta3, epsSmoothing: true }).score, 50, 1e-4);
  near(corpusChrf(['a', 'b'], [['a', 'c']], beta3).score, 50, 1e-4);
  near(
    corpusChrf(
      ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
      [['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.']],
      { ...beta3, whitespace: true },
    ).score,
    67.3481606,
    1e-4,
  );
  near(
    sentenceChrf(
      'Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
      ['Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.'],
      { epsSmoothing: true },
    ).score,
    39.14078509,
    1e-4,
  );
});
