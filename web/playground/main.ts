// The playground page: the task and model form, the training worker's live curves and readouts, the
// attention of every layer and head, the positional encodings, one head step by step, translation
// with the trained model or an opened folder, and the trained model as a download.

import { fetchedFolder, pickedFolder } from '../../src/io/folder-sources.js';
import { formatDuration } from './eta.js';
import { DOWNLOAD_FOLDER, openFolder, translateWith, zipFolder, type OpenFolder } from './folders.js';
import type { AttentionSnapshot, StepThrough } from './insight.js';
import type { BackendReport, FromWorker, ReadyReport } from './protocol.js';
import type { RunnerEvent } from './runner.js';
import { defaultTraining, PLAYGROUND_ATTENTION, type ModelSize, type PlaygroundAttention } from './session.js';
import type { Matrix } from './step-through.js';
import type { TaskKind } from './tasks.js';
import { TrainingClient } from './client.js';
import { attentionSvgs, curvesSvg, positionalSvg, stepSvgs, type Curves } from './views.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const value = (id: string) => $<HTMLInputElement>(id).value;

let client: TrainingClient | null = null;
let backend: BackendReport | null = null;
let ready: ReadyReport | null = null;
let opened: OpenFolder | null = null;
const curves: Curves = { loss: [], bleu: [] };
let lastBleu = NaN;

function setStatus(message: string, error = false): void {
  $('status').textContent = message;
  $('status').classList.toggle('error', error);
  if (error) console.warn(message); // a message the page shows, not an error of the page
}

function setRunning(state: 'idle' | 'running' | 'paused'): void {
  $<HTMLButtonElement>('train').disabled = state !== 'idle';
  $<HTMLButtonElement>('pause').disabled = state !== 'running';
  $<HTMLButtonElement>('resume').disabled = state !== 'paused';
  $<HTMLButtonElement>('stop').disabled = state === 'idle';
  document.body.dataset.training = state;
}

function showBackend(report: BackendReport): void {
  backend = report;
  const threads = report.name === 'wasm' ? `, ${report.threads} thread${report.threads === 1 ? '' : 's'}` : '';
  $('backend-status').textContent =
    `backend: ${report.name}${report.flavour === null ? '' : ` (${report.flavour} build)`}${threads}; ` +
    `cross-origin isolated: ${report.isolated ? 'yes' : 'no'}`;
  if (report.note !== null) {
    setStatus(report.note);
    console.info(report.note);
  }
  const select = $<HTMLSelectElement>('threads');
  select.innerHTML = Array.from({ length: report.maxThreads }, (_, i) => `<option>${i + 1}</option>`).join('');
  select.value = String(report.threads);
  select.disabled = report.maxThreads < 2;
}

function showReady(report: ReadyReport): void {
  ready = report;
  const c = report.config;
  $('model-summary').textContent =
    `${report.trainPairs.toLocaleString('en-US')} training pairs, vocabulary ${report.vocabSize}; ` +
    `N=${c.encoderLayers}+${c.decoderLayers}, d_model ${c.dModel}, d_ff ${c.dFF}, h ${c.h}, ${c.attention} attention, ` +
    `${report.parameters.toLocaleString('en-US')} parameters`;
  $('held-out').innerHTML = '';
  for (const { source, target } of report.heldOut) {
    const item = document.createElement('li');
    item.innerHTML = `<span class="source"></span> → <span class="target"></span>`;
    item.querySelector('.source')!.textContent = source;
    item.querySelector('.target')!.textContent = target;
    item.addEventListener('click', () => ($<HTMLTextAreaElement>('source-text').value = source));
    $('held-out').append(item);
  }
  $<HTMLInputElement>('step-sentence').value = report.heldOut[0]?.source ?? '';
  $('step-head').innerHTML = Array.from({ length: c.h }, (_, i) => `<option>${i}</option>`).join('');
  for (const id of ['progress-section', 'translate-section']) $(id).hidden = false;
  void showPositional();
}

let lastProgress: Extract<RunnerEvent, { type: 'progress' }> | null = null;

function showProgress(event: Extract<RunnerEvent, { type: 'progress' }>): void {
  lastProgress = event;
  curves.loss.push([event.step, event.loss]);
  showReadout();
  drawCurves();
}

