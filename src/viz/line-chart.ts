// Curves over steps: loss, BLEU, learning rate. Nice ticks on both axes, a legend for several series, gaps
// where y is not finite, and long series thinned to what the pixels can show.

import { downsample } from './downsample.js';
import { escapeXml, FONT_SIZE, px, svgDocument, text, textWidth, TITLE_FONT_SIZE, type Picture } from './svg.js';
import { logTicks, niceTicks, tickLabels, type Ticks } from './ticks.js';

/** One line of a chart: its name and points. */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
}

/** A line chart's title, axes and size. */
export interface LineChartOptions {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels: 640 x 360 by default. */
  width?: number;
  height?: number;
  /** A log y axis; values <= 0 are left out like non-finite ones. */
  logY?: boolean;
  /** A log x axis (with logY, a log-log plot where a power law is a straight line); x <= 0 is left out. */
  logX?: boolean;
}

const PAD = 10;
const TICK = 5;
const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#17becf',
  '#bcbd22',
  '#393b79',
  '#000000',
];
/** Series with this many points or fewer also get a dot at each point (a few validations, not every step). */
const MARKERS_UP_TO = 40;
const SWATCH = 18;
/** Half the last x tick label sticks out right of the plot. */
const RIGHT_OVERHANG = 18;

/** Curves (e.g. training loss) as an SVG line chart. */
export function lineChartSvg(options: LineChartOptions): Picture {
  const { series, xLabel, yLabel, logY = false, logX = false } = options;
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const colors = series.map((s, k) => s.color ?? PALETTE[k % PALETTE.length]);
  const usable = (x: number, y: number) =>
    Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0) && (!logX || x > 0);
  const header = headerSvg(options, colors, width);
  const parts = [header.svg];
  const top = header.bottom + FONT_SIZE / 2; // room for the top tick label
  const bottom = height - PAD - FONT_SIZE - TICK - 4 - (xLabel ? FONT_SIZE + 6 : 0);
  const yLabelWidth = yLabel ? FONT_SIZE + 6 : 0;

  const domain = extent(series, usable);
  if (domain === null) {
    const left = PAD + yLabelWidth;
    const note = { anchor: 'middle', middle: true, className: 'no-data' } as const;
    parts.push(
      frame(left, top, width - PAD, bottom),
      text((left + width - PAD) / 2, (top + bottom) / 2, 'no data', note),
    );
    return svgDocument(width, height, parts.join(''));
  }
  const yTicks = logY
    ? logAxis(domain.yMin, domain.yMax)
    : niceTicks(domain.yMin, domain.yMax, Math.max(2, (bottom - top) / 50));
  const yTickLabels = tickLabels(yTicks);
  const left = PAD + yLabelWidth + Math.max(...yTickLabels.map((l) => textWidth(l))) + TICK + 4;
  const right = width - PAD - RIGHT_OVERHANG;
  const xTicks = logX
    ? logAxis(domain.xMin, domain.xMax)
    : niceTicks(domain.xMin, domain.xMax, Math.max(2, (right - left) / 90));
  const X = (x: number) => left + fraction(x, xTicks, logX) * (right - left);
  const Y = (y: number) => bottom - fraction(y, yTicks, logY) * (bottom - top);

  parts.push(axes(xTicks, yTicks, yTickLabels, X, Y, { left, right, top, bottom }));
  if (xLabel) parts.push(text((left + right) / 2, height - PAD, xLabel, { anchor: 'middle', className: 'axis-label' }));
  if (yLabel) {
    const vertical = { anchor: 'middle', rotate: -90, middle: true, className: 'axis-label' } as const;
    parts.push(text(PAD + FONT_SIZE / 2, (top + bottom) / 2, yLabel, vertical));
  }
  series.forEach((s, k) => parts.push(seriesPath(s, colors[k], usable, X, Y)));
  return svgDocument(width, height, parts.join(''));
}

/**
 * A log axis that hugs the data (widened by 4% of its decades each side) with the ticks of logTicks inside it,
 * or 1, 2 and 5 times the powers of ten when that leaves fewer than three.
 */
function logAxis(min: number, max: number): Ticks {
  const pad = 10 ** Math.max(0.05, 0.04 * Math.log10(max / min));
  const [low, high] = [min / pad, max * pad];
  const inside = (v: number) => v >= low && v <= high;
  let values = logTicks(low, high).values.filter(inside);
  if (values.length < 3) {
    values = [];
    for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++)
      for (const m of [1, 2, 5]) if (inside(m * 10 ** e)) values.push(Number((m * 10 ** e).toPrecision(12)));
  }
  return { min: low, max: high, values, step: values[0] ?? low, log: true };
}

/** Where v lies between the axis bounds, 0 to 1, on a linear or a log scale. */
function fraction(v: number, ticks: Ticks, log: boolean): number {
  return log
    ? Math.log10(v / ticks.min) / Math.log10(ticks.max / ticks.min)
    : (v - ticks.min) / (ticks.max - ticks.min);
}

