// What every picture shares: the Picture type, the SVG root, XML escaping, numbers and labels as text.
// Browser-safe: no imports outside src/viz, so the page can load these modules as they are.

/** An SVG document and its size in pixels. */
export interface Picture {
  svg: string;
  width: number;
  height: number;
}

/** DejaVu is what the PNG renderer loads; a browser without it falls back to its sans-serif. */
export const FONT_FAMILY = 'DejaVu Sans, sans-serif';
export const FONT_SIZE = 11;
export const TITLE_FONT_SIZE = 13;
export const TEXT_COLOR = '#222';
/** Labels longer than this are cut, with an ellipsis, so that one long token cannot squeeze the picture. */
export const MAX_LABEL_CHARS = 16;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text made safe inside SVG/XML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** 4 significant digits without trailing zeros ("0.1235", "1", "1.5e-7"); NaN and infinities as JavaScript spells them. */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

/** A coordinate with at most two decimals: enough for a screen, short enough for 60,000 cells. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Cuts a label to `max` characters (code points), the last one an ellipsis. */
export function truncateLabel(label: string, max = MAX_LABEL_CHARS): string {
  const chars = Array.from(label);
  return chars.length <= max ? label : `${chars.slice(0, max - 1).join('')}…`;
}

/** A rough text width: there is no DOM to measure with, and DejaVu Sans averages about 0.6 em per character. */
export function textWidth(text: string, fontSize = FONT_SIZE): number {
  return Array.from(text).length * fontSize * 0.62;
}

/** The root element around `body`, with a white background so that a PNG or a dark page shows it as drawn. */
export function svgDocument(width: number, height: number, body: string): Picture {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `font-family="${FONT_FAMILY}" font-size="${FONT_SIZE}" fill="${TEXT_COLOR}">` +
    `<rect class="background" width="${w}" height="${h}" fill="white"/>${body}</svg>`;
  return { svg, width: w, height: h };
}

export interface TextOptions {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  bold?: boolean;
  /** Degrees, about (x, y). */
  rotate?: number;
  className?: string;
  /** Centre the text vertically on y (moved by hand: not every renderer honours dominant-baseline). */
  middle?: boolean;
}

/** A <text> element; the content is escaped here. */
export function text(x: number, y: number, content: string, options: TextOptions = {}): string {
  if (options.middle) {
    // Down the page as the text reads it, by about half the height of a lower-case letter.
    const shift = (options.size ?? FONT_SIZE) * 0.35;
    const angle = ((options.rotate ?? 0) * Math.PI) / 180;
    x -= shift * Math.sin(angle);
    y += shift * Math.cos(angle);
  }
  const attributes = [
    options.rotate ? `transform="translate(${px(x)},${px(y)}) rotate(${options.rotate})"` : `x="${px(x)}" y="${px(y)}"`,
  ];
  if (options.className) attributes.push(`class="${options.className}"`);
  if (options.anchor && options.anchor !== 'start') attributes.push(`text-anchor="${options.anchor}"`);
  if (options.size) attributes.push(`font-size="${options.size}"`);
  if (options.bold) attributes.push('font-weight="bold"');
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}
