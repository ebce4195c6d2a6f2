// A parallel corpus: two files of one sentence per line, line i of one the translation of line i of
// the other, read as streams, tokenized, optionally filtered, and stored as two TokenColumns.

import { readLines, CorpusError } from './lines.js';
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

/** How readParallelCorpus encodes and filters the lines of two files. */
export interface ReadOptions {
  encodeSource: Encode;
  /** Defaults to encodeSource (a shared vocabulary). */
  encodeTarget?: Encode;
  filters?: PairFilters;
}

/**
 * Reads two line-aligned files in step, one line of each at a time. Throws CorpusError on invalid
 * UTF-8 (file, line, byte column) or when the files have different numbers of lines (both named,
 * both counted).
 */
export async function readParallelCorpus(
  sourcePath: string,
  targetPath: string,
  options: ReadOptions,
): Promise<ParallelCorpus> {
  const encodeTarget = options.encodeTarget ?? options.encodeSource;
  const builder = new CorpusBuilder(options.filters);
  const sources = readLines(sourcePath);
  const targets = readLines(targetPath);
  let lines = 0;
  for (;;) {
    const [s, t] = await Promise.all([sources.next(), targets.next()]);
    if (s.done === true || t.done === true) {
      const sourceLines = lines + (s.done === true ? 0 : 1 + (await count(sources)));
      const targetLines = lines + (t.done === true ? 0 : 1 + (await count(targets)));
      if (sourceLines !== targetLines) {
        throw new CorpusError(
          `line counts differ: ${sourcePath} has ${sourceLines} lines, ${targetPath} has ${targetLines}`,
        );
      }
      return builder.finish();
    }
    lines++;
    builder.add(options.encodeSource(s.value), encodeTarget(t.value));
  }
}

async function count(lines: AsyncGenerator<string>): Promise<number> {
  let n = 0;
  while ((await lines.next()).done !== true) n++;
  return n;
}
