// Long Range Arena's ListOps (Tay et al. 2020) on this machine: the encoder-only classifier with full attention
// and each efficient kind, the same minutes of training each, one after another; then test accuracy,
// updates per second and peak memory per kind beside LRA's Table 1, and validation accuracy against minutes
// of training per kind.
// Usage (after `npm run build`):
//   node dist/bench/listops.js [--minutes 30] [--kinds full,local:window=32,linear,...] [--data DIR]
//     [--out listops-runs] [--threads T] [--jobs J] [--valid-every N] [--set KEY=VALUE]...
// --jobs 2 trains two kinds at a time (give each --threads 1 on a 2-core machine): every kind still gets the same
// minutes under the same load, and the table takes half the wall time. Without --data the task is generated
// (`transformer data make-listops`, its defaults) into OUT/data. Each run goes to OUT/<kind>; the picture to
// OUT/listops.svg and .png, the table to stdout and OUT/listops.json.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svgToPng } from '../src/io/png.js';
import { lineChartSvg } from '../src/viz/index.js';
import { listOpsBaselines } from '../src/data/listops-baselines.js';
import { parseClassificationLines } from '../src/data/labelled-text.js';
import type { ListOpsExample } from '../src/data/listops.js';
import { parseArgs } from 'node:util';
import { benchArgs } from './args.js';
import { root } from './compare.js';

/** The classifier and its training recipe (docs/encoder-only.md); --set adds to or overrides it. */
export const LISTOPS_RECIPE = [
  'model.dModel=64',
  'model.dFF=256',
  'model.h=4',
  'model.encoderLayers=3',
  'model.pDrop=0',
  'model.normPosition=pre',
  'train.maxTokens=4096',
  'train.schedule.lr=2e-3',
  'train.schedule.warmup=200',
];

/** LRA's Table 1, ListOps column (Tay et al. 2020), by the kind here closest to each model. */
const LRA: [string, string, number][] = [
  ['full', 'Transformer', 36.37],
  ['local', 'Local Attention', 15.82],
  ['strided', 'Sparse Trans.', 17.07],
  ['block-global', 'BigBird', 36.05],
  ['routing', 'Reformer (LSH; routing clusters here)', 37.27],
  ['linear', 'Linear Trans.', 16.13],
  ['linformer', 'Linformer', 35.7],
  ['-', 'Performer', 18.01],
  ['-', 'Sinkhorn Trans.', 33.67],
  ['-', 'Synthesizer', 36.99],
];

const USAGE = [
  'node dist/bench/listops.js [--minutes 30] [--kinds full,local:window=32,linear,...] [--data DIR]',
  '    [--out listops-runs] [--threads T] [--jobs J] [--valid-every N] [--set KEY=VALUE]...',
].join('\n');

const values = benchArgs(
  'listops',
  `usage: ${USAGE}`,
  () =>
    parseArgs({
      strict: true,
      options: {
        minutes: { type: 'string', default: '30' },
        kinds: {
          type: 'string',
          default:
            'full,local:window=32,dilated,strided:stride=32,block-global:blockSize=32,routing,linear,linformer,pooling,inducing,adaptive-span,persistent-memory',
        },
        data: { type: 'string' },
        out: { type: 'string', default: 'listops-runs' },
        threads: { type: 'string' },
        jobs: { type: 'string', default: '1' },
        'valid-every': { type: 'string', default: '250' },
        set: { type: 'string', multiple: true, default: [] },
      },
    }).values,
);

const bin = root('bin/transformer.js');

/** "local:window=32" -> {"kind":"local","window":32}. */
function specOf(text: string): Record<string, unknown> {
  const [kind, ...settings] = text.split(':');
  const spec: Record<string, unknown> = { kind };
  for (const s of settings) {
    const [key, value] = s.split('=');
    if (value === undefined) throw new Error(`--kinds: "${s}" in "${text}" is not KEY=VALUE`);
    spec[key] = value === 'true' || value === 'false' ? value === 'true' : Number(value);
  }
  return spec;
}

function transformer(args: string[], what: string): void {
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`listops: ${what} failed (exit ${result.status})`);
    process.exit(1);
  }
}

interface MetricsLine {
  event: string;
  step: number;
  elapsedSeconds: number;
  accuracy: number;
  peakRssBytes: number;
}

function readRun(dir: string) {
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MetricsLine);
  return {
    validations: lines.filter((l) => l.event === 'validation'),
    end: lines.filter((l) => l.event === 'end').at(-1),
    test: lines.filter((l) => l.event === 'test').at(-1),
  };
}

const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`listops: --jobs must be a whole number of kinds trained at once, 1 or more, got "${values.jobs}"`);
  process.exit(2);
}

mkdirSync(values.out, { recursive: true });
const data = values.data ?? join(values.out, 'data');
if (values.data === undefined && !existsSync(join(data, 'test.tsv')))
  transformer(['data', 'make-listops', '--dir', data], 'make-listops');

/** A ListOps TSV's examples (LRA's header line skipped). */
function readListOps(file: string): ListOpsExample[] {
  return parseClassificationLines(readFileSync(file, 'utf8').split('\n'), file).map((e) => ({
    source: e.text,
    target: Number(e.label),
  }));
}
const baselines = (() => {
  try {
    return listOpsBaselines(readListOps(join(data, 'train.tsv')), readListOps(join(data, 'test.tsv')));
  } catch (e) {
    console.error(`listops: ${data}: ${(e as Error).message}`);
    process.exit(2);
  }
})();

