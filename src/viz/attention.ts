// Attention maps as pictures: one heatmap per head (queries down, keys across) and the average over heads.

import { gridSvg } from './compose.js';
import { heatmapSvg } from './heatmap.js';
import type { Picture } from './svg.js';

/** The shape of src/decode/attention-weights.ts's AttentionMap, without its Node-side imports. */
export interface AttentionMapData {
  /** e.g. "decoder.layers.1.crossAttention" */
  name: string;
  /** [h, Tq, Tk] */
  shape: readonly [number, number, number];
  /** Row-major (h, Tq, Tk). */
  weights: ArrayLike<number>;
}

/** Encoder self-attention, decoder self-attention or cross-attention. */
export type AttentionKind = 'encoder' | 'decoder' | 'cross';

/** The labels of an attention map's query and key axes. */
export interface AttentionAxes {
  rows: string[];
  cols: string[];
  rowAxisLabel: string;
  colAxisLabel: string;
}

/**
 * The axis labels of a map, the same on the page and in `transformer plot`. sourceTokens end with
 * "</s>"; targetTokens are the output without it. A decoder query row is labelled with the token its
 * position produced (so a cross-attention row shows where the model looked while writing that
 * token); the keys of decoder self-attention are what the decoder read: "<s>" and the output so far.
 */
export function attentionAxes(
  kind: AttentionKind,
  sourceTokens: readonly string[],
  targetTokens: readonly string[],
): AttentionAxes {
  const produced = [...targetTokens, '</s>'];
  if (kind === 'encoder')
    return {
      rows: [...sourceTokens],
      cols: [...sourceTokens],
      rowAxisLabel: 'source token (query)',
      colAxisLabel: 'source token (key)',
    };
  if (kind === 'cross')
    return {
      rows: produced,
      cols: [...sourceTokens],
      rowAxisLabel: 'output token being produced (query)',
      colAxisLabel: 'source token (key)',
    };
  return {
    rows: produced,
    cols: ['<s>', ...targetTokens],
    rowAxisLabel: 'output token being produced (query)',
    colAxisLabel: 'output so far (key)',
  };
}

/** How attentionGridSvg lays out and colours the maps. */
export interface AttentionGridOptions {
  rowAxisLabel?: string;
  colAxisLabel?: string;
  /** Add the average over heads as a last panel; on by default. */
  average?: boolean;
  /** Panels per row; by default about the square root of the panel count. */
  columns?: number;
}

function checkMap({ name, shape, weights }: AttentionMapData): void {
  const [h, Tq, Tk] = shape;
  for (const [field, n] of [
    ['heads', h],
    ['queries', Tq],
    ['keys', Tk],
  ] as const)
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`${name}: shape's ${field} must be a positive integer, got ${n}`);
  if (weights.length !== h * Tq * Tk)
    throw new RangeError(`${name}: weights must hold h x Tq x Tk = ${h * Tq * Tk} numbers, got ${weights.length}`);
}

/** The mean over heads, (Tq, Tk) row-major. */
export function headAverage(map: AttentionMapData): Float32Array {
  checkMap(map);
  const [h, Tq, Tk] = map.shape;
  const n = Tq * Tk;
  const sums = new Float64Array(n);
  for (let head = 0; head < h; head++) for (let i = 0; i < n; i++) sums[i] += map.weights[head * n + i];
  return Float32Array.from(sums, (s) => s / h);
}

/** Heads "head 0", "head 1", ... and the average, on the 0..1 scale, titled with the map's name. */
export function attentionGridSvg(
  map: AttentionMapData,
  queryLabels: readonly string[],
  keyLabels: readonly string[],
  options: AttentionGridOptions = {},
): Picture {
  checkMap(map);
  const [h, Tq, Tk] = map.shape;
  if (queryLabels.length !== Tq)
    throw new RangeError(`queryLabels must have ${Tq} labels (Tq), got ${queryLabels.length}`);
  if (keyLabels.length !== Tk) throw new RangeError(`keyLabels must have ${Tk} labels (Tk), got ${keyLabels.length}`);
  const n = Tq * Tk;
  const panels: { title: string; values: ArrayLike<number> }[] = [];
  for (let head = 0; head < h; head++)
    panels.push({ title: `head ${head}`, values: Array.prototype.slice.call(map.weights, head * n, (head + 1) * n) });
  if (options.average ?? true) panels.push({ title: 'average of heads', values: headAverage(map) });
  const pictures = panels.map(({ title, values }, k) =>
    heatmapSvg({
      values,
      rows: Tq,
      cols: Tk,
      rowLabels: queryLabels,
      colLabels: keyLabels,
      title,
      rowAxisLabel: options.rowAxisLabel,
      colAxisLabel: options.colAxisLabel,
      min: 0,
      max: 1,
      // Every panel shares the 0..1 scale: one colour bar, on the last, is enough.
      legend: k === panels.length - 1,
    }),
  );
  const columns = options.columns ?? Math.ceil(Math.sqrt(pictures.length));
  return gridSvg(pictures, { columns, title: map.name });
}
