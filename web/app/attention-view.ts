// Attention heatmaps for one answer (a translation, an encoded text, a generation): the chosen kind
// (encoder self-attention, decoder self-attention, encoder–decoder) and layer, as one heatmap per head
// plus their average, or the head average of every layer. Queries are rows, keys are columns, both
// labelled with tokens.

import { headAverage, heatmapSvg, type AttentionAxes } from '../../src/viz/index.js';
import type { AttentionMap } from './api.js';

export type View = 'heads' | 'average' | 'layers';

/** What the heatmaps show: the maps, and the token labels of each kind's axes. */
export interface Shown {
  attention: AttentionMap[];
  axes: (kind: AttentionMap['kind']) => AttentionAxes;
}

function panel(title: string, values: ArrayLike<number>, map: AttentionMap, t: Shown, legend: boolean): string {
  const [, rows, cols] = map.shape;
  const axes = t.axes(map.kind);
  const picture = heatmapSvg({
    values,
    rows,
    cols,
    rowLabels: axes.rows,
    colLabels: axes.cols,
    title,
    rowAxisLabel: axes.rowAxisLabel,
    colAxisLabel: axes.colAxisLabel,
    min: 0,
    max: 1,
    legend,
  });
  return `<div class="panel" data-title="${title}">${picture.svg}</div>`;
}

export function renderAttention(
  container: HTMLElement,
  t: Shown,
  kind: AttentionMap['kind'],
  layer: number,
  view: View,
): void {
  const maps = t.attention.filter((m) => m.kind === kind);
  const parts: string[] = [];
  if (view === 'layers') {
    for (const map of maps) parts.push(panel(`layer ${map.layer}, head average`, headAverage(map), map, t, false));
  } else {
    const map = maps.find((m) => m.layer === layer);
    if (map === undefined) {
      container.textContent = `no ${kind} attention in layer ${layer}`;
      return;
    }
    const [heads, rows, cols] = map.shape;
    if (view === 'heads')
      for (let h = 0; h < heads; h++)
        parts.push(panel(`head ${h}`, map.weights.slice(h * rows * cols, (h + 1) * rows * cols), map, t, false));
    parts.push(panel('head average', headAverage(map), map, t, true));
  }
  container.innerHTML = parts.join('');
}
