// Byte-pair encoding (Sennrich et al., 2016): learn merges from word counts, with subword-nmt's order.

import { PairHeap } from './pair-heap.js';
import { compareCodePoints } from './unicode.js';

/** How merges are learnt: how many, and the least frequency. */
export interface MergeOptions {
  /** Learn at most this many merges. */
  numMerges: number;
  /** Stop when the most frequent pair occurs fewer times than this (subword-nmt: 2). */
  minFrequency?: number;
  /** Stop once this many distinct new symbols exist (two merges may spell the same symbol). */
  maxNewSymbols?: number;
  /** A merge whose result is refused is never made (for pieces that would shadow reserved ones). */
  isAllowed?: (merged: string) => boolean;
}

/** One merge: the pair of symbols joined, in the order learnt. */
export type Merge = [first: string, second: string];

const SHIFT = 2 ** 21; // pair key = first * SHIFT + second; symbol ids stay below SHIFT

/**
 * Learns merges from words given as symbol sequences with their counts. Among equally frequent pairs
 * the lexicographically largest (first, second), in code points, is merged first, as subword-nmt does.
 *
 * Pair counts are kept up to date incrementally: an index from each pair to the words that contain it
 * limits a merge's work to those words, and a lazy max-heap finds the next pair.
 */
export function learnMerges(
  words: readonly (readonly string[])[],
  counts: readonly number[],
  options: MergeOptions,
): Merge[] {
  const { numMerges, minFrequency = 2, maxNewSymbols = Infinity, isAllowed } = options;
  const symbols: string[] = [];
  const symbolId = new Map<string, number>();
  const intern = (s: string): number => {
    let id = symbolId.get(s);
    if (id === undefined) {
      id = symbols.length;
      if (id >= SHIFT) throw new RangeError(`BPE supports at most ${SHIFT} symbols`);
      symbols.push(s);
      symbolId.set(s, id);
    }
    return id;
  };
  const seqs = words.map((w) => w.map(intern));
  const pairCount = new Map<number, number>();
  const where = new Map<number, number[]>(); // pair -> words containing it (may repeat or go stale)
  for (let w = 0; w < seqs.length; w++) {
    const seq = seqs[w];
    for (let i = 0; i + 1 < seq.length; i++) {
      const key = seq[i] * SHIFT + seq[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + counts[w]);
      addWord(where, key, w);
    }
  }
  const heap = new PairHeap((x, y) => {
    const c = compareCodePoints(symbols[Math.floor(x / SHIFT)], symbols[Math.floor(y / SHIFT)]);
    return c !== 0 ? c : compareCodePoints(symbols[x % SHIFT], symbols[y % SHIFT]);
  });
  for (const [key, count] of pairCount) heap.push(key, count);

  const merges: Merge[] = [];
  const seen = new Int32Array(seqs.length).fill(-1);
  let newSymbols = 0;
  while (merges.length < numMerges && newSymbols < maxNewSymbols && heap.size > 0) {
    const pushed = heap.topCount();
    const key = heap.pop();
    const count = pairCount.get(key) ?? 0;
    if (count !== pushed) {
      if (count > 0 && count < pushed) heap.push(key, count); // the count fell since this entry was pushed
      continue;
    }
    if (count < minFrequency) break;
    const a = Math.floor(key / SHIFT);
    const b = key % SHIFT;
    const merged = symbols[a] + symbols[b];
    if (isAllowed !== undefined && !isAllowed(merged)) {
      pairCount.delete(key);
      continue;
    }
    if (!symbolId.has(merged)) newSymbols++;
    const c = intern(merged);
    merges.push([symbols[a], symbols[b]]);
    const delta = new Map<number, number>();
    for (const w of where.get(key) ?? []) {
      if (seen[w] === merges.length) continue;
      seen[w] = merges.length;
      const next = replacePair(seqs[w], a, b, c);
      if (next === null) continue;
      countPairs(seqs[w], -counts[w], delta);
      countPairs(next, counts[w], delta);
      for (let i = 0; i + 1 < next.length; i++) {
        if (next[i] === c || next[i + 1] === c) addWord(where, next[i] * SHIFT + next[i + 1], w);
      }
      seqs[w] = next;
    }
    where.delete(key);
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const updated = (pairCount.get(k) ?? 0) + d;
      if (updated === 0) pairCount.delete(k);
      else pairCount.set(k, updated);
      if (d > 0) heap.push(k, updated);
    }
  }
  return merges;
}

function addWord(where: Map<number, number[]>, key: number, w: number): void {
  const list = where.get(key);
  if (list === undefined) where.set(key, [w]);
  else if (list[list.length - 1] !== w) list.push(w);
}

function countPairs(seq: readonly number[], weight: number, into: Map<number, number>): void {
  for (let i = 0; i + 1 < seq.length; i++) {
    const key = seq[i] * SHIFT + seq[i + 1];
    into.set(key, (into.get(key) ?? 0) + weight);
  }
}

/** Replaces every (a, b), left to right without overlap, by c; null when the word has no (a, b). */
function replacePair(seq: readonly number[], a: number, b: number, c: number): number[] | null {
  let out: number[] | null = null;
  for (let i = 0; i < seq.length; i++) {
    if (seq[i] === a && i + 1 < seq.length && seq[i + 1] === b) {
      out ??= seq.slice(0, i);
      out.push(c);
      i++;
    } else if (out !== null) {
      out.push(seq[i]);
    }
  }
  return out;
}
