// The playground's pictures as SVG strings, drawn by the library's own plots (src/viz): the loss and
// BLEU curves, the heatmaps of every layer and head, the positional-encoding matrix and the matrices
// of the step-through. Every heatmap cell shows its number on hover (its <title>).

import { heatmapSvg, lineChartSvg } from '../../src/viz/index.js';
import type { AttentionSnapshot, AttentionStack, StepThrough } from './insight.js';
import type { Matrix } from './step-through.js';

export interface Curves {
  loss: [number, number][];
  bleu: [number, number][];
}

export function curvesSvg(curves: Curves): string[] {
  return [
    lineChartSvg({
      title: 'training loss',
      xLabel: 'update',
      yLabel: 'label-smoothed loss per token',
      width: 420,
      height: 260,
      series: [{ name: 'training', points: curves.loss }],
    }).svg,
    lineChartSvg({
      title: 'validation BLEU (greedy)',
      xLabel: 'update',
      yLabel: 'BLEU',
      width: 420,
      height: 260,
      series: [{ name: 'BLEU', points: curves.bleu }],
    }).svg,
  ];
}

const STACK_TITLE: Record<AttentionStack, string> = {
  encoder: 'encoder self-attention',
  decoder: 'decoder self-attention',
  cross: 'encoder–decoder attention',
};

/** One heatmap per layer and head: rows are queries, columns keys, each row sums to 1. */
export function attentionSvgs(snapshot: AttentionSnapshot): { title: string; svgs: string[] }[] {
  const groups: { title: string; svgs: string[] }[] = [];
  for (const layer of snapshot.layers) {
    const queries = layer.stack === 'encoder' ? snapshot.sourceTokens : snapshot.targetTokens;
    const keys = layer.stack === 'decoder' ? snapshot.targetTokens : snapshot.sourceTokens;
    const size = layer.queries * layer.keys;
    const svgs = Array.from(
      { length: layer.heads },
      (_, head) =>
        heatmapSvg({
          values: layer.values.subarray(head * size, (head + 1) * size),
          rows: layer.queries,
          cols: layer.keys,
          rowLabels: queries,
          colLabels: keys,
          title: `head ${head}`,
          min: 0,
          max: 1,
          cellWidth: 14,
          cellHeight: 14,
          legend: false,
        }).svg,
    );
    groups.push({ title: `${STACK_TITLE[layer.stack]}, layer ${layer.layer}`, svgs });
  }
  return groups;
}

export function positionalSvg(pe: Matrix): string {
  return heatmapSvg({
    values: pe.values,
    rows: pe.rows,
    cols: pe.cols,
    rowAxisLabel: 'position',
    colAxisLabel: 'dimension',
    colormap: 'diverging',
    min: -1,
    max: 1,
    cellWidth: Math.max(2, Math.min(8, Math.floor(800 / pe.cols))),
    cellHeight: 6,
  }).svg;
}

function matrixSvg(m: Matrix, title: string, rowLabels: string[], colLabels?: string[], diverging = true): string {
  const finite = Array.from(m.values).filter(Number.isFinite);
  const extent = Math.max(1e-6, ...finite.map(Math.abs));
  return heatmapSvg({
    values: m.values,
    rows: m.rows,
    cols: m.cols,
    rowLabels,
    colLabels,
    title,
    colormap: diverging ? 'diverging' : 'sequential',
    min: diverging ? -extent : 0,
    max: diverging ? extent : 1,
    cellWidth: Math.max(4, Math.min(16, Math.floor(360 / m.cols))),
    cellHeight: 14,
  }).svg;
}

/** The step-through's matrices, in the order the paper computes them. */
export function stepSvgs(s: StepThrough): { caption: string; svg: string }[] {
  const t = s.tokens;
  const dK = s.q.cols;
  return [
    { caption: 'token embeddings (× √d_model)', svg: matrixSvg(s.embeddings, 'embeddings', t) },
    { caption: '+ positional encodings', svg: matrixSvg(s.positions, 'positions', t) },
    { caption: '= X, the layer’s input', svg: matrixSvg(s.x, 'X', t) },
    { caption: `Q = X W_Q + b (d_k = ${dK})`, svg: matrixSvg(s.q, 'Q', t) },
    { caption: 'K = X W_K + b', svg: matrixSvg(s.k, 'K', t) },
    { caption: 'V = X W_V + b', svg: matrixSvg(s.v, 'V', t) },
    { caption: `QKᵀ / √d_k (√${dK} = ${Math.sqrt(dK).toFixed(2)})`, svg: matrixSvg(s.scores, 'scores', t, t) },
    { caption: 'mask: 1 where a query may look', svg: matrixSvg(s.mask, 'mask', t, t, false) },
    { caption: 'softmax of each masked row', svg: matrixSvg(s.weights, 'weights', t, t, false) },
    { caption: 'weighted sum of V: the head’s output', svg: matrixSvg(s.output, 'output', t) },
  ];
}
