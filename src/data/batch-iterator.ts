// Endless training batches, epoch after epoch, with a position that can be saved as JSON and
// resumed: the batches of an epoch are a pure function of (corpus, options, seed, epoch), so
// (epoch, index) is all a resumed run needs to yield exactly the batches the first run would have.

import type { ParallelCorpus } from './corpus.js';
import { makeBatch, type Batch, type SpecialIds } from './batch.js';
import { planEpoch, type BucketOptions } from './batching.js';

/** Where the next batch comes from: batch `index` of epoch `epoch`'s order. */
export interface DataPosition {
  epoch: number;
  index: number;
  seed: number;
}

/** How batches are formed: the token budget, the seed and the special ids. */
export type BatchOptions = BucketOptions & SpecialIds;

/** Token-based batches of a corpus, epoch after epoch, resumable from its `position`. */
export class BatchIterator {
  private epoch: number;
  private index: number;
  private plan: Int32Array[];

  constructor(
    private readonly corpus: ParallelCorpus,
    private readonly options: BatchOptions,
    start: DataPosition = { epoch: 0, index: 0, seed: options.seed },
  ) {
    if (corpus.size === 0) throw new Error('cannot batch an empty corpus');
    if (start.seed !== options.seed) {
      throw new Error(`the saved data position was made with seed ${start.seed}, not ${options.seed}`);
    }
    this.epoch = start.epoch;
    this.index = start.index;
    this.plan = planEpoch(corpus, options, this.epoch);
    if (this.index > this.plan.length) {
      throw new Error(
        `the saved data position ${start.index} is past the ${this.plan.length} batches of epoch ${start.epoch}`,
      );
    }
  }

  /** The position of the batch the next call to next() returns. */
  get position(): DataPosition {
    return { epoch: this.epoch, index: this.index, seed: this.options.seed };
  }

  /** Batches in the current epoch. */
  get batchesPerEpoch(): number {
    return this.plan.length;
  }

  /** The next batch (a new epoch starts, reshuffled, when one ends). */
  next(): Batch {
    if (this.index === this.plan.length) {
      this.epoch++;
      this.index = 0;
      this.plan = planEpoch(this.corpus, this.options, this.epoch);
    }
    return makeBatch(this.corpus, this.plan[this.index++], this.options);
  }
}

/** Checks a position read back from JSON. */
export function parsePosition(json: unknown): DataPosition {
  const p = json as Partial<DataPosition> | null;
  const ok = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (p === null || typeof p !== 'object' || !ok(p.epoch) || !ok(p.index) || !Number.isSafeInteger(p.seed)) {
    throw new Error(`not a data position (expected {"epoch", "index", "seed"} integers): ${JSON.stringify(json)}`);
  }
  return { epoch: p.epoch, index: p.index, seed: p.seed as number };
}