/** The training command of one kind. */
function trainArgs(text: string, dir: string): string[] {
  const spec = specOf(text);
  const args = ['train', '--task', 'classify', '--run', dir, '--tokenizer', 'words'];
  args.push('--train', join(data, 'train.tsv'), '--valid', join(data, 'valid.tsv'), '--test', join(data, 'test.tsv'));
  for (const s of [...LISTOPS_RECIPE, ...values.set]) args.push('--set', s);
  args.push('--set', `model.attention=${JSON.stringify(spec)}`, '--set', `train.minutes=${values.minutes}`);
  args.push('--set', `train.validEvery=${values['valid-every']}`, '--set', 'train.steps=1000000');
  return args;
}

/** Trains one kind; alone its output goes to the terminal, beside others to DIR.log. */
function trainKind(text: string, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  console.error(`listops: ${text}, ${values.minutes} minutes${jobs > 1 ? ` (log: ${dir}.log)` : ''}`);
  const env = values.threads === undefined ? process.env : { ...process.env, TRANSFORMER_THREADS: values.threads };
  const child = spawn(process.execPath, [bin, ...trainArgs(text, dir)], {
    stdio: ['ignore', jobs > 1 ? 'pipe' : 'inherit', jobs > 1 ? 'pipe' : 'inherit'],
    env,
  });
  if (jobs > 1) {
    const log = createWriteStream(`${dir}.log`);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (code !== 0) {
        console.error(`listops: train ${text} failed (exit ${code})${jobs > 1 ? `; see ${dir}.log` : ''}`);
        process.exit(1);
      }
      resolve();
    }),
  );
}

const kinds = values.kinds.split(',').map((text) => ({ text, dir: join(values.out, text.replace(/[:=,]/g, '-')) }));
let nextKind = 0;
await Promise.all(
  Array.from({ length: Math.min(jobs, kinds.length) }, async () => {
    while (nextKind < kinds.length) {
      const { text, dir } = kinds[nextKind++];
      await trainKind(text, dir);
    }
  }),
);
const runs = kinds.map(({ text, dir }) => ({ kind: text, dir, ...readRun(dir) }));

const rows = runs.map((r) => ({
  kind: r.kind,
  testAccuracy: Math.round((r.test?.accuracy ?? NaN) * 10000) / 100,
  bestValidAccuracy: Math.round(Math.max(...r.validations.map((v) => v.accuracy)) * 10000) / 100,
  steps: r.end?.step ?? 0,
  updatesPerSecond: Math.round(((r.end?.step ?? 0) / (r.end?.elapsedSeconds ?? NaN)) * 100) / 100,
  peakMemoryMB: Math.round((r.end?.peakRssBytes ?? NaN) / 2 ** 20),
  lra: LRA.find(([kind]) => kind === r.kind.split(':')[0]),
}));

const chart = lineChartSvg({
  title: `ListOps validation accuracy, ${values.minutes} minutes per kind`,
  xLabel: 'minutes of training',
  yLabel: 'accuracy %',
  width: 720,
  height: 420,
  series: runs.map((r) => ({
    name: r.kind,
    points: r.validations.map((v) => [v.elapsedSeconds / 60, 100 * v.accuracy] as const),
  })),
});
writeFileSync(join(values.out, 'listops.svg'), `${chart.svg}\n`);
writeFileSync(join(values.out, 'listops.png'), svgToPng(chart.svg));
writeFileSync(
  join(values.out, 'listops.json'),
  `${JSON.stringify({ minutes: Number(values.minutes), recipe: [...LISTOPS_RECIPE, ...values.set], rows, baselines, curves: runs.map((r) => ({ kind: r.kind, validations: r.validations })) }, null, 2)}\n`,
);

const width = Math.max(6, ...rows.map((r) => r.kind.length)) + 2;
console.log(`ListOps (data ${data}), ${values.minutes} minutes of training per kind`);
console.log(`${'kind'.padEnd(width)}  test acc %  best valid %   steps  updates/s  peak MB   LRA Table 1 (ListOps)`);
for (const r of rows)
  console.log(
    `${r.kind.padEnd(width)}${r.testAccuracy.toFixed(2).padStart(11)}${r.bestValidAccuracy.toFixed(2).padStart(14)}` +
      `${String(r.steps).padStart(8)}${r.updatesPerSecond.toFixed(2).padStart(11)}${String(r.peakMemoryMB).padStart(9)}   ` +
      (r.lra === undefined ? '-' : `${r.lra[1]} ${r.lra[2].toFixed(2)}`),
  );
for (const [kind, name, score] of LRA)
  if (kind === '-') console.log(`${''.padEnd(width)}${'(no kind here)'.padStart(61)}   ${name} ${score.toFixed(2)}`);
console.log('rules without a network, on the same test set (src/data/listops-baselines.ts):');
const rules: [string, number][] = [
  ['the most frequent answer', baselines.majorityClass],
  ['the most frequent answer for the root operator', baselines.rootOperatorPrior],
  ['... and its value over the digits before its first nested list', baselines.leadingDigits],
  ['the root operator over all its direct digits, nested lists ignored', baselines.directDigits],
];
for (const [name, accuracy] of rules) console.log(`  ${(100 * accuracy).toFixed(2).padStart(6)}  ${name}`);
console.log(`picture: ${join(values.out, 'listops.svg')}, ${join(values.out, 'listops.png')}`);
