// A parallel corpus in memory: two TokenColumns of token ids, line i of one the translation of line i
// of the other, built pair by pair through the filters. No Node: pages build corpora too (the
// playground); corpus.ts reads them from files.

import { TokenColumnBuilder, type TokenColumn } from './token-column.js';
import { dropReason, emptyReport, type FilterReport, type PairFilters } from './filters.js';

/** Sentence pairs as token ids, stored compactly, with the report of the pairs the filters dropped. */
export interface ParallelCorpus {
  source: TokenColumn;
  target: TokenColumn;
  /** Number of pairs kept. */
  size: number;
  /** What the filters did. */
  report: FilterReport;
}

/** Text to ids, as a tokenizer encodes a corpus line. */
export type Encode = (text: string) => Int32Array;

/** Collects pairs of token ids through the filters. */
export class CorpusBuilder {
  private readonly source = new TokenColumnBuilder();
  private readonly target = new TokenColumnBuilder();
  private readonly report = emptyReport();

  constructor(private readonly filters: PairFilters = {}) {}

  /** Adds the pair unless a filter drops it; returns whether it was kept. */
  add(sourceIds: ArrayLike<number>, targetIds: ArrayLike<number>): boolean {
    this.report.read++;
    const reason = dropReason(sourceIds.length, targetIds.length, this.filters);
    if (reason !== null) {
      this.report.dropped[reason]++;
      return false;
    }
    this.source.add(sourceIds);
    this.target.add(targetIds);
    this.report.kept++;
    return true;
  }

  /** The corpus of every pair added and kept by the filters. */
  finish(): ParallelCorpus {
    return { source: this.source.finish(), target: this.target.finish(), size: this.report.kept, report: this.report };
  }
}

/** A corpus from ids already in memory (tests, generated tasks). */
export function corpusFromIds(
  pairs: Iterable<readonly [ArrayLike<number>, ArrayLike<number>]>,
  filters: PairFilters = {},
): ParallelCorpus {
  const builder = new CorpusBuilder(filters);
  for (const [s, t] of pairs) builder.add(s, t);
  return builder.finish();
}
