// Training throughput of our model against the identical model in PyTorch, same batch shapes and threads.
// Usage (after `npm run build`): node dist/bench/train-vs-torch.js [--preset small] [--batches 64,128]
//   [--precisions float32,bf16] [--threads 2] [--rounds 3] [--steps 5] [--warmup 2]   (PYTHON=... picks the
//   interpreter, default /usr/bin/python3; it needs torch, else only our side runs)
// Each round runs `transformer bench train --json` and bench/torch_train.py once per batch size and
// precision (bf16: our mixed precision against torch.autocast('cpu', dtype=torch.bfloat16)), alternating,
// so background load hits both alike. Each run's number is its median step; the table
// gives each side's median and best over the rounds (PyTorch's OpenMP threads suffer far more than ours
// when other processes share the cores, so on a busy machine the best runs are the fairer comparison)
// and the 1-minute load average before the rounds. Last, one JSON line {"preset", "threads", "rows"}.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { median } from '../src/eval/median.js';
import { lastJson, option, root } from './compare.js';

const preset = option('--preset', 'small');
const batches = option('--batches', '64,128').split(',').map(Number);
const precisions = option('--precisions', 'float32,bf16').split(',');
const threads = Number(option('--threads', '2'));
const rounds = Number(option('--rounds', '3'));
const steps = Number(option('--steps', '5'));
const warmup = Number(option('--warmup', '2'));
const counts = [threads, rounds, steps];
const validPrecisions = precisions.every((p) => p === 'float32' || p === 'bf16');
if (
  !batches.every((b) => Number.isInteger(b) && b > 0) ||
  !counts.every((n) => Number.isInteger(n) && n >= 1) ||
  !validPrecisions
) {
  console.error(
    'usage: node dist/bench/train-vs-torch.js [--preset small] [--batches 64,128] [--precisions float32,bf16] ' +
      '[--threads 2] [--rounds 3] [--steps 5]',
  );
  process.exit(2);
}

const python = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.error(`${python} cannot import torch: measuring our side only`);

/** The median of the runs, to a tenth of a token per second. */
const medianOf = (xs: number[]) => Math.round(median(xs) * 10) / 10;

/** What both sides print last. */
interface Speed {
  target_tokens_per_second: number;
}

const cases = batches.flatMap((batch) => precisions.map((precision) => ({ batch, precision })));
const key = (c: { batch: number; precision: string }) => `${c.batch} ${c.precision}`;
const runs = new Map(cases.map((c) => [key(c), { ours: [] as number[], torch: [] as number[], load: [] as number[] }]));
for (let round = 0; round < rounds; round++) {
  for (const c of cases) {
    const { batch, precision } = c;
    const flags = ['--preset', preset, '--batch-size', String(batch), '--threads', String(threads)];
    const timing = ['--steps', String(steps), '--warmup', String(warmup), '--precision', precision, '--json'];
    const r = runs.get(key(c))!;
    r.load.push(Math.round(loadavg()[0] * 100) / 100);
    const ours = lastJson<Speed>(process.execPath, [root('bin/transformer.js'), 'bench', 'train', ...flags, ...timing]);
    r.ours.push(ours.target_tokens_per_second);
    if (hasTorch)
      r.torch.push(
        lastJson<Speed>(python, [root('bench/torch_train.py'), ...flags, ...timing]).target_tokens_per_second,
      );
    console.error(
      `round ${round + 1}/${rounds} batch ${batch} ${precision}: ours ${r.ours.at(-1)}` +
        (hasTorch ? `, torch ${r.torch.at(-1)}` : ''),
    );
  }
}

const rows = cases.map((c) => {
  const r = runs.get(key(c))!;
  const ratio = (x: number, y: number | null) => (y === null ? null : Math.round((x / y) * 100) / 100);
  const ours = medianOf(r.ours);
  const torch = hasTorch ? medianOf(r.torch) : null;
  const oursBest = Math.max(...r.ours);
  const torchBest = hasTorch ? Math.max(...r.torch) : null;
  return {
    batch_size: c.batch,
    precision: c.precision,
    ours,
    torch,
    ratio: ratio(ours, torch),
    ours_best: oursBest,
    torch_best: torchBest,
    ratio_best: ratio(oursBest, torchBest),
    ours_runs: r.ours,
    torch_runs: r.torch,
    load_average: r.load,
  };
});
console.log(`${preset}, ${threads} threads, target tokens/s over ${rounds} alternating runs`);
console.log('  batch  precision  ours median  torch median  ratio   ours best  torch best  ratio   load averages');
for (const r of rows) {
  const cell = (x: number | null, digits: number, width: number) =>
    (x === null ? '-' : x.toFixed(digits)).padStart(width);
  console.log(
    `${String(r.batch_size).padStart(7)}  ${r.precision.padStart(9)}  ${cell(r.ours, 0, 11)}  ${cell(r.torch, 0, 12)}  ${cell(r.ratio, 2, 5)}` +
      `  ${cell(r.ours_best, 0, 10)}  ${cell(r.torch_best, 0, 10)}  ${cell(r.ratio_best, 2, 5)}   ${r.load_average.join(' ')}`,
  );
}
// Mixed precision's gain on each side: bf16 over float32 tokens/s, medians.
for (const batch of batches) {
  const [f32, bf16] = ['float32', 'bf16'].map((precision) =>
    rows.find((r) => r.batch_size === batch && r.precision === precision),
  );
  if (f32 === undefined || bf16 === undefined) continue;
  const gain = (x: number | null, y: number | null) => (x === null || y === null ? '-' : (x / y).toFixed(2));
  console.log(
    `batch ${batch}: bf16 / float32 = ${gain(bf16.ours, f32.ours)} ours, ${gain(bf16.torch, f32.torch)} torch`,
  );
}
console.log(JSON.stringify({ preset, threads, rows }));
