// Conformance with subword-nmt: its 1,000 merges on its own test corpus, and the corpus segmented by them.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { sharedDataPath, skipWithoutSharedData } from '../helpers/shared-data.js';

import { countWords, formatCodes, learnSubwordNmt, parseCodes, SubwordNmtApplier } from '../../src/tokenizer/index.js';

// Third-party files beside the repository (never copied into it): ../shared/data/bpe.
const dir = sharedDataPath('bpe');
const present = existsSync(`${dir}corpus.en`);
const skip = skipWithoutSharedData('bpe');
const skipData = skip || (!present && `${dir} is missing`);

function lines(name: string): string[] {
  const all = readFileSync(`${dir}${name}`, 'utf8').split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

test('the subword-nmt reference data is present', { skip }, () => {
  assert.ok(
    present,
    `${dir} is missing: the BPE conformance tests need the shared data (set TRANSFORMER_SHARED_DATA, or TRANSFORMER_ALLOW_NO_SHARED_DATA=1 to skip them)`,
  );
});

test('learning reproduces subword-nmt bpe.ref merge for merge', { skip: skipData }, () => {
  const merges = learnSubwordNmt(countWords(lines('corpus.en')), 1000);
  const expected = lines('bpe.ref');
  const got = formatCodes(merges).split('\n').slice(0, -1);
  assert.equal(got[0], expected[0]);
  for (let i = 1; i < expected.length; i++) assert.equal(got[i], expected[i], `merge ${i}`);
  assert.equal(got.length, expected.length);
});

test('applying bpe.ref reproduces corpus.bpe.ref.en line for line', { skip: skipData }, () => {
  const applier = new SubwordNmtApplier(parseCodes(readFileSync(`${dir}bpe.ref`, 'utf8')));
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
