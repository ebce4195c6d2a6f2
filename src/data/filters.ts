// Length filters for sentence pairs. Their effect is always reported to the caller (pairs kept and
// dropped per reason), never silent.

/** The length and ratio limits a sentence pair must meet to be kept. */
export interface PairFilters {
  /** Drop a pair when either side has fewer tokens. */
  minLength?: number;
  /** Drop a pair when either side has more tokens. */
  maxLength?: number;
  /** Drop a pair when the longer side has more than this many times the tokens of the shorter. */
  maxRatio?: number;
}

export type DropReason = 'tooShort' | 'tooLong' | 'ratio';

/** How many pairs were kept and why the others were dropped. */
export interface FilterReport {
  read: number;
  kept: number;
  /** Each dropped pair counts once, under the first reason that applies in this order. */
  dropped: Record<DropReason, number>;
}

export function emptyReport(): FilterReport {
  return { read: 0, kept: 0, dropped: { tooShort: 0, tooLong: 0, ratio: 0 } };
}

/** Why a pair of the given token lengths is dropped, or null when it is kept. */
export function dropReason(sourceLength: number, targetLength: number, filters: PairFilters): DropReason | null {
  const shorter = Math.min(sourceLength, targetLength);
  const longer = Math.max(sourceLength, targetLength);
  if (filters.minLength !== undefined && shorter < filters.minLength) return 'tooShort';
  if (filters.maxLength !== undefined && longer > filters.maxLength) return 'tooLong';
  if (filters.maxRatio !== undefined && longer > filters.maxRatio * Math.max(shorter, 1)) return 'ratio';
  return null;
}

export function describeReport(report: FilterReport): string {
  const d = report.dropped;
  const dropped = report.read - report.kept;
  return `kept ${report.kept} of ${report.read} pairs; dropped ${dropped} (too short ${d.tooShort}, too long ${d.tooLong}, length ratio ${d.ratio})`;
}
