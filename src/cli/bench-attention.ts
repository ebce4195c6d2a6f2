// `transformer bench attention`: time and peak memory of one attention mechanism's forward and backward
// pass as the length N grows, for full attention and its efficient descendants (src/model/efficient/), as a
// table, JSON lines and a log-log picture. Full attention's (N, N) weights grow as N^2; the linear and sparse
// kinds should grow about as N. --reference adds the dense computation a kind's efficient path replaces
// (adaptive span, routing, linear: references.ts); --decode times N one-token steps over the cache instead.

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { backend } from '../backend/registry.js';
import { setNativeThreads, simdLevel } from '../backend/native/index.js';
import { textLines } from '../data/lines.js';
import { InputError } from '../errors.js';
import { quote, quoteList } from '../quote.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readFileNamed } from '../io/files.js';
import {
  extrapolatedBytes,
  fullAttentionBytes,
  hasReference,
  measure,
  measureDecoding,
  scoredPairs,
  type Shape,
} from '../eval/attention-cost.js';
import {
  AttentionSpecError,
  ATTENTION_KINDS,
  validateAttentionSpec,
  type AttentionSpec,
  type SettledAttentionSpec,
} from '../model/efficient/spec.js';
import { createMechanism } from '../model/efficient/registry.js';
import { gridSvg, lineChartSvg, type Picture } from '../viz/index.js';
import { UsageError, integerFlag } from './flags.js';
import { svgToPng } from '../io/png.js';

interface Options {
  specs: SettledAttentionSpec[];
  lengths: number[];
  shape: Shape;
  threads: number;
  repeats: number;
  warmup: number;
  maxMemory: number;
  json: boolean;
  /** Also measure each kind's dense reference, where it has one. */
  reference: boolean;
  /** Time N one-token decoding steps (forward only) instead of one forward and backward pass. */
  decode: boolean;
  out: string | null;
  /** JSON-lines files of earlier runs to draw again instead of measuring. */
  from: string[];
}

