// A parallel corpus: two files of one sentence per line, line i of one the translation of line i of
// the other, read as streams, tokenized, optionally filtered, and stored as two TokenColumns.

import { readLines, CorpusError } from './lines.js';
import { CorpusBuilder, type Encode, type ParallelCorpus } from './corpus-builder.js';
import type { PairFilters } from './filters.js';

export { CorpusBuilder, corpusFromIds, type Encode, type ParallelCorpus } from './corpus-builder.js';

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
