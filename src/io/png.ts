// SVG text to PNG bytes with resvg (a Rust renderer shipped as a prebuilt Node addon), on Node only.

import { createRequire } from 'node:module';
import type { ResvgRenderOptions } from '@resvg/resvg-js';

/** The SVG pictures ask for DejaVu Sans first; where it is missing resvg falls back to this family's stand-in. */
const FONT: ResvgRenderOptions['font'] = {
  loadSystemFonts: true,
  defaultFontFamily: 'DejaVu Sans',
  sansSerifFamily: 'DejaVu Sans',
};

/** Renders at the picture's own size on white. Loaded on first use: SVG output never needs the addon. */
export function svgToPng(svg: string): Buffer {
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  return new Resvg(svg, { font: FONT, background: 'white', fitTo: { mode: 'original' } }).render().asPng();
}
