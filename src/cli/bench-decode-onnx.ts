// `transformer bench decode --vs onnxruntime`: greedy decoding of the first newstest2014 sentences by
// our engine and by onnxruntime-node on the same Marian folder (bench/torch_marian.py --make-folder
// makes a random base-size one; scripts/export_marian_onnx.py exports it to FOLDER/onnx), outputs
// capped at the source length, at every batch size and thread count asked, each side in its own
// process, alternating side by side in rounds; it reports the median tokens/s of each side, their
// ratio and each side's peak RSS, with the load average of the machine. First it checks that both
// sides compute the same logits. With --json the last line is {"rows": [...], "parity", ...}.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InputError } from '../errors.js';
import { median } from '../eval/median.js';
import { UsageError, integerFlag } from './flags.js';
import {
  openSessions,
  ortGreedy,
  runOnnxruntime,
  runOurs,
  type SideOptions,
  type SideResult,
} from './bench-decode-sides.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(PACKAGE_ROOT, 'bin', 'transformer.js');

function list(name: string, value: string): number[] {
  return value.split(',').map((v) => integerFlag(name, v, 1, 4096));
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      vs: { type: 'string' },
      folder: { type: 'string', default: join(tmpdir(), 'marian-base') },
      source: {
        type: 'string',
        default: join(PACKAGE_ROOT, '..', 'shared', 'data', 'newstest2014', 'newstest2014-full.en'),
      },
      sentences: { type: 'string', default: '100' },
      'batch-size': { type: 'string', default: '1,16' },
      threads: { type: 'string', default: '1,2' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      side: { type: 'string' },
      ids: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (values.vs !== 'onnxruntime') throw new UsageError(`--vs must be onnxruntime, got ${values.vs}`);
  return {
    folder: values.folder,
    source: values.source,
    sentences: integerFlag('--sentences', values.sentences, 1),
    batches: list('--batch-size', values['batch-size']),
    threads: list('--threads', values.threads),
    rounds: integerFlag('--rounds', values.rounds, 1, 100),
    json: values.json,
    side: values.side,
    ids: values.ids ?? join(values.folder, 'onnx', 'bench.ids'),
    out: values.out,
  };
}

type Options = ReturnType<typeof parse>;

/** Runs one side in a child process and returns the JSON it prints last. */
function side(o: Options, name: string, batch: number, threads: number): SideResult {
  const out = join(o.folder, 'onnx', `${name}.out`);
  const args = [BIN, 'bench', 'decode', '--vs', 'onnxruntime', '--side', name, '--folder', o.folder, '--ids', o.ids];
  args.push('--batch-size', String(batch), '--threads', String(threads), '--out', out);
  const env = { ...process.env, TRANSFORMER_THREADS: String(threads) };
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`the ${name} side failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as SideResult;
}

/** Largest |difference| of the logits of both sides over the first steps of the first sentences. */
async function parity(o: Options): Promise<number> {
  const { loadMarian } = await import('../io/marian.js');
  const T = await import('../tensor/index.js');
  const { model } = await loadMarian(o.folder);
  const sources = readFileSync(o.ids, 'utf8')
    .split('\n')
    .slice(0, 4)
    .filter((l) => l !== '')
    .map((l) => l.split(' ').map(Number));
  const steps: Float32Array[] = [];
  await ortGreedy(await openSessions(o.folder, 1), sources, (_, logits) => steps.push(Float32Array.from(logits)));
  const { padId, bosId, vocabSize: V } = model.config;
  let worst = 0;
  T.noGrad(() => {
    const padded = new Int32Array(sources.length * Math.max(...sources.map((s) => s.length))).fill(padId);
    const S = padded.length / sources.length;
    sources.forEach((s, b) => padded.set(s, b * S));
    const state = model.startDecoding(T.Tensor.from(padded, [sources.length, S]));
    let tokens = new Int32Array(sources.length).fill(bosId);
    for (const want of steps.slice(0, 3)) {
      const got = T.tidy(() =>
        Float32Array.from(model.step(state, T.Tensor.from(tokens, [sources.length, 1])).floats()),
      );
      for (let i = 0; i < got.length; i++) if (i % V !== padId) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      // Both sides continue with onnxruntime's choice (the argmax without the pad token).
      tokens = Int32Array.from({ length: sources.length }, (_, b) => {
        let best = padId === 0 ? 1 : 0;
        for (let v = 0; v < V; v++) if (v !== padId && want[b * V + v] > want[b * V + best]) best = v;
        return best;
      });
    }
    model.endDecoding(state);
  });
  return worst;
}

function prepare(o: Options): void {
  if (!existsSync(join(o.folder, 'config.json')))
    throw new InputError(
      `${o.folder} holds no model; make a random base-size one with: python3 bench/torch_marian.py --model ${o.folder} --make-folder ${o.source}`,
    );
  if (!existsSync(join(o.folder, 'onnx', 'decoder.onnx')))
    throw new InputError(
      `${join(o.folder, 'onnx')} holds no ONNX export; make it with: python3 scripts/export_marian_onnx.py --model ${o.folder}`,
    );
  if (!existsSync(o.source)) throw new InputError(`${o.source}: no such file (the source sentences)`);
}

async function tokenize(o: Options): Promise<number> {
  const { MarianTokenizer } = await import('../tokenizer/marian-tokenizer.js');
  const tokenizer = await MarianTokenizer.load(o.folder);
  const lines = readFileSync(o.source, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, o.sentences);
  writeFileSync(o.ids, lines.map((l) => `${[...tokenizer.encode(l, { addEos: true })].join(' ')}\n`).join(''));
  return lines.length;
}

interface Row {
  batch: number;
  threads: number;
  ours: number;
  onnxruntime: number;
  ratio: number;
  ours_rss_mb: number;
  onnxruntime_rss_mb: number;
  agreement: number;
  rounds: { load: number; ours: number; onnxruntime: number }[];
}

export async function benchDecodeVsOnnx(argv: string[]): Promise<number> {
  const o = parse(argv);
  if (o.side !== undefined) {
    if (o.side === 'parity') return (console.log(JSON.stringify({ parity: await parity(o) })), 0);
    const run = o.side === 'ours' ? runOurs : o.side === 'onnxruntime' ? runOnnxruntime : null;
    if (run === null || o.out === undefined)
      throw new UsageError('--side must be ours, onnxruntime or parity, with --out');
    const options: SideOptions = {
      folder: o.folder,
      ids: o.ids,
      batch: o.batches[0],
      threads: o.threads[0],
      out: o.out,
    };
    console.log(JSON.stringify(await run(options)));
    return 0;
  }
  prepare(o);
  const sentences = await tokenize(o);
  const check = spawnSync(
    process.execPath,
    [BIN, 'bench', 'decode', '--vs', 'onnxruntime', '--side', 'parity', '--folder', o.folder, '--ids', o.ids],
    { encoding: 'utf8' },
  );
  if (check.status !== 0) throw new Error(`the parity check failed:\n${check.stderr}`);
  const { parity: worst } = JSON.parse(check.stdout.trim().split('\n').at(-1)!) as { parity: number };
  console.log(`parity: largest |logit difference| ${worst.toExponential(2)} over the first 3 steps of 4 sentences`);
  if (!(worst < 1e-3)) throw new Error('the two sides do not compute the same logits');
  const rows: Row[] = [];
  for (const batch of o.batches)
    for (const threads of o.threads)
      rows.push({
        batch,
        threads,
        ours: 0,
        onnxruntime: 0,
        ratio: 0,
        ours_rss_mb: 0,
        onnxruntime_rss_mb: 0,
        agreement: 0,
        rounds: [],
      });
  for (let round = 0; round < o.rounds; round++) {
    for (const row of rows) {
      const load = loadavg()[0];
      // Alternate which side goes first, so that a change of load hits both alike.
      const order = round % 2 === 0 ? ['ours', 'onnxruntime'] : ['onnxruntime', 'ours'];
      const results = Object.fromEntries(order.map((name) => [name, side(o, name, row.batch, row.threads)]));
      row.rounds.push({
        load,
        ours: results.ours.tokens_per_second,
        onnxruntime: results.onnxruntime.tokens_per_second,
      });
      row.ours_rss_mb = Math.max(row.ours_rss_mb, results.ours.peak_rss_mb);
      row.onnxruntime_rss_mb = Math.max(row.onnxruntime_rss_mb, results.onnxruntime.peak_rss_mb);
      const [a, b] = ['ours', 'onnxruntime'].map((n) =>
        readFileSync(join(o.folder, 'onnx', `${n}.out`), 'utf8').split('\n'),
      );
      row.agreement = a.filter((line, i) => line === b[i]).length / a.length;
    }
  }
  console.log(
    `greedy, ${sentences} newstest2014 sentences, outputs capped at the source length, tokens/s (median of ${o.rounds} alternating rounds)`,
  );
  console.log('  batch threads      ours  onnxruntime  ratio   ours MB   ort MB  same outputs  load');
  for (const r of rows) {
    r.ours = Math.round(median(r.rounds.map((x) => x.ours)) * 10) / 10;
    r.onnxruntime = Math.round(median(r.rounds.map((x) => x.onnxruntime)) * 10) / 10;
    r.ratio = Math.round((r.ours / r.onnxruntime) * 100) / 100;
    const loads = r.rounds.map((x) => x.load.toFixed(1)).join('/');
    console.log(
      `${String(r.batch).padStart(7)} ${String(r.threads).padStart(7)} ${r.ours.toFixed(1).padStart(9)} ${r.onnxruntime.toFixed(1).padStart(12)} ${r.ratio.toFixed(2).padStart(6)} ${r.ours_rss_mb.toFixed(0).padStart(9)} ${r.onnxruntime_rss_mb.toFixed(0).padStart(8)} ${(r.agreement * 100).toFixed(0).padStart(12)}%  ${loads}`,
    );
  }
  if (o.json) console.log(JSON.stringify({ sentences, parity: worst, rows }));
  return 0;
}
