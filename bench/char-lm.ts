// Full attention against efficient kinds on a character language model with a long context: the same minutes
// of training each, one after another, then held-out bits per character against minutes of training.
// Usage (after `npm run build`):
//   node dist/bench/char-lm.js [--minutes 10] [--seq 1024] [--batch 4] [--kinds full,local:window=64,linear]
//     [--text FILE | --chars 5000000 --seed 1] [--out char-lm-runs] [--threads T] [--valid-every 50]
//     [--set model.KEY=VALUE]...
// A kind is a name with optional settings, `local:window=64` for {"kind":"local","window":64}. Without --text
// the text is generated (`transformer data make-text`) into OUT/text.txt. Each run goes to OUT/<kind>; the
// picture to OUT/char-lm.svg and .png, the table to stdout and, with every curve, to OUT/char-lm.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svgToPng } from '../src/io/png.js';
import type { AttentionSpec } from '../src/model/efficient/spec.js';
import { gridSvg, lineChartSvg } from '../src/viz/index.js';
import { parseArgs } from 'node:util';
import { benchArgs } from './args.js';
import { root } from './compare.js';

const USAGE = [
  'node dist/bench/char-lm.js [--minutes 10] [--seq 1024] [--batch 4] [--kinds full,local:window=64,linear]',
  '    [--text FILE | --chars 5000000 --seed 1] [--out char-lm-runs] [--threads T] [--valid-every 50]',
  '    [--set model.KEY=VALUE]...',
].join('\n');

const values = benchArgs(
  'char-lm',
  `usage: ${USAGE}`,
  () =>
    parseArgs({
      strict: true,
      options: {
        minutes: { type: 'string', default: '10' },
        seq: { type: 'string', default: '1024' },
        batch: { type: 'string', default: '4' },
        kinds: { type: 'string', default: 'full,local:window=64,linear' },
        text: { type: 'string' },
        chars: { type: 'string', default: '5000000' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string', default: 'char-lm-runs' },
        threads: { type: 'string' },
        'valid-every': { type: 'string', default: '50' },
        set: { type: 'string', multiple: true, default: [] },
      },
    }).values,
);

const bin = root('bin/transformer.js');

/** "local:window=64" -> {kind: "local", window: 64}. */
function specOf(text: string): AttentionSpec {
  const [kind, ...settings] = text.split(':');
  const spec: Record<string, unknown> = { kind };
  for (const s of settings) {
    const [key, value] = s.split('=');
    if (value === undefined) throw new Error(`--kinds: "${s}" in "${text}" is not KEY=VALUE`);
    spec[key] = value === 'true' || value === 'false' ? value === 'true' : Number(value);
  }
  return spec as AttentionSpec; // `transformer lm` checks it
}

const label = (spec: AttentionSpec) =>
  [
    spec.kind,
    ...Object.entries(spec)
      .filter(([k]) => k !== 'kind')
      .map(([k, v]) => `${k}=${v}`),
  ].join(' ');

function transformer(args: string[], what: string): void {
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`char-lm: ${what} failed (exit ${result.status})`);
    process.exit(1);
  }
}

/** The fields of metrics.jsonl lines this script reads. */
interface MetricsLine {
  event: string;
  step: number;
  elapsedSeconds: number;
  tokensPerSecond: number;
  bitsPerChar: number;
  validBitsPerChar: number;
}

function readRun(dir: string): { steps: MetricsLine[]; validations: MetricsLine[] } {
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MetricsLine);
  return {
    steps: lines.filter((l) => l.event === 'step'),
    validations: lines.filter((l) => l.event === 'validation'),
  };
}

/** The mean of each point's last `width` values: training loss is noisy step to step. */
function movingAverage(points: [number, number][], width: number): [number, number][] {
  return points.map(([x], i) => {
    const window = points.slice(Math.max(0, i - width + 1), i + 1);
    return [x, window.reduce((a, [, y]) => a + y, 0) / window.length];
  });
}

