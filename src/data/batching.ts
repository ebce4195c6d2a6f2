// Length-bucketed batches of about N tokens (the paper, section 5.1: "each training batch contained
// a set of sentence pairs containing approximately 25000 source tokens and 25000 target tokens").
// Pairs are sorted by length with a seeded shuffle among equal lengths, packed greedily while the
// padded size (sentences x longest sentence) stays within the budget on both sides, and the order
// of the batches is shuffled; all from (seed, epoch), so an epoch's batches are a pure function.

import { Generator } from '../tensor/random.js';
import type { ParallelCorpus } from './corpus.js';
import { sentenceLength } from './token-column.js';

/** Batching by length: sentence pairs of similar length share a batch of at most `maxTokens` padded tokens. */
export interface BucketOptions {
  /** Padded tokens per batch, on each side (source S x B, target T x B); 25000 in the paper. */
  maxTokens: number;
  /** An optional cap on sentences per batch. */
  maxSentences?: number;
  seed: number;
}

/** The random stream of one (seed, epoch): a hash of both, so neighbouring seeds share nothing. */
export function epochGenerator(seed: number, epoch: number): Generator {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return new Generator((h ^ (h >>> 16)) >>> 0);
}

/**
 * The batches of one epoch, in the order they are to be used, each an array of pair indices.
 * Target lengths count one more token than the sentence: the decoder reads BOS + target and
 * predicts target + EOS. A pair that alone exceeds the budget gets a batch to itself.
 */
export function planEpoch(corpus: ParallelCorpus, options: BucketOptions, epoch: number): Int32Array[] {
  const rng = epochGenerator(options.seed, epoch);
  const n = corpus.size;
  const sourceLength = new Int32Array(n);
  const targetLength = new Int32Array(n);
  const tieBreak = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    sourceLength[i] = sentenceLength(corpus.source, i);
    targetLength[i] = sentenceLength(corpus.target, i) + 1;
    tieBreak[i] = rng.nextUint32();
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) =>
      sourceLength[a] - sourceLength[b] || targetLength[a] - targetLength[b] || tieBreak[a] - tieBreak[b] || a - b,
  );
  const maxSentences = options.maxSentences ?? Infinity;
  const batches: Int32Array[] = [];
  let start = 0;
  let maxS = 0;
  let maxT = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const s = Math.max(maxS, sourceLength[i]);
    const t = Math.max(maxT, targetLength[i]);
    const size = k - start + 1;
    if (size > 1 && (size * s > options.maxTokens || size * t > options.maxTokens || size > maxSentences)) {
      batches.push(order.slice(start, k));
      start = k;
      maxS = sourceLength[i];
      maxT = targetLength[i];
    } else {
      maxS = s;
      maxT = t;
    }
  }
  if (start < n) batches.push(order.slice(start, n));
  for (let k = batches.length - 1; k > 0; k--) {
    const j = rng.nextUint32() % (k + 1);
    [batches[k], batches[j]] = [batches[j], batches[k]];
  }
  return batches;
}
