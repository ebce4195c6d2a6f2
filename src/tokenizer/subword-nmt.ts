// subword-nmt's learn_bpe.py and apply_bpe.py (codes version 0.2): words end in `</w>`, `@@ ` marks a cut.

import { learnMerges, type Merge } from './learn-merges.js';
import { MergeTable } from './merge-table.js';

const END = '</w>';

/** Word counts as subword-nmt reads them: each line stripped of '\r', '\n' and ' ', split on single spaces. */
export function countWords(lines: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    for (const word of stripLine(line).split(' ')) {
      if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

/** Symbols of a word: its code points, the last one carrying the end-of-word marker. */
function wordSymbols(word: string): string[] {
  const chars = Array.from(word);
  chars[chars.length - 1] += END;
  return chars;
}

/** learn_bpe.py: up to `numMerges` merges, stopping when the best pair occurs fewer than `minFrequency` times. */
export function learnSubwordNmt(wordCounts: Map<string, number>, numMerges: number, minFrequency = 2): Merge[] {
  const words = [...wordCounts.keys()].map(wordSymbols);
  return learnMerges(words, [...wordCounts.values()], { numMerges, minFrequency });
}

/** The codes file: a "#version: 0.2" header, then one merge per line. */
export function formatCodes(merges: readonly Merge[]): string {
  return ['#version: 0.2', ...merges.map(([a, b]) => `${a} ${b}`)].join('\n') + '\n';
}

/** subword-nmt's codes file to merges. */
export function parseCodes(text: string): Merge[] {
  const lines = text.split('\n').filter((line) => line !== '');
  if (lines[0]?.startsWith('#version:')) lines.shift();
  return lines.map((line, i) => {
    const parts = line.replace(/\r$/, '').split(' ');
    if (parts.length !== 2) throw new Error(`codes line ${i + 1}: expected two symbols, got "${line}"`);
    return [parts[0], parts[1]];
  });
}

/** apply_bpe.py: segments lines word by word, joining the pieces of a word with "@@ ". */
export class SubwordNmtApplier {
  private readonly ids = new Map<string, number>();
  private readonly pieces: string[] = [];
  private readonly table: MergeTable;
  private readonly cache = new Map<string, string>();

  constructor(
    merges: readonly Merge[],
    private readonly separator = '@@',
  ) {
    this.table = new MergeTable(merges, (piece) => this.id(piece));
  }

  private id(piece: string): number {
    let id = this.ids.get(piece);
    if (id === undefined) {
      id = this.pieces.length;
      this.ids.set(piece, id);
      this.pieces.push(piece);
    }
    return id;
  }

  /** The subwords of one word, as subword-nmt segments it. */
  segmentWord(word: string): string[] {
    if (Array.from(word).length === 1) return [word];
    const merged = this.table.apply(wordSymbols(word).map((s) => this.id(s))).map((id) => this.pieces[id]);
    const last = merged.length - 1;
    if (merged[last] === END) merged.pop();
    else merged[last] = merged[last].slice(0, -END.length);
    return merged;
  }

  /** One line, keeping its leading and trailing whitespace as apply_bpe.py does. */
  applyLine(line: string): string {
    const stripped = stripLine(line);
    if (stripped === '') return line;
    const start = line.indexOf(stripped);
    const words: string[] = [];
    for (const word of stripped.split(' ')) {
      if (word === '') continue;
      let out = this.cache.get(word);
      if (out === undefined) {
        out = this.segmentWord(word).join(`${this.separator} `);
        this.cache.set(word, out);
      }
      words.push(out);
    }
    return line.slice(0, start) + words.join(' ') + line.slice(start + stripped.length);
  }
}

function stripLine(line: string): string {
  return line.replace(/^[\r\n ]+|[\r\n ]+$/g, '');
}