const specs = values.kinds.split(',').map(specOf);
mkdirSync(values.out, { recursive: true });
const text = values.text ?? join(values.out, 'text.txt');
if (values.text === undefined && !existsSync(text))
  transformer(['data', 'make-text', '--out', text, '--chars', values.chars, '--seed', values.seed], 'make-text');

const runs: ({ name: string; spec: AttentionSpec; dir: string } & ReturnType<typeof readRun>)[] = [];
for (const spec of specs) {
  const name = label(spec);
  const dir = join(values.out, name.replace(/[ =]/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  console.error(`char-lm: ${name}, ${values.minutes} minutes`);
  const args = ['lm', '--text', text, '--run', dir, '--minutes', values.minutes, '--seq', values.seq];
  args.push('--batch', values.batch, '--set', `model.attention=${JSON.stringify(spec)}`);
  args.push('--set', `train.validEvery=${values['valid-every']}`);
  if (values.threads !== undefined) args.push('--threads', values.threads);
  for (const s of values.set) args.push('--set', s);
  transformer(args, `lm ${name}`);
  runs.push({ name, spec, dir, ...readRun(dir) });
}

const rows = runs.map((r) => {
  const last = r.steps.at(-1);
  const valid = r.validations.map((v) => v.validBitsPerChar);
  return {
    kind: r.name,
    spec: r.spec,
    steps: last?.step ?? 0,
    minutes: Math.round(((last?.elapsedSeconds ?? 0) / 60) * 100) / 100,
    charsPerSecond: Math.round(last?.tokensPerSecond ?? 0),
    finalValidBitsPerChar: Math.round(valid.at(-1)! * 1000) / 1000,
    bestValidBitsPerChar: Math.round(Math.min(...valid) * 1000) / 1000,
    run: r.dir,
  };
});

const minutes = (s: MetricsLine) => s.elapsedSeconds / 60;
const common = { xLabel: 'minutes of training', width: 560, height: 400 };
const valid = lineChartSvg({
  ...common,
  title: 'held-out bits per character',
  yLabel: 'bits/char',
  series: runs.map((r) => ({
    name: r.name,
    points: r.validations.map((v) => [minutes(v), v.validBitsPerChar] as const),
  })),
});
const train = lineChartSvg({
  ...common,
  title: 'training bits per character (mean of 20 updates)',
  yLabel: 'bits/char',
  series: runs.map((r) => ({
    name: r.name,
    points: movingAverage(
      r.steps.map((s): [number, number] => [minutes(s), s.bitsPerChar]),
      20,
    ),
  })),
});
const picture = gridSvg([valid, train], {
  columns: 2,
  title: `character language model, windows of ${values.seq}, batch ${values.batch}`,
});
writeFileSync(join(values.out, 'char-lm.svg'), `${picture.svg}\n`);
writeFileSync(join(values.out, 'char-lm.png'), svgToPng(picture.svg));

const summary = { seq: Number(values.seq), batch: Number(values.batch), minutes: Number(values.minutes), text, rows };
writeFileSync(
  join(values.out, 'char-lm.json'),
  `${JSON.stringify({ ...summary, curves: runs.map((r) => ({ kind: r.name, validations: r.validations })) }, null, 2)}\n`,
);
const width = Math.max(6, ...rows.map((r) => r.kind.length)) + 2;
console.log(`character LM, --seq ${values.seq}, --batch ${values.batch}, ${values.minutes} minutes per kind (${text})`);
console.log(`${'kind'.padEnd(width)}  steps  minutes  chars/s  final valid bpc  best valid bpc`);
for (const r of rows)
  console.log(
    `${r.kind.padEnd(width)}${String(r.steps).padStart(7)}${r.minutes.toFixed(2).padStart(9)}` +
      `${String(r.charsPerSecond).padStart(9)}${r.finalValidBitsPerChar.toFixed(3).padStart(17)}` +
      `${r.bestValidBitsPerChar.toFixed(3).padStart(16)}`,
  );
console.log(`pictures: ${join(values.out, 'char-lm.svg')}, ${join(values.out, 'char-lm.png')}`);
console.log(JSON.stringify(summary));
