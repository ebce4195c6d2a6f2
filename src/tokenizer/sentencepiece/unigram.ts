// The unigram language model's segmentation (Kudo 2018; sentencepiece's unigram_model.cc, the
// optimized Viterbi): the best-scoring path through the lattice of pieces over the normalized text.

import { PieceType, type Piece } from './model-proto.js';
import { ByteTrie, utf8Length } from './normalizer.js';

/** Bytes [start, end) of the normalized text and their piece id (the unknown id when none fits). */
export interface Segment {
  start: number;
  end: number;
  id: number;
}

/** sentencepiece's penalty on unknown characters, below the least likely piece. */
const UNK_PENALTY = 10;
const FLT_MIN = 1.1754943508222875e-38;
const FLT_MAX = 3.4028234663852886e38;

export class UnigramModel {
  private readonly trie: ByteTrie;
  private readonly scores: Float32Array;
  private readonly types: Uint8Array;
  private readonly maxScore: number;
  private readonly unkScore: number;

  constructor(
    pieces: readonly Piece[],
    private readonly unkId: number,
  ) {
    this.trie = new ByteTrie(matchable(pieces));
    this.scores = Float32Array.from(pieces, (p) => p.score);
    this.types = Uint8Array.from(pieces, (p) => p.type);
    let minScore = FLT_MAX;
    let maxScore = FLT_MIN;
    for (const p of pieces) {
      if (p.type !== PieceType.NORMAL) continue;
      minScore = Math.min(minScore, p.score);
      maxScore = Math.max(maxScore, p.score);
    }
    this.maxScore = maxScore;
    this.unkScore = Math.fround(minScore - UNK_PENALTY);
  }

  /**
   * best[end] is the score of the best path ending at byte `end`, whose last piece starts at from[end].
   * Scores are float32 sums compared in double, as in sentencepiece, so ties break the same way: the
   * first candidate wins. User-defined pieces score (bytes * maxScore - 0.1), near zero, so they win.
   */
  encode(text: Uint8Array): Segment[] {
    const n = text.length;
    const best = new Float32Array(n + 1);
    const from = new Int32Array(n + 1).fill(-1);
    const ids = new Int32Array(n + 1);
    for (let start = 0; start < n;) {
      const base = best[start];
      const charLength = Math.min(utf8Length(text[start]), n - start);
      let hasSingleChar = false;
      this.trie.prefixes(text, start, n, (end, id) => {
        const type = this.types[id];
        if (type === PieceType.UNUSED) return;
        const length = end - start;
        const score = type === PieceType.USER_DEFINED ? Math.fround(length * this.maxScore) - 0.1 : this.scores[id];
        const candidate = score + base;
        if (from[end] === -1 || candidate > best[end]) {
          best[end] = candidate;
          from[end] = start;
          ids[end] = id;
        }
        if (length === charLength) hasSingleChar = true;
      });
      if (!hasSingleChar) {
        const end = start + charLength;
        const candidate = Math.fround(this.unkScore + base);
        if (from[end] === -1 || candidate > best[end]) {
          best[end] = candidate;
          from[end] = start;
          ids[end] = this.unkId;
        }
      }
      start += charLength;
    }

    const segments: Segment[] = [];
    for (let end = n; end > 0; end = from[end]) segments.push({ start: from[end], end, id: ids[end] });
    return segments.reverse();
  }
}

/** The pieces text can match: normal, user-defined and unused ones (sentencepiece's pieces_). */
export function matchable(pieces: readonly Piece[]): [string, number][] {
  const out: [string, number][] = [];
  pieces.forEach((p, id) => {
    if (p.type === PieceType.NORMAL || p.type === PieceType.USER_DEFINED || p.type === PieceType.UNUSED)
      out.push([p.piece, id]);
  });
  return out;
}
