// sacreBLEU's tokenizers: none, 13a (mteval-v13a, the WMT default), intl (mteval-v14 international)
// and char. Each maps a line to space-separated tokens.

import { pySplit } from './whitespace.js';

/** The name of one of sacreBLEU's tokenizers. */
export type TokenizerName = 'none' | '13a' | 'intl' | 'char';
/** sacreBLEU's tokenizers by name (13a, intl, char, none, ...). */
export const TOKENIZERS: readonly TokenizerName[] = ['none', '13a', 'intl', 'char'];

// mteval-v13a's language-dependent rules, applied in order (the same regexes as sacreBLEU's, with
// JavaScript's $1 for Python's \1).
const RULES_13A: [RegExp, string][] = [
  [/([{-~[-` -&(-+:-@/])/gu, ' $1 '], // ASCII punctuation and symbols except - . , '
  [/([^0-9])([.,])/gu, '$1 $2 '], // period and comma unless preceded by a digit
  [/([.,])([^0-9])/gu, ' $1 $2'], // period and comma unless followed by a digit
  [/([0-9])(-)/gu, '$1 $2 '], // dash when preceded by a digit
];

function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) {
    s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  s = ` ${s} `;
  for (const [re, to] of RULES_13A) s = s.replace(re, to);
  return pySplit(s).join(' ');
}

// mteval-v14's international rules on Unicode categories: punctuation next to a non-digit, and
// every symbol, become tokens of their own.
const RULES_INTL: [RegExp, string][] = [
  [/(\P{N})(\p{P})/gu, '$1 $2 '],
  [/(\p{P})(\P{N})/gu, ' $1 $2'],
  [/(\p{S})/gu, ' $1 '],
];

function tokenizeIntl(line: string): string {
  let s = line;
  for (const [re, to] of RULES_INTL) s = s.replace(re, to);
  return pySplit(s).join(' ');
}

// Code points, not UTF-16 units, as Python iterates a string.
const tokenizeChar = (line: string): string => Array.from(line).join(' ');

const BY_NAME: Record<TokenizerName, (line: string) => string> = {
  none: (line) => line,
  '13a': tokenize13a,
  intl: tokenizeIntl,
  char: tokenizeChar,
};

/** True for the name of one of sacreBLEU's tokenizers. */
export function isTokenizerName(name: string): name is TokenizerName {
  return (TOKENIZERS as readonly string[]).includes(name);
}

/** The tokenizer called `name`; its name is also its signature ("tok:13a"). */
export function tokenizer(name: TokenizerName): (line: string) => string {
  const fn = BY_NAME[name] as ((line: string) => string) | undefined;
  if (fn === undefined) throw new Error(`unknown tokenizer "${name}" (one of ${TOKENIZERS.join(', ')})`);
  return fn;
}
