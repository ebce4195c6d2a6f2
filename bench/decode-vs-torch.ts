// Greedy decoding throughput against PyTorch on this machine: `transformer bench decode` (the small preset
// on the key/value cache) and bench/torch_decode.py (torch.nn.Transformer of the same size, decoded as the
// PyTorch tutorial does), B sources of 24 tokens, 24 target tokens each, same thread count.
// Usage (after `npm run build`): node dist/bench/decode-vs-torch.js [--batches 1,32] [--threads 2] [--rounds 3]
//   (PYTHON=... picks the interpreter, /usr/bin/python3 by default; it needs torch)
// Rounds alternate the two sides so that background load hits both alike; each side keeps its best median.
// Prints a table and, last, one JSON line {"threads", "rows": [{"batch", "ours", "torch", "ratio"}]}.
import { lastJson, option, root } from './compare.js';

const batches = option('--batches', '1,32').split(',').map(Number);
const threads = Number(option('--threads', '2'));
const rounds = Number(option('--rounds', '3'));
if (!batches.every((b) => Number.isInteger(b) && b > 0) || !(threads >= 1) || !(rounds >= 1)) {
  console.error('usage: node dist/bench/decode-vs-torch.js [--batches 1,32] [--threads 2] [--rounds 3]');
  process.exit(2);
}

const python = process.env.PYTHON ?? '/usr/bin/python3';

/** What both sides print last. */
interface Speed {
  tokens_per_second: number;
}

const best = new Map(batches.map((b) => [b, { ours: 0, torch: 0 }]));
for (let round = 0; round < rounds; round++) {
  for (const batch of batches) {
    const flags = ['--batch-size', String(batch), '--threads', String(threads)];
    const ours = lastJson<Speed>(process.execPath, [root('bin/transformer.js'), 'bench', 'decode', ...flags, '--json']);
    const torch = lastJson<Speed>(python, [root('bench/torch_decode.py'), ...flags]);
    const b = best.get(batch)!;
    b.ours = Math.max(b.ours, ours.tokens_per_second);
    b.torch = Math.max(b.torch, torch.tokens_per_second);
  }
}

const rows = batches.map((batch) => {
  const b = best.get(batch)!;
  return { batch, ours: b.ours, torch: b.torch, ratio: Math.round((b.ours / b.torch) * 100) / 100 };
});
console.log(`greedy decoding, small model, 24 + 24 tokens, ${threads} threads, target tokens/s (best of ${rounds})`);
console.log('  batch       ours      torch   ours/torch');
for (const r of rows) {
  console.log(
    `${String(r.batch).padStart(7)}  ${r.ours.toFixed(0).padStart(9)}  ${r.torch.toFixed(0).padStart(9)}  ${r.ratio.toFixed(2).padStart(11)}`,
  );
}
console.log(JSON.stringify({ threads, rows }));
