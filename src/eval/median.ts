// The median: what every benchmark reports, since one slow run (a busy machine, a GC pause) moves a mean.

/** The middle value of `xs`, or the mean of the two middle ones for an even count; NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
