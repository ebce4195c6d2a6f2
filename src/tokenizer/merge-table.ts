// Applying learnt merges to a word: repeatedly merge the pair of lowest rank, as subword-nmt does.

import type { Merge } from './learn-merges.js';

const SHIFT = 2 ** 21;

/** Merge ranks keyed by (first id, second id), over a caller-owned symbol table. */
export class MergeTable {
  private readonly rank = new Map<number, number>();
  private readonly result = new Map<number, number>();

  /** `symbolId` maps every piece to its id; it must already hold both halves and the result of every merge. */
  constructor(merges: readonly Merge[], symbolId: (piece: string) => number) {
    merges.forEach(([first, second], r) => {
      const key = symbolId(first) * SHIFT + symbolId(second);
      if (this.rank.has(key)) return; // a repeated merge keeps its first rank
      this.rank.set(key, r);
      this.result.set(key, symbolId(first + second));
    });
  }

  /** Segments a word given as symbol ids; returns the merged ids (the input array is reused). */
  apply(word: number[]): number[] {
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.rank.get(word[i] * SHIFT + word[i + 1]);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = word[i] * SHIFT + word[i + 1];
        }
      }
      if (best < 0) break;
      const a = Math.floor(best / SHIFT);
      const b = best % SHIFT;
      const c = this.result.get(best)!;
      let j = 0;
      for (let i = 0; i < word.length; i++) {
        if (word[i] === a && i + 1 < word.length && word[i + 1] === b) {
          word[j++] = c;
          i++;
        } else {
          word[j++] = word[i];
        }
      }
      word.length = j;
    }
    return word;
  }
}
