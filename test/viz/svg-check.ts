// What the picture tests share: a real SVG parser (resvg's) as the judge of well-formedness, and counting.

import { createRequire } from 'node:module';

const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');

/** The size the SVG parser reads off the document; throws when the SVG is not well-formed. */
export function parsedSize(svg: string): { width: number; height: number } {
  const parsed = new Resvg(svg, { font: { loadSystemFonts: false } });
  return { width: parsed.width, height: parsed.height };
}

export function count(svg: string, pattern: RegExp): number {
  return [...svg.matchAll(new RegExp(pattern.source, 'g'))].length;
}

/** The cells of a heatmap: row, column and value as data attributes, and the hover title. */
export function cells(svg: string): { row: number; col: number; value: string; title: string }[] {
  return [
    ...svg.matchAll(
      /<rect class="cell" data-row="(\d+)" data-col="(\d+)" data-value="([^"]*)"[^>]*><title>([^<]*)<\/title>/g,
    ),
  ].map((m) => ({ row: Number(m[1]), col: Number(m[2]), value: m[3], title: m[4] }));
}
