// A matrix as coloured cells: attention weights (queries x keys) or the positional-encoding table.
// Every cell carries its row, column and value as data attributes and a <title> that shows on hover.

import { colorScale, type ColormapName } from './colormap.js';
import {
  escapeXml,
  FONT_SIZE,
  formatValue,
  px,
  svgDocument,
  text,
  textWidth,
  TITLE_FONT_SIZE,
  truncateLabel,
  type Picture,
} from './svg.js';

export type { Picture } from './svg.js';

/** A heatmap's labels, colours and size. */
export interface HeatmapOptions {
  /** Row-major, rows x cols. */
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  /** Drawn left of each row (e.g. query tokens). */
  rowLabels?: readonly string[];
  /** Drawn above each column, rotated (e.g. key tokens). */
  colLabels?: readonly string[];
  title?: string;
  rowAxisLabel?: string;
  colAxisLabel?: string;
  /** Colour scale bounds; by default the smallest and largest finite value. */
  min?: number;
  max?: number;
  /** sequential for attention (0..1); diverging (blue-white-red, centred on 0) for the positional encoding. */
  colormap?: ColormapName;
  /** Pixels, 18 by default. */
  cellWidth?: number;
  cellHeight?: number;
  /** A colour bar with its min and max; on by default. */
  legend?: boolean;
}

const PAD = 8;
const LABEL_GAP = 4;
const LABEL_FONT_SIZE = FONT_SIZE - 1;
const LEGEND_GAP = 14;
const LEGEND_WIDTH = 12;
const LEGEND_STEPS = 32;

/** A matrix as an SVG heatmap. */
export function heatmapSvg(options: HeatmapOptions): Picture {
  checkShape(options);
  const { min, max } = bounds(options.values, options.min, options.max);
  const color = colorScale(options.colormap ?? 'sequential', min, max);
  const box = layout(options, [formatValue(max), formatValue(min)]);
  const parts = [titlesSvg(options, box), labelsSvg(options, box), cellsSvg(options, box, color)];
  if (box.legend)
    parts.push(colorBar(box.left + box.gridWidth + LEGEND_GAP, box.top, box.legendHeight, min, max, color));
  return svgDocument(box.width, box.height, parts.join(''));
}

interface Layout {
  cw: number;
  ch: number;
  /** The grid's top left corner and size. */
  left: number;
  top: number;
  gridWidth: number;
  gridHeight: number;
  width: number;
  height: number;
  titleHeight: number;
  /** Labels are drawn for every rowEvery-th row and colEvery-th column. */
  rowEvery: number;
  colEvery: number;
  legend: boolean;
  legendHeight: number;
}

const rowText = (o: HeatmapOptions, i: number) => truncateLabel(o.rowLabels?.[i] ?? String(i));
const colText = (o: HeatmapOptions, j: number) => truncateLabel(o.colLabels?.[j] ?? String(j));

/** Where everything goes: text is measured by estimate, the grid sits right of the row labels and under the column labels. */
function layout(o: HeatmapOptions, legendLabels: string[]): Layout {
  const cw = o.cellWidth ?? 18;
  const ch = o.cellHeight ?? 18;
  if (!(cw > 0) || !(ch > 0)) throw new RangeError(`cellWidth and cellHeight must be > 0, got ${cw} and ${ch}`);
  const [rowEvery, colEvery] = [labelEvery(ch), labelEvery(cw)];
  const widest = (n: number, every: number, label: (i: number) => string) => {
    let w = 0;
    for (let i = 0; i < n; i += every) w = Math.max(w, textWidth(label(i), LABEL_FONT_SIZE));
    return w;
  };
  const titleHeight = o.title ? TITLE_FONT_SIZE + 10 : 0;
  const colAxisHeight = o.colAxisLabel ? FONT_SIZE + 6 : 0;
  const rowAxisWidth = o.rowAxisLabel ? FONT_SIZE + 6 : 0;
  const left = PAD + rowAxisWidth + widest(o.rows, rowEvery, (i) => rowText(o, i)) + LABEL_GAP;
  const top = PAD + titleHeight + colAxisHeight + widest(o.cols, colEvery, (j) => colText(o, j)) + LABEL_GAP;
  const [gridWidth, gridHeight] = [o.cols * cw, o.rows * ch];
  const legend = o.legend ?? true;
  const legendHeight = Math.max(gridHeight, 60);
  const legendWidth = legend
    ? LEGEND_GAP + LEGEND_WIDTH + LABEL_GAP + Math.max(...legendLabels.map((l) => textWidth(l, LABEL_FONT_SIZE)))
    : 0;
  const width = Math.max(left + gridWidth + legendWidth, o.title ? textWidth(o.title, TITLE_FONT_SIZE) : 0) + PAD;
  // A rotated row-axis label longer than the grid is tall gets the room it needs below the grid.
  const rowAxisSpan = o.rowAxisLabel ? textWidth(o.rowAxisLabel, FONT_SIZE) : 0;
  const height = top + Math.max(legend ? legendHeight : gridHeight, rowAxisSpan) + PAD;
  return {
    cw,
    ch,
    left,
    top,
    gridWidth,
    gridHeight,
    width,
    height,
    titleHeight,
    rowEvery,
    colEvery,
    legend,
    legendHeight,
  };
}