export interface Row {
  kind: string;
  seq: number;
  spec: AttentionSpec;
  forwardMs?: number;
  backwardMs?: number;
  totalMs?: number;
  peakBytes?: number;
  pairs?: number;
  repeats?: number;
  /** The dense reference of the kind (references.ts), not its efficient path. */
  reference?: boolean;
  /** N one-token decoding steps, forward only. */
  decode?: boolean;
  /** Why the combination was not run (over the memory limit). */
  skipped?: string;
  /** What went wrong when it was run. */
  error?: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      kind: { type: 'string', multiple: true, default: ['full'] },
      seq: { type: 'string', default: '256,1024,4096,16384' },
      heads: { type: 'string', default: '4' },
      'head-dim': { type: 'string', default: '64' },
      batch: { type: 'string', default: '1' },
      causal: { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      threads: { type: 'string' },
      repeats: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      'max-memory': { type: 'string', default: '8GiB' },
      json: { type: 'boolean', default: false },
      reference: { type: 'boolean', default: false },
      decode: { type: 'boolean', default: false },
      out: { type: 'string' },
      from: { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  if (values.out !== undefined && !/\.(svg|png)$/i.test(values.out))
    throw new UsageError(`--out must name a file ending in .svg or .png, got ${quote(values.out)}`);
  const lengths = values.seq.split(',').map((n) => integerFlag('--seq', n, 1, 1 << 20));
  const shape: Shape = {
    B: integerFlag('--batch', values.batch, 1, 4096),
    h: integerFlag('--heads', values.heads, 1, 1024),
    dK: integerFlag('--head-dim', values['head-dim'], 1, 4096),
    causal: values.causal,
  };
  return {
    specs: specsOf(
      values.kind.flatMap((k) => k.split(',')),
      values.set,
      shape,
    ),
    lengths: [...new Set(lengths)].sort((a, b) => a - b),
    shape,
    threads: values.threads === undefined ? availableParallelism() : integerFlag('--threads', values.threads, 1, 1024),
    repeats: integerFlag('--repeats', values.repeats, 1, 1000),
    warmup: integerFlag('--warmup', values.warmup, 0, 1000),
    maxMemory: bytesFlag('--max-memory', values['max-memory']),
    json: values.json,
    reference: values.reference,
    decode: values.decode,
    out: values.out ?? null,
    from: values.from,
  };
}

/** One checked spec per kind; each --set KEY=VALUE goes to every chosen kind that has the setting. */
function specsOf(kinds: string[], settings: string[], shape: Shape): SettledAttentionSpec[] {
  const raw = kinds.map((kind) => {
    if (!(ATTENTION_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`--kind: unknown kind ${quote(kind)}; one of ${ATTENTION_KINDS.join(', ')}`);
    return { kind } as Record<string, unknown>;
  });
  for (const item of settings) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(item);
    if (match === null) throw new UsageError(`--set expects KEY=VALUE (e.g. window=64), got ${quote(item)}`);
    const [, key, text] = match;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    const takers = raw.filter((spec) => key in checked(spec));
    if (takers.length === 0) throw new UsageError(`--set ${key}: not a setting of ${quoteList(kinds)} attention`);
    for (const spec of takers) spec[key] = value;
  }
  const specs = raw.map(checked);
  for (const spec of specs) {
    try {
      createMechanism(
        spec,
        { dModel: shape.h * shape.dK, h: shape.h, maxLength: 1, causal: shape.causal },
        'attention',
      );
    } catch (error) {
      if (error instanceof AttentionSpecError) throw new UsageError(`--kind ${spec.kind}: ${error.message}`);
      throw error;
    }
  }
  return specs;
}

function checked(raw: Record<string, unknown>): SettledAttentionSpec {
  try {
    return validateAttentionSpec(raw, `--set (kind ${String(raw.kind)})`);
  } catch (error) {
    if (error instanceof AttentionSpecError) throw new UsageError(error.message);
    throw error;
  }
}

/** "8GiB", "512MiB", "1.5G" (binary units) or plain bytes. */
function bytesFlag(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(value.trim());
  if (match === null || Number(match[1]) <= 0)
    throw new UsageError(`${name} must be a size like 8GiB, 512MiB or a number of bytes, got ${quote(value)}`);
  return Number(match[1]) * 1024 ** ' kmgt'.indexOf(match[2].toLowerCase() || ' ');
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(bytes < 1024 ** 3 ? 2 : 1)} GiB`;

/** Why a combination is not run, or null: the memory it would need is over the limit. */
function skipReason(spec: AttentionSpec, N: number, reference: boolean, o: Options, done: Row[]): string | null {
  const measured = done
    .filter((r) => r.spec === spec && (r.reference ?? false) === reference && r.peakBytes !== undefined)
    .map((r) => ({ N: r.seq, peakBytes: r.peakBytes! }));
  const square = (spec.kind === 'full' || reference) && !o.decode; // (B, h, N, N) weights
  const estimate = square ? fullAttentionBytes(N, o.shape) : (extrapolatedBytes(measured, N) ?? 0);
  if (estimate <= o.maxMemory) return null;
  const how = square ? 'its (B, h, N, N) weights' : 'extrapolated from the shorter lengths';
  return `needs about ${gib(estimate)} (${how}), over --max-memory ${gib(o.maxMemory)}`;
}

export async function benchAttention(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  const kernels = backend().name;
  if (kernels === 'native') setNativeThreads(o.threads);
  const threads = kernels === 'native' ? o.threads : 1;
  // With --json, stdout is the JSON lines alone and the table goes to stderr.
  const say = o.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const { B, h, dK, causal } = o.shape;
  say(
    `attention ${o.decode ? 'decoding N one-token steps (forward ms: all of them)' : 'forward + backward'}, B ${B}, h ${h}, dK ${dK}${causal ? ', causal' : ''}; backend ${kernels}` +
      (kernels === 'native' ? ` (${simdLevel()}, ${threads} thread${threads === 1 ? '' : 's'})` : '') +
      `; median of up to ${o.repeats} steps after ${o.warmup} warm-up`,
  );
  const earlier = o.from.flatMap(readRows);
  const labelled = earlier.length > 0 ? earlier : o.specs.map((spec) => ({ spec, reference: o.reference }));
  const width = Math.max(12, ...labelled.map((row) => rowLabel(row).length)) + 2;
  say(header(width));
  const setup = { batch: B, heads: h, headDim: dK, causal, backend: kernels, threads };
  const rows: Row[] = [];
  if (earlier.length > 0) {
    rows.push(...earlier);
    for (const row of rows) say(tableLine(row, rows, width));
  } else
    for (const spec of o.specs)
      for (const reference of o.reference && hasReference(spec) ? [false, true] : [false])
        for (const N of o.lengths) {
          rows.push(benchOne(spec, N, reference, o, rows));
          say(tableLine(rows.at(-1)!, rows, width));
          if (o.json) console.log(JSON.stringify({ ...rows.at(-1), ...setup }));
        }
  if (o.out !== null) {
    const picture = benchPicture(rows, o);
    writeFileAtomic(o.out, [/\.png$/i.test(o.out) ? svgToPng(picture.svg) : Buffer.from(`${picture.svg}\n`)]);
    say(`wrote ${o.out}`);
  }
  return rows.some((r) => r.error !== undefined) ? 1 : 0;
}

/** The rows of an earlier `--json` run, checked enough to draw them; a bad line names the file and line. */
function readRows(path: string): Row[] {
  return textLines(readFileNamed(path), path)
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      let row: Row;
      try {
        row = JSON.parse(line) as Row;
      } catch {
        throw new InputError(`${path}:${n}: not JSON`);
      }
      if (typeof row.kind !== 'string' || !Number.isInteger(row.seq) || typeof row.spec !== 'object')
        throw new InputError(`${path}:${n}: expected a bench attention --json line (kind, seq, spec)`);
      return row;
    });
}

/** One kind at one length: measured, skipped over the memory limit, or the error it ran into. */
function benchOne(spec: SettledAttentionSpec, N: number, reference: boolean, o: Options, done: Row[]): Row {
  const row: Row = {
    kind: spec.kind,
    seq: N,
    spec,
    ...(reference && { reference }),
    ...(o.decode && { decode: true }),
  };
  const skipped = skipReason(spec, N, reference, o, done);
  if (skipped !== null) return { ...row, skipped };
  try {
    const run = o.decode ? measureDecoding : measure;
    Object.assign(row, run(spec, N, o.shape, o.repeats, o.warmup, reference));
  } catch (error) {
    return { ...row, error: (error as Error).message };
  }
  const pairs = reference || o.decode ? null : scoredPairs(spec, N, o.shape.causal);
  return pairs === null ? row : { ...row, pairs: pairs * o.shape.B * o.shape.h };
}

function header(width: number): string {
  return `${'kind'.padEnd(width)}${'N'.padStart(7)}${'forward ms'.padStart(12)}${'backward ms'.padStart(13)}${'total ms'.padStart(11)}${'peak MiB'.padStart(11)}  growth`;
}

/** A row of the table; growth is the exponent of N in the total time since the kind's previous length. */
function tableLine(row: Row, rows: Row[], width: number): string {
  const label = rowLabel(row);
  const start = `${label.padEnd(width)}${String(row.seq).padStart(7)}`;
  if (row.skipped !== undefined) return `${start}  skipped: ${row.skipped}`;
  if (row.error !== undefined) return `${start}  failed: ${row.error}`;
  const previous = rows.filter((r) => rowLabel(r) === label && r.totalMs !== undefined && r.seq < row.seq).at(-1);
  const growth =
    previous === undefined
      ? ''
      : `N^${(Math.log(row.totalMs! / previous.totalMs!) / Math.log(row.seq / previous.seq)).toFixed(2)}`;
  const ms = (x: number, width: number) => x.toFixed(x < 10 ? 2 : 1).padStart(width);
  return (
    start +
    ms(row.forwardMs!, 12) +
    ms(row.backwardMs!, 13) +
    ms(row.totalMs!, 11) +
    (row.peakBytes! / 1024 ** 2).toFixed(1).padStart(11) +
    `  ${growth}`
  );
}

/** "local window=64": the kind and the settings it was run with. */
export function specLabel(spec: AttentionSpec): string {
  const settings = Object.entries(spec).filter(([key]) => key !== 'kind');
  return [spec.kind, ...settings.map(([key, value]) => `${key}=${value}`)].join(' ');
}

/** The label of a row: its spec's, and whether it is the dense reference. */
function rowLabel(row: Pick<Row, 'spec' | 'reference'>): string {
  return specLabel(row.spec) + (row.reference === true ? ' (dense reference)' : '');
}

/** Time and peak memory against N on log-log axes, one series per kind, side by side. */
function benchPicture(rows: Row[], o: Options): Picture {
  const labels = [...new Set(rows.map(rowLabel))];
  const series = (value: (r: Row) => number | undefined) =>
    labels.map((label) => ({
      name: label,
      points: rows.filter((r) => rowLabel(r) === label).map((r) => [r.seq, value(r) ?? NaN] as const),
    }));
  const common = { xLabel: 'sequence length N', logX: true, logY: true, width: 560, height: 400 };
  const time = lineChartSvg({
    ...common,
    series: series((r) => r.totalMs),
    title: o.decode ? 'N decoding steps' : 'forward + backward',
    yLabel: 'ms',
  });
  const memory = lineChartSvg({
    ...common,
    series: series((r) => (r.peakBytes === undefined ? undefined : r.peakBytes / 1024 ** 2)),
    title: 'peak tensor memory',
    yLabel: 'MiB',
  });
  const { B, h, dK, causal } = o.shape;
  return gridSvg([time, memory], {
    columns: 2,
    title: `attention mechanisms, B ${B}, h ${h}, dK ${dK}${causal ? ', causal' : ''}`,
  });
}
