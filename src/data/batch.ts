// One batch as the model consumes it: padded, row-major id matrices.

import type { ParallelCorpus } from './corpus.js';
import { sentence } from './token-column.js';

/** The padding, begin and end of sequence ids a batch is built with. */
export interface SpecialIds {
  padId: number;
  bosId: number;
  eosId: number;
}

/** One batch as flat int32 arrays: sources, decoder inputs (BOS + target) and outputs (target + EOS). */
export interface Batch {
  /** Pair indices in the corpus, one per row. */
  indices: Int32Array;
  /** B: sentences. */
  size: number;
  /** S: the longest source sentence. */
  sourceLength: number;
  /** T: the longest target sentence + 1. */
  targetLength: number;
  /** Source ids, padded. */ // (B, S)
  source: Int32Array;
  /** Decoder input: BOS + target, padded. */ // (B, T)
  targetIn: Int32Array;
  /** Decoder output: target + EOS, padded. */ // (B, T)
  targetOut: Int32Array;
  /** Source tokens per row. */ // (B)
  sourceLengths: Int32Array;
  /** Target tokens + 1 per row: the unpadded length of both targetIn and targetOut. */ // (B)
  targetLengths: Int32Array;
}

/** The batch of the given sentence pairs, padded to their longest source and target. */
export function makeBatch(corpus: ParallelCorpus, indices: Int32Array, ids: SpecialIds): Batch {
  const B = indices.length;
  const sourceLengths = new Int32Array(B);
  const targetLengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    sourceLengths[b] = sentence(corpus.source, indices[b]).length;
    targetLengths[b] = sentence(corpus.target, indices[b]).length + 1;
  }
  const S = Math.max(0, ...sourceLengths);
  const T = Math.max(0, ...targetLengths);
  const source = new Int32Array(B * S).fill(ids.padId); // (B, S)
  const targetIn = new Int32Array(B * T).fill(ids.padId); // (B, T)
  const targetOut = new Int32Array(B * T).fill(ids.padId); // (B, T)
  for (let b = 0; b < B; b++) {
    source.set(sentence(corpus.source, indices[b]), b * S);
    const y = sentence(corpus.target, indices[b]);
    targetIn[b * T] = ids.bosId;
    targetIn.set(y, b * T + 1);
    targetOut.set(y, b * T);
    targetOut[b * T + y.length] = ids.eosId;
  }
  return {
    indices,
    size: B,
    sourceLength: S,
    targetLength: T,
    source,
    targetIn,
    targetOut,
    sourceLengths,
    targetLengths,
  };
}
