// BPE segmentation as sentencepiece's bpe_model.cc does it: start from characters (user-defined symbols
// whole and frozen) and keep merging the adjacent pair whose merged piece scores highest.

import { PieceType, type Piece } from './model-proto.js';
import { ByteTrie, utf8Length } from './normalizer.js';
import { matchable, type Segment } from './unigram.js';

interface Pair {
  left: number;
  right: number;
  score: number;
  /** Bytes of the merged piece, to notice pairs whose symbols have changed since. */
  size: number;
}

export class BpeModel {
  private readonly pieces: ByteTrie;
  private readonly reserved: ByteTrie;
  private readonly scores: Float32Array;
  private readonly types: Uint8Array;

  constructor(
    pieces: readonly Piece[],
    private readonly unkId: number,
    private readonly userDefined: ByteTrie | null,
  ) {
    this.pieces = new ByteTrie(matchable(pieces));
    const ids = new Set(matchable(pieces).map(([, id]) => id));
    this.reserved = new ByteTrie(pieces.flatMap((p, id) => (ids.has(id) ? [] : [[p.piece, id] as [string, number]])));
    this.scores = Float32Array.from(pieces, (p) => p.score);
    this.types = Uint8Array.from(pieces, (p) => p.type);
  }

  encode(text: Uint8Array): Segment[] {
    const n = text.length;
    // Symbol i is bytes [start[i], end[i]), empty once merged into its left neighbour.
    const start: number[] = [];
    const end: number[] = [];
    const frozen: boolean[] = [];
    for (let pos = 0; pos < n;) {
      const symbolEnd = this.userDefined?.longest(text, pos, n) ?? -1;
      start.push(pos);
      pos = symbolEnd > 0 ? symbolEnd : Math.min(pos + utf8Length(text[pos]), n);
      end.push(pos);
      frozen.push(symbolEnd > 0);
    }
    const count = start.length;
    const prev = Array.from({ length: count }, (_, i) => i - 1);
    const next = Array.from({ length: count }, (_, i) => (i + 1 < count ? i + 1 : -1));
    const agenda = new PairHeap();
    // An unused piece may be formed on the way but not kept: remember how it splits (its left length).
    const unusedSplit = new Map<number, number>();

    const addPair = (left: number, right: number) => {
      if (left === -1 || right === -1 || frozen[left] || frozen[right]) return;
      const id = this.pieces.get(text, start[left], end[right]);
      if (id === -1) return;
      agenda.push({ left, right, score: this.scores[id], size: end[right] - start[left] });
      if (this.types[id] === PieceType.UNUSED) unusedSplit.set(id, end[left] - start[left]);
    };

    for (let i = 1; i < count; i++) addPair(i - 1, i);
    for (let top = agenda.pop(); top !== undefined; top = agenda.pop()) {
      const { left, right } = top;
      const leftSize = end[left] - start[left];
      const rightSize = end[right] - start[right];
      if (leftSize === 0 || rightSize === 0 || leftSize + rightSize !== top.size) continue;
      end[left] = end[right];
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      start[right] = end[right];
      addPair(prev[left], left);
      addPair(left, next[left]);
    }

    // An unused piece splits again where it was formed, and its halves may be unused pieces in turn: a
    // work list (right half below left) instead of recursion, which a chain of such pieces could overflow.
    const segments: Segment[] = [];
    const work: [number, number][] = [];
    for (let i = count > 0 ? 0 : -1; i !== -1; i = next[i]) {
      work.push([start[i], end[i]]);
      while (work.length > 0) {
        const [s, e] = work.pop()!;
        const id = this.pieceId(text, s, e);
        const split = this.types[id] === PieceType.UNUSED ? unusedSplit.get(id) : undefined;
        if (split === undefined || split <= 0 || split >= e - s) segments.push({ start: s, end: e, id });
        else work.push([s + split, e], [s, s + split]);
      }
    }
    return segments;
  }

  /** sentencepiece's PieceToId: reserved pieces (control, unknown, byte) first, then the rest, else unknown. */
  private pieceId(text: Uint8Array, start: number, end: number): number {
    const reserved = this.reserved.get(text, start, end);
    if (reserved >= 0) return reserved;
    const id = this.pieces.get(text, start, end);
    return id >= 0 ? id : this.unkId;
  }
}

/** A binary max-heap of pairs: higher score first, then the leftmost. */
class PairHeap {
  private readonly items: Pair[] = [];

  push(pair: Pair): void {
    const items = this.items;
    items.push(pair);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Pair | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && before(items[l], items[m])) m = l;
      if (r < items.length && before(items[r], items[m])) m = r;
      if (m === i) break;
      [items[i], items[m]] = [items[m], items[i]];
      i = m;
    }
    return top;
  }
}

function before(a: Pair, b: Pair): boolean {
  return a.score > b.score || (a.score === b.score && a.left < b.left);
}
