// Colour scales: a sequential ramp (viridis: even steps look even, and it survives grey-scale printing) and a
// diverging blue-white-red one centred on zero. Each is a short table of anchors, interpolated in between.

/** The colour scales. */
export type ColormapName = 'sequential' | 'diverging';

const ANCHORS: Record<ColormapName, readonly string[]> = {
  // matplotlib's viridis at 9 evenly spaced points
  sequential: ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'],
  // ColorBrewer's RdBu, blue end first
  diverging: ['#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b'],
};

/** Cells whose value is NaN or infinite. */
export const MISSING_COLOR = '#bdbdbd';

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as never;
const TABLES = Object.fromEntries(Object.entries(ANCHORS).map(([name, anchors]) => [name, anchors.map(rgb)])) as Record<
  ColormapName,
  [number, number, number][]
>;
const hex2 = (x: number) => Math.round(x).toString(16).padStart(2, '0');

/** The colour at t in [0, 1] (clamped) as #rrggbb. */
export function colorAt(name: ColormapName, t: number): string {
  const table = TABLES[name];
  if (Number.isNaN(t)) return MISSING_COLOR;
  const x = Math.min(1, Math.max(0, t)) * (table.length - 1);
  const i = Math.min(table.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [table[i], table[i + 1]];
  return `#${hex2(a[0] + f * (b[0] - a[0]))}${hex2(a[1] + f * (b[1] - a[1]))}${hex2(a[2] + f * (b[2] - a[2]))}`;
}

/**
 * Value to colour. Sequential maps min..max onto the ramp; diverging puts 0 at white and the larger of |min|
 * and |max| at full colour, so that equal magnitudes get equal strength on both sides.
 */
export function colorScale(name: ColormapName, min: number, max: number): (value: number) => string {
  if (name === 'diverging') {
    const reach = Math.max(Math.abs(min), Math.abs(max)) || 1;
    return (v) => (Number.isFinite(v) ? colorAt(name, 0.5 + v / (2 * reach)) : MISSING_COLOR);
  }
  const span = max - min;
  return (v) => (Number.isFinite(v) ? colorAt(name, span > 0 ? (v - min) / span : 0.5) : MISSING_COLOR);
}
