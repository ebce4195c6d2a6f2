// The encoder tasks' files: TSV and CoNLL parsing with errors naming file and line, the label vocabulary,
// and tag labels aligned to subword pieces (the first piece of a word carries its label, the rest are ignored).

import test from 'node:test';
import assert from 'node:assert/strict';
import { IGNORE_LABEL } from '../../src/data/encoder-batches.js';
import { alignWordLabels } from '../../src/train/encoder-examples.js';
import {
  labelId,
  labelVocabulary,
  parseClassificationLines,
  parseConll,
  textsToClassify,
} from '../../src/data/labelled-text.js';
import { learnBpe } from '../../src/tokenizer/index.js';
import { BOS_ID } from '../../src/tokenizer/vocab.js';

test('a classification TSV: an optional header, the label after the last tab, line numbers in errors', () => {
  const rows = parseClassificationLines(['text\tlabel', 'good film\tpos', '', 'a\tb\tneg'], 'f.tsv');
  assert.deepEqual(rows, [
    { text: 'good film', label: 'pos', line: 2 },
    { text: 'a\tb', label: 'neg', line: 4 },
  ]);
  assert.equal(parseClassificationLines(['Source\tTarget', '[MAX 1 ]\t1'], 'l.tsv').length, 1);
  assert.throws(
    () => parseClassificationLines(['ok\t1', 'no tab here'], 'f.tsv'),
    /^CorpusError: f\.tsv:2: expected text<TAB>label/,
  );
  assert.throws(() => parseClassificationLines(['ok\t'], 'f.tsv'), /f\.tsv:1: expected text<TAB>label/);
  assert.deepEqual(textsToClassify(['Source\tTarget', '[MAX 1 ]\t1']), ['[MAX 1 ]']);
  assert.deepEqual(textsToClassify(['plain\tline', 'two']), ['plain\tline', 'two']);
});

test('CoNLL columns: the first is the word, the last its label; a blank line ends a sentence', () => {
  const sentences = parseConll(
    ['-DOCSTART- -X- O', '', 'EU NNP B-ORG', 'rejects VBZ O', '', '', 'Peter\tB-PER'],
    'c.txt',
  );
  assert.deepEqual(sentences, [
    { words: ['EU', 'rejects'], labels: ['B-ORG', 'O'], line: 3 },
    { words: ['Peter'], labels: ['B-PER'], line: 7 },
  ]);
  assert.throws(
    () => parseConll(['EU B-ORG', 'lonely'], 'c.txt'),
    /^CorpusError: c\.txt:2: expected a token and its label/,
  );
});

test('labels get ids in a stable order (numbers numerically), and an unknown label names its line', () => {
  const v = labelVocabulary(['10', '9', '0', '9']);
  assert.deepEqual(v.id2label, { 0: '0', 1: '9', 2: '10' });
  assert.deepEqual(v.label2id, { 0: 0, 9: 1, 10: 2 });
  assert.deepEqual(labelVocabulary(['neg', 'pos', 'neg']).id2label, { 0: 'neg', 1: 'pos' });
  assert.throws(
    () => labelId(v, '7', 'valid.tsv', 12),
    /^CorpusError: valid\.tsv:12: unknown label "7"; the training labels are 0, 9, 10/,
  );
});

test("a word's label goes on its first piece; its other pieces and <s> are ignored", () => {
  const tokenizer = learnBpe(['the cat sat', 'the cat'], { vocabSize: 300, specialTokens: ['<mask>'] });
  const words = ['the', 'catamaran', 'sat'];
  const { ids, labels } = alignWordLabels(tokenizer, words, [3, 4, 5]);
  assert.equal(ids[0], BOS_ID);
  assert.equal(labels[0], IGNORE_LABEL);
  let at = 1;
  words.forEach((word, w) => {
    const pieces = tokenizer.encode(word);
    assert.deepEqual([...ids.subarray(at, at + pieces.length)], [...pieces]);
    assert.equal(labels[at], [3, 4, 5][w]);
    for (let k = 1; k < pieces.length; k++) assert.equal(labels[at + k], IGNORE_LABEL);
    at += pieces.length;
  });
  assert.equal(at, ids.length);
  assert.ok(tokenizer.encode('catamaran').length > 1, 'the test needs a word of several pieces');
  assert.equal(tokenizer.decode(ids), 'the catamaran sat');
});
