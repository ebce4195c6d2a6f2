// SVG pictures of attention maps, matrices and curves, as strings: no DOM and no Node, so that the CLI and
// the browser page draw the same pictures.

export {
  attentionAxes,
  attentionGridSvg,
  headAverage,
  type AttentionAxes,
  type AttentionGridOptions,
  type AttentionKind,
  type AttentionMapData,
} from './attention.js';
export { colorAt, colorScale, MISSING_COLOR, type ColormapName } from './colormap.js';
export { gridSvg, type GridOptions } from './compose.js';
export { downsample } from './downsample.js';
export { heatmapSvg, type HeatmapOptions } from './heatmap.js';
export { lineChartSvg, type LineChartOptions, type Series } from './line-chart.js';
export { escapeXml, formatValue, truncateLabel, type Picture } from './svg.js';
export { logTicks, niceStep, niceTicks, tickLabels, type Ticks } from './ticks.js';
