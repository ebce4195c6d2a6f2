// `transformer plot attention|pe|lr|metrics ... --out FILE.svg|FILE.png`: the pictures of src/viz as files.

import { parseArgs } from 'node:util';

import { writeFileAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { readFolderConfig } from '../io/open-folder.js';
import { quote } from '../quote.js';
import { sinusoidTable } from '../model/embeddings.js';
import { readMetrics, type RunMetrics } from '../io/metrics-file.js';
import { learningRate, type ScheduleKind } from '../train/schedule.js';
import { gridSvg, heatmapSvg, lineChartSvg, type Picture } from '../viz/index.js';
import { integerFlag, numberFlag, UsageError } from './flags.js';
import { ATTENTION_KINDS, attentionPicture, type AttentionKind } from './plot-attention.js';
import { svgToPng } from '../io/png.js';

const SCHEDULES: readonly ScheduleKind[] = ['paper', 'inverse-sqrt', 'cosine', 'constant'];
/** A bigger table would make an SVG of tens of megabytes; nobody can see that many cells anyway. */
const MAX_PE_CELLS = 1 << 18;
const MAX_LR_STEPS = 1_000_000;

type Subcommand = (argv: string[]) => Promise<{ picture: Picture; out: string }>;

const SUBCOMMANDS: Record<string, Subcommand> = { attention, pe, lr, metrics };

export async function plot(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const subcommand = name === undefined ? undefined : SUBCOMMANDS[name];
  if (subcommand === undefined)
    throw new UsageError(
      `${name === undefined ? 'which picture?' : `unknown picture ${quote(name)}`} (one of ${Object.keys(SUBCOMMANDS).join(', ')}; transformer plot --help)`,
    );
  const { picture, out } = await subcommand(rest);
  writePicture(out, picture);
  console.error(`plot: wrote ${out} (${picture.width} x ${picture.height})`);
  return 0;
}

/** --out, checked before any work is done. */
function outFlag(value: string | undefined): string {
  if (value === undefined || !/\.(svg|png)$/i.test(value))
    throw new UsageError(
      `--out must name a file ending in .svg or .png, got ${value === undefined ? 'nothing' : quote(value)}`,
    );
  return value;
}

function writePicture(out: string, picture: Picture): void {
  writeFileAtomic(out, [/\.png$/i.test(out) ? svgToPng(picture.svg) : Buffer.from(`${picture.svg}\n`)]);
}

async function attention(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      text: { type: 'string' },
      beam: { type: 'string', default: '1' },
      kind: { type: 'string', default: 'cross' },
      layer: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const out = outFlag(values.out);
  if (values.model === undefined) throw new UsageError('--model DIR is required');
  if (values.text === undefined || values.text.trim() === '') throw new UsageError('--text "SENTENCE" is required');
  const kind = values.kind as AttentionKind;
  if (!ATTENTION_KINDS.includes(kind))
    throw new UsageError(`--kind must be one of ${ATTENTION_KINDS.join(', ')}, got ${quote(values.kind)}`);
  const beam = integerFlag('--beam', values.beam, 1, 100);
  const { picture, translation } = await attentionPicture({
    model: values.model,
    text: values.text,
    beam,
    kind,
    layer: values.layer,
  });
  console.log(translation);
  return { picture, out };
}

async function pe(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      dim: { type: 'string' },
      length: { type: 'string', default: '100' },
      halves: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const out = outFlag(values.out);
  const { dModel, halves } = encodingLayout(values);
  const length = integerFlag('--length', values.length, 1, 10_000);
  if (length * dModel > MAX_PE_CELLS)
    throw new UsageError(
      `--length ${length} x d_model ${dModel} is ${length * dModel} cells, more than ${MAX_PE_CELLS} to draw; lower --length`,
    );
  const layout = halves ? 'sines, then cosines' : 'sines and cosines interleaved';
  const picture = heatmapSvg({
    values: sinusoidTable(length, dModel, halves),
    rows: length,
    cols: dModel,
    title: `positional encoding, d_model ${dModel} (${layout})`,
    rowAxisLabel: 'position',
    colAxisLabel: 'dimension',
    colormap: 'diverging',
    min: -1,
    max: 1,
    // Thin cells, so that d_model 512 fits on a screen.
    cellWidth: Math.min(18, Math.max(1, Math.floor(1024 / dModel))),
    cellHeight: Math.min(18, Math.max(1, Math.floor(640 / length))),
  });
  return { picture, out };
}

/** d_model and the column layout, from a model folder's config or from --dim and --halves. */
function encodingLayout(values: { model?: string; dim?: string; halves: boolean }): {
  dModel: number;
  halves: boolean;
} {
  if ((values.model === undefined) === (values.dim === undefined))
    throw new UsageError('give either --model DIR or --dim D');
  if (values.model === undefined) {
    const dModel = integerFlag('--dim', values.dim, 2, 8192);
    if (dModel % 2 !== 0) throw new UsageError(`--dim must be even (sines and cosines in pairs), got ${dModel}`);
    return { dModel, halves: values.halves };
  }
  if (values.halves) throw new UsageError("--halves goes with --dim; a model's config.json says which layout it uses");
  const config = readFolderConfig(values.model);
  if (config.positionalEncoding === 'learned')
    throw new InputError(`${values.model} learns its positional encodings; plot pe draws the sinusoids`);
  return { dModel: config.dModel, halves: config.positionalEncoding === 'sinusoidal-halves' };
}

async function lr(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      run: { type: 'string' },
      'd-model': { type: 'string' },
      warmup: { type: 'string' },
      steps: { type: 'string' },
      schedule: { type: 'string' },
      lr: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const out = outFlag(values.out);
  const scheduleFlags = (['d-model', 'warmup', 'steps', 'schedule', 'lr'] as const).filter(
    (f) => values[f] !== undefined,
  );
  const chart = { xLabel: 'step', yLabel: 'learning rate', width: 720, height: 400 };
  if (values.run !== undefined) {
    if (scheduleFlags.length > 0)
      throw new UsageError(`--run plots the rates a run used; --${scheduleFlags[0]} goes with --d-model ... instead`);
    const { steps } = metricsOf(values.run);
    const series = [{ name: 'learning rate', points: steps.map((s) => [s.step, s.lr] as const) }];
    return { picture: lineChartSvg({ ...chart, series, title: `learning rate of ${values.run}` }), out };
  }
  const { kind, series } = scheduleSeries(values);
  return { picture: lineChartSvg({ ...chart, series, title: `learning rate: ${kind} schedule` }), out };
}

/** One curve of learningRate() per --warmup value. */
function scheduleSeries(values: Partial<Record<'d-model' | 'warmup' | 'steps' | 'schedule' | 'lr', string>>) {
  for (const flag of ['d-model', 'warmup', 'steps'] as const)
    if (values[flag] === undefined) throw new UsageError(`--${flag} is required (or --run DIR)`);
  const dModel = integerFlag('--d-model', values['d-model'], 1);
  const warmups = values.warmup!.split(',').map((w) => integerFlag('--warmup', w, 1));
  const totalSteps = integerFlag('--steps', values.steps, 1, MAX_LR_STEPS);
  const kind = (values.schedule ?? 'paper') as ScheduleKind;
  if (!SCHEDULES.includes(kind))
    throw new UsageError(`--schedule must be one of ${SCHEDULES.join(', ')}, got ${quote(values.schedule)}`);
  const factor = values.lr === undefined ? 1 : numberFlag('--lr', values.lr, { above: 0 });
  const series = warmups.map((warmup) => {
    const schedule = { kind, warmup, lr: factor, dModel, totalSteps, minLr: 0 };
    const points = Array.from({ length: totalSteps }, (_, i) => [i + 1, learningRate(i + 1, schedule)] as const);
    return { name: `d_model ${dModel}, warmup ${warmup}`, points };
  });
  return { kind, series };
}

async function metrics(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { run: { type: 'string' }, out: { type: 'string' } },
  });
  const out = outFlag(values.out);
  if (values.run === undefined) throw new UsageError('--run DIR is required');
  const { steps, validations } = metricsOf(values.run);
  const size = { xLabel: 'step', width: 560, height: 360 };
  // Per-step losses are noisy; their mean over about a fiftieth of the run shows the trend.
  const window = Math.max(1, Math.round(steps.length / 50));
  const loss = lineChartSvg({
    ...size,
    title: 'loss per target token',
    yLabel: 'loss',
    series: [
      { name: 'training', points: steps.map((s) => [s.step, s.loss] as const), color: '#a6c8e6' },
      {
        name: `training, mean of ${window} steps`,
        points: trailingMean(
          steps.map((s) => [s.step, s.loss]),
          window,
        ),
        color: '#1f5f99',
      },
      { name: 'validation', points: validations.map((v) => [v.step, v.loss] as const) },
    ],
  });
  const bleu = lineChartSvg({
    ...size,
    title: 'validation BLEU',
    yLabel: 'BLEU',
    series: [
      { name: 'BLEU', points: validations.filter((v) => v.bleu !== null).map((v) => [v.step, v.bleu!] as const) },
    ],
  });
  return { picture: gridSvg([loss, bleu], { columns: 2, title: `metrics of ${values.run}` }), out };
}

/** Each point's y replaced by the mean of the last `window` ys up to it. */
function trailingMean(points: [number, number][], window: number): [number, number][] {
  let sum = 0;
  return points.map(([x, y], i) => {
    sum += y - (i >= window ? points[i - window][1] : 0);
    return [x, sum / Math.min(i + 1, window)];
  });
}

function metricsOf(run: string): RunMetrics {
  return readMetrics(run);
}
