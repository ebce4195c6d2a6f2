// The page: model summary, a form for the model's kind (translate, classify / tag / fill masks,
// generate), attention heatmaps for its answer, the positional-encoding matrix, and the run's training
// curves when the server has a run folder.

import { attentionAxes, heatmapSvg, lineChartSvg } from '../../src/viz/index.js';
import { api, type ModelInfo } from './api.js';
import { renderAttention, type Shown, type View } from './attention-view.js';
import { setUpEncoder } from './encode-panel.js';
import { setUpGenerator } from './generate-panel.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let info: ModelInfo | null = null;
let current: Shown | null = null;

function setStatus(message: string, error = false): void {
  const status = $('status');
  status.textContent = message;
  status.classList.toggle('error', error);
}

function selectedKind(): 'encoder' | 'decoder' | 'cross' {
  return (document.querySelector('input[name="kind"]:checked') as HTMLInputElement).value as
    'encoder' | 'decoder' | 'cross';
}

/** The layer menu lists the layers of the chosen kind's stack. */
function fillLayers(): void {
  if (info === null) return;
  const c = info.model.config;
  const count = selectedKind() === 'encoder' ? c.encoderLayers : c.decoderLayers;
  const select = $<HTMLSelectElement>('attention-layer');
  const keep = Math.min(Number(select.value || count - 1), count - 1);
  select.innerHTML = Array.from({ length: count }, (_, i) => `<option value="${i}">${i}</option>`).join('');
  select.value = String(keep);
}

function showAttention(): void {
  if (current === null) return;
  const view = $<HTMLSelectElement>('attention-view').value as View;
  const kind = selectedKind();
  const layer = Number($<HTMLSelectElement>('attention-layer').value);
  $<HTMLSelectElement>('attention-layer').disabled = view === 'layers';
  const where = view === 'layers' ? 'every layer' : `layer ${layer}`;
  const name =
    kind === 'cross'
      ? 'encoder–decoder attention'
      : info?.model.config.kind === 'decoder-only'
        ? 'causal self-attention (a token sees itself and those before it)'
        : `${kind} self-attention`;
  $('attention-caption').textContent =
    `${name}, ${where}: each row is a query and sums to 1. ` + 'Hover over a cell for its weight.';
  renderAttention($('heatmaps'), current, kind, layer, view);
}

/** Shows the attention of a new answer. */
function show(shown: Shown): void {
  current = shown;
  $('attention-section').hidden = false;
  showAttention();
}

/** An encoder-only or decoder-only model: its form instead of translation, its one kind of attention. */
function setUpKind(i: ModelInfo): void {
  const kind = i.model.config.kind;
  if (kind === 'encoder-decoder') return;
  $('translate-section').hidden = true;
  const attention = kind === 'encoder-only' ? 'encoder' : 'decoder';
  (document.querySelector(`input[name="kind"][value="${attention}"]`) as HTMLInputElement).checked = true;
  $('attention-kind').hidden = true;
  if (kind === 'encoder-only') setUpEncoder(i, show);
  else setUpGenerator(i, show);
}

function summary(i: ModelInfo): string {
  const c = i.model.config;
  const layers =
    c.kind === 'encoder-decoder'
      ? `${c.encoderLayers}+${c.decoderLayers} layers`
      : c.kind === 'encoder-only'
        ? `encoder-only with a ${c.head} head, ${c.encoderLayers} layers`
        : `decoder-only, ${c.decoderLayers} layers`;
  return (
    `${i.model.folder}: ${layers}, d_model ${c.dModel}, ${c.h} heads, ` +
    `d_ff ${c.dFF}, ${i.model.parameters.toLocaleString('en-US')} parameters, backend ${i.backend.name}`
  );
}