/** The title and, for more than one series, the legend; `bottom` is where the plot may start. */
function headerSvg(options: LineChartOptions, colors: string[], width: number): { svg: string; bottom: number } {
  const parts: string[] = [];
  let bottom = PAD;
  if (options.title) {
    const style = { anchor: 'middle', size: TITLE_FONT_SIZE, bold: true, className: 'title' } as const;
    parts.push(text(width / 2, bottom + TITLE_FONT_SIZE, options.title, style));
    bottom += TITLE_FONT_SIZE + 10;
  }
  if (options.series.length > 1) {
    const legend = legendRows(options.series, colors, PAD, bottom, width - PAD);
    parts.push(legend.svg);
    bottom = legend.bottom + 6;
  }
  return { svg: parts.join(''), bottom };
}

interface Extent {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

function extent(series: readonly Series[], usable: (x: number, y: number) => boolean): Extent | null {
  const e = { xMin: Infinity, xMax: -Infinity, yMin: Infinity, yMax: -Infinity };
  for (const s of series)
    for (const [x, y] of s.points) {
      if (!usable(x, y)) continue;
      e.xMin = Math.min(e.xMin, x);
      e.xMax = Math.max(e.xMax, x);
      e.yMin = Math.min(e.yMin, y);
      e.yMax = Math.max(e.yMax, y);
    }
  return e.xMin <= e.xMax ? e : null;
}

function frame(left: number, top: number, right: number, bottom: number): string {
  return `<rect class="frame" x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="none" stroke="#ccc"/>`;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Grid lines, the two axis lines, ticks and their labels. */
function axes(
  xTicks: Ticks,
  yTicks: Ticks,
  yLabels: string[],
  X: (x: number) => number,
  Y: (y: number) => number,
  box: Box,
): string {
  const { left, right, top, bottom } = box;
  const parts = ['<g class="axes">'];
  const xLabels = tickLabels(xTicks);
  xTicks.values.forEach((v, k) => {
    const x = px(X(v));
    parts.push(`<line x1="${x}" y1="${px(top)}" x2="${x}" y2="${px(bottom + TICK)}" stroke="#e6e6e6"/>`);
    parts.push(text(X(v), bottom + TICK + 4 + FONT_SIZE, xLabels[k], { anchor: 'middle' }));
  });
  yTicks.values.forEach((v, k) => {
    const y = px(Y(v));
    parts.push(`<line x1="${px(left - TICK)}" y1="${y}" x2="${px(right)}" y2="${y}" stroke="#e6e6e6"/>`);
    parts.push(text(left - TICK - 3, Y(v), yLabels[k], { anchor: 'end', middle: true }));
  });
  parts.push(`<path d="M${px(left)} ${px(top)}V${px(bottom)}H${px(right)}" fill="none" stroke="#555"/>`);
  parts.push('</g>');
  return parts.join('');
}

/** One path per series; a point that cannot be drawn ends a stretch and the next drawable one starts a new one. */
function seriesPath(
  s: Series,
  color: string,
  usable: (x: number, y: number) => boolean,
  X: (x: number) => number,
  Y: (y: number) => number,
): string {
  const stretches: [number, number][][] = [];
  let current: [number, number][] = [];
  for (const [x, y] of s.points) {
    if (usable(x, y)) current.push([X(x), Y(y)]);
    else if (current.length > 0) {
      stretches.push(current);
      current = [];
    }
  }
  if (current.length > 0) stretches.push(current);
  const drawn = stretches.map(downsample);
  const d = drawn.map((points) => `M${points.map(([x, y]) => `${px(x)} ${px(y)}`).join(' ')}`).join('');
  const name = escapeXml(s.name);
  const parts = [
    '<g class="series-group">',
    `<path class="series" data-name="${name}" d="${d}" fill="none" stroke="${escapeXml(color)}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"><title>${name}</title></path>`,
  ];
  const count = drawn.reduce((n, points) => n + points.length, 0);
  if (count <= MARKERS_UP_TO)
    for (const points of drawn)
      for (const [x, y] of points)
        parts.push(`<circle class="marker" cx="${px(x)}" cy="${px(y)}" r="2.5" fill="${escapeXml(color)}"/>`);
  parts.push('</g>');
  return parts.join('');
}

/** Swatch and name of each series, left to right, wrapping onto more rows when the width runs out. */
function legendRows(series: readonly Series[], colors: string[], left: number, top: number, right: number) {
  const parts = ['<g class="legend">'];
  let [x, y] = [left, top + FONT_SIZE / 2];
  series.forEach((s, k) => {
    const itemWidth = SWATCH + 4 + textWidth(s.name) + 14;
    if (x > left && x + itemWidth > right) [x, y] = [left, y + FONT_SIZE + 6];
    parts.push(
      `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + SWATCH)}" y2="${px(y)}" stroke="${escapeXml(colors[k])}" stroke-width="2.5"/>`,
    );
    parts.push(text(x + SWATCH + 4, y, s.name, { middle: true }));
    x += itemWidth;
  });
  parts.push('</g>');
  return { svg: parts.join(''), bottom: y + FONT_SIZE / 2 };
}
