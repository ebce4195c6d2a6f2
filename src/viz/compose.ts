// Several pictures in one: a grid of panels under an optional title, each panel kept whole as a nested <svg>.

import { svgDocument, text, textWidth, TITLE_FONT_SIZE, type Picture } from './svg.js';

/** How gridSvg arranges pictures. */
export interface GridOptions {
  columns: number;
  /** Pixels between panels and around the grid; 12 by default. */
  gap?: number;
  title?: string;
}

/** Panels row by row, `columns` to a row; a column is as wide as its widest panel, a row as tall as its tallest. */
export function gridSvg(panels: readonly Picture[], options: GridOptions): Picture {
  const { columns, gap = 12, title } = options;
  if (!Number.isInteger(columns) || columns < 1)
    throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const rows = Math.ceil(panels.length / columns);
  const colWidths = Array.from({ length: Math.min(columns, panels.length) }, () => 0);
  const rowHeights = Array.from({ length: rows }, () => 0);
  panels.forEach((p, k) => {
    colWidths[k % columns] = Math.max(colWidths[k % columns], p.width);
    rowHeights[Math.floor(k / columns)] = Math.max(rowHeights[Math.floor(k / columns)], p.height);
  });
  const offsets = (sizes: number[], start: number) => sizes.map((_, k) => start + sum(sizes.slice(0, k)) + k * gap);
  const titleHeight = title ? TITLE_FONT_SIZE + 12 : 0;
  const xs = offsets(colWidths, gap);
  const ys = offsets(rowHeights, gap + titleHeight);
  const width = Math.max(
    sum(colWidths) + (colWidths.length + 1) * gap,
    title ? textWidth(title, TITLE_FONT_SIZE) + 2 * gap : 0,
  );
  const height = titleHeight + sum(rowHeights) + (rows + 1) * gap;

  const parts: string[] = [];
  if (title)
    parts.push(
      text(width / 2, gap + TITLE_FONT_SIZE, title, {
        anchor: 'middle',
        size: TITLE_FONT_SIZE + 1,
        bold: true,
        className: 'title',
      }),
    );
  panels.forEach((p, k) => {
    const [x, y] = [xs[k % columns], ys[Math.floor(k / columns)]];
    // A panel is a whole document; an XML declaration would be out of place inside another one.
    parts.push(`<g class="panel" transform="translate(${x},${y})">${p.svg.replace(/^<\?xml[^>]*>\s*/, '')}</g>`);
  });
  return svgDocument(width, height, parts.join(''));
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