async function translate(event: Event): Promise<void> {
  event.preventDefault();
  const text = $<HTMLTextAreaElement>('source-text').value;
  const beam = Number($<HTMLSelectElement>('beam').value);
  const button = $<HTMLButtonElement>('translate-button');
  button.disabled = true;
  setStatus('translating…');
  try {
    const t = await api.translate(text, beam);
    $('translation').textContent = t.translation;
    $('source-tokens').textContent = t.source.tokens.join(' ');
    $('target-tokens').textContent = t.target.tokens.join(' ');
    $('result').hidden = false;
    setStatus(
      `${beam === 1 ? 'greedy' : `beam ${beam}`}, score ${t.score.toFixed(3)}, ${t.milliseconds} ms on the server`,
    );
    show({
      attention: t.attention ?? [],
      axes: (kind) => attentionAxes(kind, t.source.tokens, t.target.tokens),
    });
  } catch (error) {
    setStatus((error as Error).message, true);
  } finally {
    button.disabled = false;
  }
}

async function showPositionalEncoding(): Promise<void> {
  const length = Math.min(64, info!.model.config.maxLength);
  const pe = await api.positionalEncoding(length);
  const cellWidth = Math.max(1, Math.min(6, Math.floor(1000 / pe.dModel)));
  $('positional-caption').textContent =
    `${pe.kind} encoding of positions 0–${pe.length - 1} (rows) over the ${pe.dModel} model dimensions (columns).`;
  $('positional').innerHTML = heatmapSvg({
    values: pe.values,
    rows: pe.length,
    cols: pe.dModel,
    rowAxisLabel: 'position',
    colAxisLabel: 'dimension',
    colormap: 'diverging',
    min: -1,
    max: 1,
    cellWidth,
    cellHeight: 6,
  }).svg;
}

async function showTraining(): Promise<void> {
  if (info?.run === null) return;
  const run = await api.metrics();
  const charts = [
    lineChartSvg({
      title: 'loss',
      xLabel: 'step',
      yLabel: 'label-smoothed loss',
      series: [
        { name: 'training', points: run.steps.map((s) => [s.step, s.loss] as const) },
        { name: 'validation', points: run.validations.map((v) => [v.step, v.loss] as const) },
      ],
    }),
    lineChartSvg({
      title: 'validation BLEU',
      xLabel: 'step',
      yLabel: 'BLEU',
      series: [
        { name: 'BLEU', points: run.validations.filter((v) => v.bleu !== null).map((v) => [v.step, v.bleu!] as const) },
      ],
    }),
    lineChartSvg({
      title: 'learning rate',
      xLabel: 'step',
      yLabel: 'learning rate',
      series: [{ name: 'lr', points: run.steps.map((s) => [s.step, s.lr] as const) }],
    }),
  ];
  $('training-caption').textContent =
    `${run.folder}: ${run.steps.at(-1)?.step ?? 0} steps, ${run.validations.length} validations.`;
  $('charts').innerHTML = charts.map((c) => `<div class="panel">${c.svg}</div>`).join('');
  $('training-section').hidden = false;
}

/** One tooltip for every heatmap cell: "query → key: weight". */
function followCells(): void {
  const tooltip = $('tooltip');
  document.addEventListener('mousemove', (event) => {
    const cell = (event.target as Element).closest?.('rect.cell');
    if (cell === null || cell === undefined) {
      tooltip.hidden = true;
      return;
    }
    const title = cell.querySelector('title')?.textContent ?? cell.getAttribute('data-value');
    tooltip.textContent = title;
    tooltip.style.left = `${event.clientX + 12}px`;
    tooltip.style.top = `${event.clientY + 12}px`;
    tooltip.hidden = false;
  });
}

async function start(): Promise<void> {
  followCells();
  $('translate-form').addEventListener('submit', (e) => void translate(e));
  for (const input of document.querySelectorAll('input[name="kind"]'))
    input.addEventListener('change', () => {
      fillLayers();
      showAttention();
    });
  $('attention-layer').addEventListener('change', showAttention);
  $('attention-view').addEventListener('change', showAttention);
  try {
    info = await api.info();
  } catch (error) {
    setStatus(`cannot reach the server: ${(error as Error).message}`, true);
    return;
  }
  $('model-summary').textContent = summary(info);
  setUpKind(info);
  fillLayers();
  document.body.dataset.ready = 'true';
  await Promise.all([
    showPositionalEncoding().catch((e: Error) => setStatus(`positional encoding: ${e.message}`, true)),
    showTraining().catch((e: Error) => setStatus(`training curves: ${e.message}`, true)),
  ]);
}

void start();
