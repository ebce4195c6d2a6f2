// The normalizer's whitespace handling under each NormalizerSpec switch (the rules themselves are
// checked against sentencepiece in conformance.test.ts), and the byte trie it matches symbols with.

import test from 'node:test';
import assert from 'node:assert/strict';

import type { NormalizerSpec } from '../../../src/tokenizer/sentencepiece/model-proto.js';
import { ByteTrie, CharsMap, Normalizer } from '../../../src/tokenizer/sentencepiece/normalizer.js';

const identity: NormalizerSpec = {
  name: 'identity',
  precompiledCharsmap: new Uint8Array(0),
  addDummyPrefix: true,
  removeExtraWhitespaces: true,
  escapeWhitespaces: true,
};
const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
const normalize = (spec: Partial<NormalizerSpec>, s: string, suffix = false, symbols?: ByteTrie) =>
  text(new Normalizer({ ...identity, ...spec }, suffix, symbols).normalize(s));

test('extra whitespace is collapsed and trimmed, the dummy prefix added, spaces escaped', () => {
  assert.equal(normalize({}, '  a   b  '), '\u2581a\u2581b');
  assert.equal(normalize({}, '   '), '');
  assert.equal(normalize({}, ''), '');
  assert.equal(normalize({}, 'a \u2581'), '\u2581a', 'trailing U+2581 is trimmed like a space');
  assert.equal(normalize({}, '\uff21 \u3000'), '\u2581\uff21\u2581\u3000', 'no rules: only U+0020 is a space');
});

test('each switch of the spec on its own', () => {
  assert.equal(normalize({ removeExtraWhitespaces: false }, '  a  b '), '\u2581\u2581\u2581a\u2581\u2581b\u2581');
  assert.equal(normalize({ addDummyPrefix: false }, ' a b'), 'a\u2581b');
  assert.equal(normalize({ escapeWhitespaces: false }, '  a  b '), ' a b');
  assert.equal(
    normalize({}, ' a b ', true),
    'a\u2581b\u2581',
    'treat_whitespace_as_suffix moves the prefix to the end',
  );
});

test('a user-defined symbol is one unit: the spaces inside it are escaped but not collapsed', () => {
  const symbols = new ByteTrie([['<x  y>', 0]]);
  assert.equal(normalize({}, 'a <x  y>', false, symbols), '\u2581a\u2581<x\u2581\u2581y>');
  assert.equal(normalize({}, 'a <x  y>'), '\u2581a\u2581<x\u2581y>');
});

test('the byte trie finds exact keys and every prefix, shortest first', () => {
  const trie = new ByteTrie([
    ['a', 1],
    ['ab', 2],
    ['abcd', 3],
    ['\u2581', 4],
  ]);
  const bytes = new TextEncoder().encode('abcde\u2581');
  assert.equal(trie.get(bytes, 0, 2), 2);
  assert.equal(trie.get(bytes, 0, 3), -1);
  assert.equal(trie.get(bytes, 5, 8), 4);
  const found: [number, number][] = [];
  trie.prefixes(bytes, 0, bytes.length, (end, value) => found.push([end, value]));
  assert.deepEqual(found, [
    [1, 1],
    [2, 2],
    [4, 3],
  ]);
  assert.equal(trie.longest(bytes, 0, 3), 2, 'the limit bounds the match');
  assert.equal(trie.longest(bytes, 1, bytes.length), -1);
});

test('a broken precompiled charsmap is an error', () => {
  assert.throws(() => new CharsMap(Uint8Array.from([8, 0, 0, 0, 1, 2])), /precompiled charsmap is broken/);
  assert.throws(() => new CharsMap(Uint8Array.from([1, 0])), /precompiled charsmap is broken/);
});