/** The line under the form: update, loss, tokens/s on which backend and threads, BLEU, times. */
function showReadout(): void {
  const event = lastProgress;
  if (event === null) return;
  const threads = backend?.name === 'wasm' ? `${backend.threads} thread${backend.threads === 1 ? '' : 's'}` : 'js';
  $('progress').textContent =
    `update ${event.step} · loss ${event.loss.toFixed(3)} · lr ${event.lr.toExponential(2)} · ` +
    `${Math.round(event.tokensPerSecond)} target tokens/s (${backend?.name ?? ''}, ${threads}) · ` +
    `BLEU ${Number.isNaN(lastBleu) ? '–' : lastBleu.toFixed(1)} · elapsed ${formatDuration(event.elapsed)} · ` +
    `ETA ${formatDuration(event.eta)}`;
  document.body.dataset.tokensPerSecond = String(Math.round(event.tokensPerSecond));
}

let drawn = 0;
function drawCurves(): void {
  if (performance.now() - drawn < 500) return; // a chart a few times a second is plenty
  drawn = performance.now();
  $('charts').innerHTML = curvesSvg(curves)
    .map((svg) => `<div class="panel">${svg}</div>`)
    .join('');
}

function showAttention(snapshot: AttentionSnapshot, step: number): void {
  $('attention-caption').textContent =
    `“${snapshot.sourceTokens.join(' ')}” → “${snapshot.translation}” at update ${step}: ` +
    'rows are queries, columns keys; each row sums to 1. Hover over a cell for its weight.';
  $('heatmaps').innerHTML = attentionSvgs(snapshot)
    .map((g) => `<div class="panel"><h3>${g.title}</h3>${g.svgs.join('')}</div>`)
    .join('');
  $('attention-section').hidden = false;
  $('step-section').hidden = false;
}

function onEvent(event: RunnerEvent): void {
  switch (event.type) {
    case 'progress':
      return showProgress(event);
    case 'validation':
      lastBleu = event.bleu;
      curves.bleu.push([event.step, event.bleu]);
      document.body.dataset.bleu = event.bleu.toFixed(2);
      showReadout();
      drawn = 0;
      return drawCurves();
    case 'attention':
      return showAttention(event.snapshot, event.step);
    case 'paused':
      return setRunning('paused');
    case 'resumed':
      return setRunning('running');
    case 'done': {
      setRunning('idle');
      drawn = 0;
      drawCurves();
      const why = { target: 'the validation BLEU reached its target', updates: 'the update limit', stopped: 'stopped' };
      setStatus(
        `training ended after ${event.step} updates in ${formatDuration(event.elapsed)} (${why[event.reason]}); ` +
          `validation BLEU ${lastBleu.toFixed(1)}`,
      );
      document.body.dataset.done = event.reason;
      document.body.dataset.elapsed = event.elapsed.toFixed(1);
    }
  }
}

function onMessage(message: FromWorker): void {
  if (message.type === 'backend') showBackend(message.report);
  else if (message.type === 'ready') showReady(message.report);
  else if (message.type === 'event') onEvent(message.event);
  else if (message.type === 'error') {
    setStatus(message.message, true);
    setRunning('idle');
  }
}

async function train(): Promise<void> {
  client ??= new TrainingClient(onMessage);
  curves.loss = [];
  curves.bleu = [];
  lastBleu = NaN;
  lastProgress = null;
  delete document.body.dataset.done;
  setRunning('running');
  setStatus('learning the tokenizer and building the model…');
  await client.start({
    type: 'start',
    task: {
      kind: value('task') as TaskKind,
      seed: 1,
      train: Number(value('train-pairs')),
      valid: 200,
      pasted: value('pasted'),
    },
    training: {
      ...defaultTraining,
      size: value('size') as ModelSize,
      attention: value('attention') as PlaygroundAttention,
      vocabSize: Number(value('vocab-size')),
    },
    run: {
      maxUpdates: Number(value('max-updates')),
      validEvery: 100,
      validSentences: 200,
      targetBleu: Number(value('target-bleu')),
    },
    backend: value('backend') as 'wasm' | 'js',
  });
}

