// Thinning a long line before drawing it: a pixel column cannot show more than its first, lowest, highest and
// last point (the M4 rule), so 100,000 training steps draw the same picture from a few thousand points.

/** Of each run of consecutive points in the same pixel column (floor of x), keeps the first, min, max and last, in order. */
export function downsample(points: ReadonlyArray<readonly [number, number]>): [number, number][] {
  const kept: [number, number][] = [];
  let start = 0;
  while (start < points.length) {
    const column = Math.floor(points[start][0]);
    let [low, high, end] = [start, start, start];
    while (end + 1 < points.length && Math.floor(points[end + 1][0]) === column) {
      end++;
      if (points[end][1] < points[low][1]) low = end;
      if (points[end][1] > points[high][1]) high = end;
    }
    for (const i of [...new Set([start, low, high, end])].sort((a, b) => a - b))
      kept.push([points[i][0], points[i][1]]);
    start = end + 1;
  }
  return kept;
}
