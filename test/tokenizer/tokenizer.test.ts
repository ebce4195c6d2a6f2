// Encoding details: fixed control ids, the dummy prefix, byte fallback, special tokens, learning options.

import test from 'node:test';
import assert from 'node:assert/strict';

import { BOS_ID, EOS_ID, learnBpe, META, PAD_ID, Tokenizer, UNK_ID } from '../../src/tokenizer/index.js';

const lines = ['the cat sat on the mat', 'the cat ate the rat', 'a hat on the cat', 'that is that'];

test('control tokens have fixed ids; bytes follow the special tokens', () => {
  const tokenizer = learnBpe(lines, { numMerges: 20, specialTokens: ['<sep>'] });
  assert.deepEqual([PAD_ID, BOS_ID, EOS_ID, UNK_ID], [0, 1, 2, 3]);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((id) => tokenizer.idToPiece(id)),
    ['<pad>', '<s>', '</s>', '<unk>', '<sep>'],
  );
  assert.equal(tokenizer.pieceToId('<0x00>'), 5);
  assert.equal(tokenizer.pieceToId('<0xFF>'), 260);
  assert.equal(tokenizer.pieceToId(META), 261, 'the space symbol is the first character');
  assert.throws(() => tokenizer.idToPiece(tokenizer.vocabSize), /outside the vocabulary/);
});

test('words start with the space symbol; frequent words become one piece', () => {
  const tokenizer = learnBpe(lines, { numMerges: 30 });
  assert.deepEqual(tokenizer.encodePieces('the cat'), ['▁the', '▁cat']);
  assert.deepEqual(tokenizer.encodePieces(' the  cat'), ['▁', '▁the', '▁', '▁cat']);
  const ids = tokenizer.encode('the cat', { addBos: true, addEos: true });
  assert.ok(ids instanceof Int32Array);
  assert.equal(ids[0], BOS_ID);
  assert.equal(ids[ids.length - 1], EOS_ID);
  assert.equal(tokenizer.decode(ids), 'the cat');
});

test('characters outside the alphabet and a literal U+2581 go to UTF-8 bytes', () => {
  const tokenizer = learnBpe(lines, { numMerges: 10 });
  assert.deepEqual(tokenizer.encodePieces('t\u{1F600}'), ['▁t', '<0xF0>', '<0x9F>', '<0x98>', '<0x80>']);
  assert.deepEqual(tokenizer.encodePieces('\u2581'), ['▁', '<0xE2>', '<0x96>', '<0x81>']);
  assert.equal(tokenizer.decode(tokenizer.encode(' \u2581 ')), ' \u2581 ');
});

test('character coverage leaves the rarest characters out of the alphabet', () => {
  const text = ['aaaaaaaaaa bbbbbbbbbb z'];
  assert.ok(learnBpe(text, { numMerges: 0, characterCoverage: 1 }).spec.alphabet.includes('z'));
  assert.ok(!learnBpe(text, { numMerges: 0, characterCoverage: 0.9 }).spec.alphabet.includes('z'));
});

test('vocabSize counts every piece; too small a size is an error', () => {
  const base = learnBpe(lines, { numMerges: 0 }).vocabSize;
  const tokenizer = learnBpe(lines, { vocabSize: base + 5 });
  assert.equal(tokenizer.vocabSize, base + 5);
  assert.throws(() => learnBpe(lines, { vocabSize: 100 }), /below the base vocabulary/);
});

test('special tokens are matched only when asked, and never split', () => {
  const tokenizer = learnBpe(lines, { numMerges: 20, specialTokens: ['<sep>'] });
  const sep = tokenizer.pieceToId('<sep>')!;
  assert.deepEqual(tokenizer.encodePieces('the<sep> cat', { allowSpecial: true }), ['▁the', '<sep>', '▁cat']);
  assert.ok(!tokenizer.encode('the<sep> cat').includes(sep));
  assert.equal(tokenizer.decode(tokenizer.encode('<sep>the', { allowSpecial: true })), '<sep>the');
});

test('no merge makes a piece that would read as a byte or special token', () => {
  const tokenizer = learnBpe(Array(50).fill('<0x41> <s>'), { numMerges: 50, minFrequency: 2 });
  const byteId = tokenizer.pieceToId('<0x41>')!;
  assert.ok(byteId < 260);
  assert.equal(tokenizer.decode(tokenizer.encode('<0x41> <s>')), '<0x41> <s>');
  assert.ok(!tokenizer.encode('<0x41>').includes(byteId));
});

test('a tokenizer built from its own spec encodes the same way', () => {
  const tokenizer = learnBpe(lines, { numMerges: 25 });
  const copy = new Tokenizer(tokenizer.spec);
  assert.deepEqual(copy.encode('the rat sat'), tokenizer.encode('the rat sat'));
});
