// Training throughput of our model against the identical model in PyTorch, same batch shapes and threads.
// Usage (after `npm run build`): node bench/train-vs-torch.js [--preset small] [--batches 64,128]
//   [--threads 2] [--rounds 3] [--steps 5] [--warmup 2]   (PYTHON=... picks the interpreter, default
//   /usr/bin/python3; it needs torch, else only our side runs)
// Each round runs `transformer bench train --json` and bench/torch_train.py once per batch size,
// alternating, so background load hits both alike; each side reports the median over the rounds of
// its per-run median step. Prints a table and, last, one JSON line {"preset", "threads", "rows": [...]}.
import { spawnSync } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const preset = option('--preset', 'small');
const batches = option('--batches', '64,128').split(',').map(Number);
const threads = Number(option('--threads', '2'));
const rounds = Number(option('--rounds', '3'));
const steps = Number(option('--steps', '5'));
const warmup = Number(option('--warmup', '2'));
const counts = [threads, rounds, steps];
if (!batches.every((b) => Number.isInteger(b) && b > 0) || !counts.every((n) => Number.isInteger(n) && n >= 1)) {
  console.error(
    'usage: node bench/train-vs-torch.js [--preset small] [--batches 64,128] [--threads 2] [--rounds 3] [--steps 5]',
  );
  process.exit(2);
}

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const python = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.error(`${python} cannot import torch: measuring our side only`);

// Runs a command and returns the JSON object on the last line of its output.
function lastJson(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`${command} ${commandArgs.join(' ')} failed:\n${result.stderr}`);
    process.exit(1);
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const runs = new Map(batches.map((b) => [b, { ours: [], torch: [] }]));
for (let round = 0; round < rounds; round++) {
  for (const batch of batches) {
    const flags = ['--preset', preset, '--batch-size', String(batch), '--threads', String(threads)];
    const timing = ['--steps', String(steps), '--warmup', String(warmup), '--json'];
    const r = runs.get(batch);
    const ours = lastJson(process.execPath, [root('bin/transformer.js'), 'bench', 'train', ...flags, ...timing]);
    r.ours.push(ours.target_tokens_per_second);
    if (hasTorch)
      r.torch.push(lastJson(python, [root('bench/torch_train.py'), ...flags, ...timing]).target_tokens_per_second);
    console.error(
      `round ${round + 1}/${rounds} batch ${batch}: ours ${r.ours.at(-1)}` +
        (hasTorch ? `, torch ${r.torch.at(-1)}` : ''),
    );
  }
}

const rows = batches.map((batch) => {
  const r = runs.get(batch);
  const ours = median(r.ours);
  const torch = hasTorch ? median(r.torch) : null;
  const ratio = torch === null ? null : Math.round((ours / torch) * 100) / 100;
  return { batch_size: batch, ours, torch, ratio, ours_runs: r.ours, torch_runs: r.torch };
});
console.log(`${preset}, ${threads} threads, target tokens/s (median of ${rounds} alternating runs)`);
console.log('  batch      ours     torch   ours/torch');
for (const r of rows) {
  const cell = (x, digits) => (x === null ? '-' : x.toFixed(digits));
  console.log(
    `${String(r.batch_size).padStart(7)}  ${cell(r.ours, 0).padStart(8)}  ${cell(r.torch, 0).padStart(8)}  ${cell(r.ratio, 2).padStart(11)}`,
  );
}
console.log(JSON.stringify({ preset, threads, rows }));