function titlesSvg(o: HeatmapOptions, box: Layout): string {
  const parts: string[] = [];
  if (o.title) {
    const options = { anchor: 'middle', size: TITLE_FONT_SIZE, bold: true, className: 'title' } as const;
    parts.push(text(box.width / 2, PAD + TITLE_FONT_SIZE, o.title, options));
  }
  if (o.colAxisLabel) {
    const y = PAD + box.titleHeight + FONT_SIZE;
    parts.push(text(box.left + box.gridWidth / 2, y, o.colAxisLabel, { anchor: 'middle', className: 'axis-label' }));
  }
  if (o.rowAxisLabel) {
    const options = { anchor: 'middle', rotate: -90, middle: true, className: 'axis-label' } as const;
    const span = Math.max(box.gridHeight, textWidth(o.rowAxisLabel, FONT_SIZE));
    parts.push(text(PAD + FONT_SIZE / 2, box.top + span / 2, o.rowAxisLabel, options));
  }
  return parts.join('');
}

/** Row labels right-aligned left of the grid; column labels rotated to read upwards from its top. */
function labelsSvg(o: HeatmapOptions, box: Layout): string {
  const { left, top, cw, ch } = box;
  const parts = [`<g class="labels" font-size="${LABEL_FONT_SIZE}">`];
  const rowOptions = { anchor: 'end', middle: true, size: LABEL_FONT_SIZE } as const;
  for (let i = 0; i < o.rows; i += box.rowEvery)
    parts.push(text(left - LABEL_GAP, top + (i + 0.5) * ch, rowText(o, i), rowOptions));
  const colOptions = { rotate: -90, middle: true, size: LABEL_FONT_SIZE } as const;
  for (let j = 0; j < o.cols; j += box.colEvery)
    parts.push(text(left + (j + 0.5) * cw, top - LABEL_GAP, colText(o, j), colOptions));
  parts.push('</g>');
  return parts.join('');
}

function cellsSvg(o: HeatmapOptions, box: Layout, color: (v: number) => string): string {
  const { values, rows, cols } = o;
  // The hover text names the whole label, not the cut one.
  const rowNames = Array.from({ length: rows }, (_, i) => escapeXml(o.rowLabels?.[i] ?? String(i)));
  const colNames = Array.from({ length: cols }, (_, j) => escapeXml(o.colLabels?.[j] ?? String(j)));
  const xs = Array.from({ length: cols }, (_, j) => px(box.left + j * box.cw));
  const size = `width="${px(box.cw)}" height="${px(box.ch)}"`;
  const parts = ['<g class="cells" shape-rendering="crispEdges">'];
  for (let i = 0; i < rows; i++) {
    const y = px(box.top + i * box.ch);
    for (let j = 0; j < cols; j++) {
      const v = values[i * cols + j];
      const value = formatValue(v);
      parts.push(
        `<rect class="cell" data-row="${i}" data-col="${j}" data-value="${value}" x="${xs[j]}" y="${y}" ${size} fill="${color(v)}">` +
          `<title>${rowNames[i]} → ${colNames[j]}: ${value}</title></rect>`,
      );
    }
  }
  parts.push('</g>');
  return parts.join('');
}

function checkShape({ values, rows, cols, rowLabels, colLabels }: HeatmapOptions): void {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be a positive integer, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`cols must be a positive integer, got ${cols}`);
  if (values.length !== rows * cols)
    throw new RangeError(`values must hold rows x cols = ${rows * cols} numbers, got ${values.length}`);
  if (rowLabels !== undefined && rowLabels.length !== rows)
    throw new RangeError(`rowLabels must have one label per row (${rows}), got ${rowLabels.length}`);
  if (colLabels !== undefined && colLabels.length !== cols)
    throw new RangeError(`colLabels must have one label per column (${cols}), got ${colLabels.length}`);
}

/** The given bounds, or the finite values' range (0..1 when there is none). */
function bounds(values: ArrayLike<number>, min?: number, max?: number): { min: number; max: number } {
  let [low, high] = [Infinity, -Infinity];
  if (min === undefined || max === undefined) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < low) low = v;
      if (v > high) high = v;
    }
    if (low > high) [low, high] = [0, 1];
  }
  const result = { min: min ?? low, max: max ?? high };
  if (!(result.min <= result.max)) throw new RangeError(`min must be <= max, got ${result.min} and ${result.max}`);
  return result;
}

/** Every k-th label, k from 1, 2, 5, 10, 20, ..., so that labels on cells `size` px apart do not overlap. */
function labelEvery(size: number): number {
  for (let k = 1; ; k *= 10) for (const m of [1, 2, 5]) if (m * k * size >= LABEL_FONT_SIZE + 4) return m * k;
}

/** A vertical colour bar, max at the top, made of plain bands (gradient ids would clash between pictures on one page). */
function colorBar(
  x: number,
  y: number,
  height: number,
  min: number,
  max: number,
  color: (v: number) => string,
): string {
  const parts = ['<g class="legend">'];
  const band = height / LEGEND_STEPS;
  for (let k = 0; k < LEGEND_STEPS; k++) {
    const v = max - ((k + 0.5) / LEGEND_STEPS) * (max - min);
    parts.push(
      `<rect x="${px(x)}" y="${px(y + k * band)}" width="${LEGEND_WIDTH}" height="${px(band + 0.5)}" fill="${color(v)}"/>`,
    );
  }
  parts.push(
    `<rect x="${px(x)}" y="${px(y)}" width="${LEGEND_WIDTH}" height="${px(height)}" fill="none" stroke="#888" stroke-width="0.5"/>`,
  );
  const labelX = x + LEGEND_WIDTH + LABEL_GAP;
  parts.push(text(labelX, y, formatValue(max), { middle: true, size: LABEL_FONT_SIZE }));
  parts.push(text(labelX, y + height, formatValue(min), { middle: true, size: LABEL_FONT_SIZE }));
  if (min < 0 && max > 0)
    parts.push(text(labelX, y + (height * max) / (max - min), '0', { middle: true, size: LABEL_FONT_SIZE }));
  parts.push('</g>');
  return parts.join('');
}
