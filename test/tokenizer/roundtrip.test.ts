// Property tests: decode(encode(x)) === x.normalize('NFC') for random Unicode text.

import test from 'node:test';
import assert from 'node:assert/strict';

import { learnBpe, type Tokenizer } from '../../src/tokenizer/index.js';
import { mulberry32, randomText } from './random.js';

function corpus(seed: number, lines: number): string[] {
  const random = mulberry32(seed);
  return Array.from({ length: lines }, () => randomText(random, 20));
}

const learnt: [string, Tokenizer][] = [
  ['full coverage', learnBpe(corpus(1, 400), { vocabSize: 1000, characterCoverage: 1 })],
  ['coverage 0.9 (rare characters as bytes)', learnBpe(corpus(2, 400), { numMerges: 300, characterCoverage: 0.9 })],
  ['user-defined specials', learnBpe(corpus(3, 200), { numMerges: 200, specialTokens: ['<sep>', '<2de>', '<x'] })],
];

for (const [name, tokenizer] of learnt) {
  test(`round trip of random text, ${name}`, () => {
    const random = mulberry32(99);
    for (let i = 0; i < 1500; i++) {
      const text = randomText(random, 16);
      const ids = tokenizer.encode(text);
      assert.equal(tokenizer.decode(ids), text.normalize('NFC'), JSON.stringify(text));
      assert.deepEqual(tokenizer.encode(text), ids, 'encoding is the same from the cache');
    }
  });
}

test('round trip with special tokens matched in the text, and with <s> and </s>', () => {
  const tokenizer = learnt[2][1];
  const random = mulberry32(5);
  const specials = ['<sep>', '<2de>', '<x', '<s>'];
  for (let i = 0; i < 1000; i++) {
    const text = [randomText(random, 4), specials[i % 4], randomText(random, 4), specials[(i * 7) % 4]].join('');
    const ids = tokenizer.encode(text, { allowSpecial: true, addBos: true, addEos: true });
    assert.equal(ids[0], 1);
    assert.equal(ids[ids.length - 1], 2);
    assert.equal(tokenizer.decode(ids), text.normalize('NFC'), JSON.stringify(text));
  }
});

test('edge cases round-trip', () => {
  const tokenizer = learnt[0][1];
  const cases = [
    '',
    ' ',
    '  ',
    '\t',
    '\n',
    '\n\n',
    ' x ',
    'a  b',
    '\u2581',
    ' \u2581 ',
    '\u2581a',
    'e\u0301',
    '\u{1F600}',
    '🇩🇪',
    'x\r\n',
  ];
  for (const text of cases)
    assert.equal(tokenizer.decode(tokenizer.encode(text)), text.normalize('NFC'), JSON.stringify(text));
  assert.deepEqual([...tokenizer.encode('')], []);
});
