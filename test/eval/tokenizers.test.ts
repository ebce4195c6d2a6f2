// The tokenizers on tricky strings, and Python's whitespace.

import test from 'node:test';
import assert from 'node:assert/strict';

import { corpusBleu, pyRstrip, pySplit, tokenizer } from '../../src/eval/index.js';

const t13a = tokenizer('13a');
const intl = tokenizer('intl');

test("Python's whitespace: U+001C..U+001F and U+0085 split, U+FEFF and U+200B do not", () => {
  assert.deepEqual(pySplit('a\u001cb\u001dc\u001ed\u001fe\u0085f'), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual(pySplit(' a\u00a0b\u2028c\u3000d\t\r\n'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(pySplit('\ufeffa b'), ['\ufeffa', 'b']);
  assert.deepEqual(pySplit('a\u200bb'), ['a\u200bb']);
  assert.deepEqual(pySplit(''), []);
  assert.equal(pyRstrip('a \u0085\u001f'), 'a');
  assert.equal(pyRstrip('a\ufeff'), 'a\ufeff');
});

test('13a: punctuation, numbers, dashes, entities, <skipped>', () => {
  assert.equal(t13a('Hello, world!'), 'Hello , world !');
  assert.equal(t13a('Pi is 3.14, or 1,000/318.3.'), 'Pi is 3.14 , or 1,000 / 318.3 .');
  assert.equal(t13a('1997-98 e-mail'), '1997 - 98 e-mail');
  assert.equal(t13a("don't (really) $5 a&b"), "don't ( really ) $ 5 a & b");
  // The entities are replaced one after another, so "&amp;lt;" ends as "<", as in sacreBLEU.
  assert.equal(t13a('&quot;x&quot; &amp;lt; &lt;b&gt;'), '" x " < < b >');
  assert.equal(t13a('a <skipped> b'), 'a b');
  assert.equal(t13a('«Grüße», sagte er.'), '«Grüße» , sagte er .');
  assert.equal(t13a('\ufeffDer Mann'), '\ufeffDer Mann');
  assert.equal(t13a('a\u0085b'), 'a b');
  assert.equal(t13a('x[1]{2}~^_`|\\@'), 'x [ 1 ] { 2 } ~ ^ _ ` | \\ @');
});

test('intl: Unicode punctuation and symbols, but not between digits', () => {
  assert.equal(intl('Hello, world!'), 'Hello , world !');
  assert.equal(intl('3.14 1,000'), '3.14 1,000');
  assert.equal(intl('«¿Qué?»'), '« ¿ Qué ? »');
  assert.equal(intl('a—b 5€ 2+2'), 'a — b 5 € 2 + 2');
  assert.equal(intl('「東京」。'), '「 東京 」 。');
  // mteval-v14's quirk, kept: a number's final period at the end of the line stays on it.
  assert.equal(intl('in 2017.'), 'in 2017.');
  assert.equal(intl('&amp;'), '& amp ;');
});

test('char: one token per code point, astral ones included; none: the line as it is', () => {
  assert.deepEqual(pySplit(tokenizer('char')('ab c😀')), ['a', 'b', 'c', '😀']);
  assert.equal(tokenizer('none')('a,b .'), 'a,b .');
  assert.equal(corpusBleu(['abcd'], [['abce']], { tokenize: 'char' }).signature.includes('tok:char'), true);
  assert.ok(Math.abs(corpusBleu(['ab cd'], [['abcd']], { tokenize: 'char' }).score - 100) < 1e-9);
});

test('an unknown tokenizer is an error', () => {
  assert.throws(() => tokenizer('zh' as 'none'), /unknown tokenizer "zh"/);
});
