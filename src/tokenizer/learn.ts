// Learning a tokenizer from text: word counts, the character alphabet by coverage, then BPE merges.

import { learnMerges } from './learn-merges.js';
import { Tokenizer } from './tokenizer.js';
import { bytePiece, CONTROL_TOKENS, META } from './vocab.js';

/** How learnBpe learns a tokenizer: vocabulary size or merges, frequency, character coverage, special tokens. */
export interface LearnOptions {
  /** Total vocabulary size: special tokens + 256 bytes + alphabet + merged pieces. */
  vocabSize?: number;
  /** Number of merges (the learner stops at whichever of vocabSize and numMerges comes first). */
  numMerges?: number;
  /** Pairs seen fewer times than this are never merged. Default 2. */
  minFrequency?: number;
  /** Share of all character occurrences the alphabet must cover; the rarest rest use byte fallback. Default 0.9995. */
  characterCoverage?: number;
  /** User-defined special tokens, given ids after the four control tokens. */
  specialTokens?: string[];
}

/** Counts the words of the texts; a word is what follows a space (or starts a line), spaces not included. */
function countWords(texts: Iterable<string>): { words: Map<string, number>; newlines: number } {
  const words = new Map<string, number>();
  let newlines = 0;
  for (const text of texts) {
    const lines = text.normalize('NFC').split('\n');
    newlines += lines.length - 1;
    for (const line of lines) {
      if (line === '') continue;
      for (const word of line.split(' ')) words.set(word, (words.get(word) ?? 0) + 1);
    }
  }
  return { words, newlines };
}

/** The most frequent characters covering `coverage` of all occurrences; META always, a literal U+2581 never. */
function chooseAlphabet(words: Map<string, number>, newlines: number, coverage: number): string[] {
  const counts = new Map<string, number>([[META, 0]]);
  if (newlines > 0) counts.set('\n', newlines);
  for (const [word, n] of words) {
    counts.set(META, counts.get(META)! + n);
    for (const ch of word) if (ch !== META) counts.set(ch, (counts.get(ch) ?? 0) + n);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const alphabet = [META];
  let covered = counts.get(META)!;
  for (const [ch, n] of sorted) {
    if (ch === META) continue;
    if (covered >= coverage * total) break;
    alphabet.push(ch);
    covered += n;
  }
  return alphabet;
}

/** The BPE words: each word with its META, cut at characters outside the alphabet. */
function segments(words: Map<string, number>, alphabet: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  const add = (segment: string, n: number) => {
    if (segment !== '') out.set(segment, (out.get(segment) ?? 0) + n);
  };
  for (const [word, n] of words) {
    let run = META;
    for (const ch of word) {
      if (ch !== META && alphabet.has(ch)) {
        run += ch;
      } else {
        add(run, n);
        run = '';
      }
    }
    add(run, n);
  }
  return out;
}

/** Learns a byte-level BPE tokenizer from texts. */
export function learnBpe(texts: Iterable<string>, options: LearnOptions): Tokenizer {
  const { vocabSize, numMerges, minFrequency = 2, characterCoverage = 0.9995, specialTokens: user = [] } = options;
  if (vocabSize === undefined && numMerges === undefined) throw new Error('learnBpe needs vocabSize or numMerges');
  if (!(characterCoverage > 0 && characterCoverage <= 1))
    throw new RangeError(`characterCoverage must be in (0, 1], got ${characterCoverage}`);
  for (const token of user) if (token === '') throw new Error('a special token cannot be empty');
  const specialTokens = [...CONTROL_TOKENS, ...user];
  const { words, newlines } = countWords(texts);
  const alphabet = chooseAlphabet(words, newlines, characterCoverage);
  const base = specialTokens.length + 256 + alphabet.length;
  if (vocabSize !== undefined && vocabSize < base) {
    throw new RangeError(
      `vocabSize ${vocabSize} is below the base vocabulary of ${base} (${specialTokens.length} special, 256 bytes, ${alphabet.length} characters)`,
    );
  }
  const reserved = new Set([...specialTokens, ...Array.from({ length: 256 }, (_, b) => bytePiece(b))]);
  const bpeWords = segments(words, new Set(alphabet));
  const merges = learnMerges(
    [...bpeWords.keys()].map((s) => Array.from(s)),
    [...bpeWords.values()],
    {
      numMerges: numMerges ?? Infinity,
      minFrequency,
      maxNewSymbols: vocabSize === undefined ? Infinity : vocabSize - base,
      isAllowed: (piece) => !reserved.has(piece),
    },
  );
  return new Tokenizer({ specialTokens, alphabet, merges });
}
