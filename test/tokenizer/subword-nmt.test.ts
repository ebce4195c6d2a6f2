// Conformance with subword-nmt: its 1,000 merges on its own test corpus, and the corpus segmented by them
// (test/fixtures/third-party/subword-nmt).

import test from 'node:test';
import assert from 'node:assert/strict';
import { thirdPartyLines, thirdPartyText } from '../helpers/third-party.js';

import { countWords, formatCodes, learnSubwordNmt, parseCodes, SubwordNmtApplier } from '../../src/tokenizer/index.js';

const lines = (name: string) => thirdPartyLines(`subword-nmt/${name}`);

test('learning reproduces subword-nmt bpe.ref merge for merge', () => {
  const merges = learnSubwordNmt(countWords(lines('corpus.en')), 1000);
  const expected = lines('bpe.ref');
  const got = formatCodes(merges).split('\n').slice(0, -1);
  assert.equal(got[0], expected[0]);
  for (let i = 1; i < expected.length; i++) assert.equal(got[i], expected[i], `merge ${i}`);
  assert.equal(got.length, expected.length);
});

test('applying bpe.ref reproduces corpus.bpe.ref.en line for line', () => {
  const applier = new SubwordNmtApplier(parseCodes(thirdPartyText('subword-nmt/bpe.ref')));
  const input = lines('corpus.en');
  const expected = lines('corpus.bpe.ref.en');
  assert.equal(input.length, expected.length);
  input.forEach((line, i) => assert.equal(applier.applyLine(line), expected[i], `line ${i + 1}`));
});

test('apply keeps leading and trailing spaces and drops repeated ones, as apply_bpe.py does', () => {
  const applier = new SubwordNmtApplier([
    ['l', 'o'],
    ['lo', 'w</w>'],
  ]);
  assert.equal(applier.applyLine('  low  lower '), '  low lo@@ w@@ e@@ r ');
  assert.equal(applier.applyLine('x'), 'x');
});
