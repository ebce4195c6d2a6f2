// Float32 GEMM of the native addon against numpy/OpenBLAS on this machine, same sizes and threads.
// Usage (after `npm run build`): node dist/bench/gemm-vs-numpy.js [--sizes 256,1024,2048] [--threads 2]
//   [--rounds 3]   (PYTHON=... picks the interpreter; it needs numpy)
// Each round runs `transformer bench gemm --json` and bench/gemm_numpy.py once per size, alternating,
// so background load hits both alike; each side keeps its best per-run median GFLOP/s. Prints a
// table and, last, one JSON line {"threads", "rows": [{"size", "ours", "numpy", "ratio"}]}.
import { lastJson, option, root } from './compare.js';

const sizes = option('--sizes', '256,1024,2048').split(',').map(Number);
const threads = Number(option('--threads', '2'));
const rounds = Number(option('--rounds', '3'));
if (!sizes.every((s) => Number.isInteger(s) && s > 0) || !(threads >= 1) || !(rounds >= 1)) {
  console.error('usage: node dist/bench/gemm-vs-numpy.js [--sizes 256,1024,2048] [--threads 2] [--rounds 3]');
  process.exit(2);
}

const python = process.env.PYTHON ?? 'python3';

const best = new Map(sizes.map((size) => [size, { ours: 0, numpy: 0, simd: '' }]));
for (let round = 0; round < rounds; round++) {
  for (const size of sizes) {
    const flags = ['--size', String(size), '--threads', String(threads)];
    const ours = lastJson<{ gflops: number; simd: string }>(process.execPath, [
      root('bin/transformer.js'),
      'bench',
      'gemm',
      ...flags,
      '--json',
    ]);
    const numpy = lastJson<{ gflops: number }>(python, [root('bench/gemm_numpy.py'), ...flags]);
    const b = best.get(size)!;
    b.ours = Math.max(b.ours, ours.gflops);
    b.numpy = Math.max(b.numpy, numpy.gflops);
    b.simd = ours.simd;
  }
}

const rows = sizes.map((size) => {
  const b = best.get(size)!;
  return { size, ours: b.ours, numpy: b.numpy, ratio: Math.round((b.ours / b.numpy) * 1000) / 1000, simd: b.simd };
});
console.log(`float32 GEMM, ${threads} threads, GFLOP/s (best of ${rounds} alternating runs, each a median)`);
console.log('  size      ours     numpy   ours/numpy');
for (const r of rows) {
  console.log(
    `${String(r.size).padStart(6)}  ${r.ours.toFixed(1).padStart(8)}  ${r.numpy.toFixed(1).padStart(8)}  ${r.ratio.toFixed(3).padStart(11)}   (${r.simd})`,
  );
}
console.log(JSON.stringify({ threads, rows }));
