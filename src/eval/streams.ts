// Reference streams as sacreBLEU takes them: stream k holds the k-th reference of every segment.

/** Checks that every reference stream has one line per hypothesis. */
export function checkStreams(hypotheses: readonly string[], references: readonly (readonly string[])[]): void {
  if (references.length === 0) throw new RangeError('at least one reference stream is needed');
  references.forEach((stream, k) => {
    if (stream.length !== hypotheses.length) {
      throw new RangeError(`reference stream ${k + 1} has ${stream.length} lines, the hypotheses ${hypotheses.length}`);
    }
  });
}

/**
 * The references of segment `i`: every stream's line, empty ones dropped (a stream may lack a
 * reference for some segments). A segment left with none is an error, as in sacreBLEU.
 */
export function segmentReferences(references: readonly (readonly string[])[], i: number): string[] {
  const refs = references.map((stream) => stream[i]).filter((r) => r !== '');
  if (refs.length === 0) throw new RangeError(`segment ${i + 1}: every reference is empty`);
  return refs;
}

/** The number of references every segment has, or "var" when it varies (the signature's nrefs). */
export function refCount(perSegment: Iterable<number>, streams: number): number | 'var' {
  const distinct = new Set(perSegment);
  if (distinct.size === 0) return streams;
  return distinct.size === 1 ? [...distinct][0] : 'var';
}