async function showPositional(): Promise<void> {
  const pe = await client!.ask<Matrix>({ kind: 'positional', length: 48 });
  $('positional-caption').textContent =
    `sinusoidal encodings of positions 0–${pe.rows - 1} (rows) over the ${pe.cols} dimensions (columns): ` +
    'PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(…).';
  $('positional').innerHTML = positionalSvg(pe);
  $('positional-section').hidden = false;
}

async function showSteps(event: Event): Promise<void> {
  event.preventDefault();
  const stack = value('step-stack') as 'encoder' | 'decoder';
  const head = Number(value('step-head'));
  try {
    const s = await client!.ask<StepThrough>({ kind: 'step-through', sentence: value('step-sentence'), stack, head });
    const kind = ready?.config.attention ?? 'full';
    $('step-caption').textContent =
      `layer 0 of the ${stack}, head ${head}: hover over a cell for its number.` +
      (kind === 'full'
        ? ''
        : ` This model's layers compute ${kind} attention; these are the paper's full attention's steps.`);
    $('steps').innerHTML = stepSvgs(s)
      .map(({ caption, svg }) => `<div class="panel step"><h3>${caption}</h3>${svg}</div>`)
      .join('');
  } catch (error) {
    setStatus((error as Error).message, true);
  }
}

async function translate(event: Event): Promise<void> {
  event.preventDefault();
  const lines = [value('source-text')];
  const beam = Number(value('beam'));
  $('translation').textContent = 'translating…';
  try {
    const output =
      value('translate-with') === 'opened' && opened !== null
        ? await translateWith(opened, lines, beam)
        : await client!.ask<string[]>({ kind: 'translate', lines, beam });
    $('translation').textContent = output[0];
    document.body.dataset.translation = output[0];
  } catch (error) {
    $('translation').textContent = '';
    setStatus((error as Error).message, true);
  }
}

async function download(): Promise<void> {
  const files = await client!.ask<[string, Uint8Array][]>({ kind: 'files' });
  const zip = zipFolder(files);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  link.download = `${DOWNLOAD_FOLDER}.zip`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

async function open(load: () => Promise<OpenFolder>): Promise<void> {
  $('folder-status').textContent = 'opening…';
  try {
    opened = await load();
    $('folder-status').textContent = `${opened.summary}: choose “the opened folder” to translate with it`;
    const option = $<HTMLSelectElement>('translate-with').options[1];
    option.disabled = false;
  } catch (error) {
    $('folder-status').textContent = `cannot open it: ${(error as Error).message}`;
  }
}

function followCells(): void {
  const tooltip = $('tooltip');
  document.addEventListener('mousemove', (event) => {
    const cell = (event.target as Element).closest?.('rect.cell');
    tooltip.hidden = cell === null || cell === undefined;
    if (tooltip.hidden) return;
    tooltip.textContent = cell!.querySelector('title')?.textContent ?? cell!.getAttribute('data-value');
    tooltip.style.left = `${event.clientX + 12}px`;
    tooltip.style.top = `${event.clientY + 12}px`;
  });
}

function setup(): void {
  $('attention').innerHTML = PLAYGROUND_ATTENTION.map((k) => `<option>${k}</option>`).join('');
  $('task').addEventListener('change', () => ($('pasted').hidden = value('task') !== 'pasted'));
  $('train').addEventListener('click', () => void train().catch((e: Error) => setStatus(e.message, true)));
  for (const command of ['pause', 'resume', 'stop'] as const)
    $(command).addEventListener('click', () => client?.command(command));
  $('threads').addEventListener('change', () => {
    void client?.ask<number>({ kind: 'threads', threads: Number(value('threads')) }).then((n) => {
      if (backend !== null) showBackend({ ...backend, threads: n, note: null });
    });
  });
  $('translate-form').addEventListener('submit', (e) => void translate(e));
  $('step-form').addEventListener('submit', (e) => void showSteps(e));
  $('download').addEventListener('click', () => void download().catch((e: Error) => setStatus(e.message, true)));
  $('pick-folder').addEventListener('change', () => {
    const files = $<HTMLInputElement>('pick-folder').files;
    if (files !== null && files.length > 0) void open(() => openFolder(pickedFolder(files)));
  });
  $('url-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void open(() => openFolder(fetchedFolder(value('folder-url'))));
  });
  followCells();
  setRunning('idle');
  document.body.dataset.ready = 'true';
}

setup();
