// `transformer bench gemm [--size N] [--threads T] [--backend B] [--precision float32|bf16] [--json]`:
// GFLOP/s of a backend's gemm (native by default), or of gemmBf16 (bf16 operands, float32 sums), on a
// square N x N x N product (median of timed repeats), the number bench/gemm-vs-numpy.ts compares with numpy. The matrices come from the buffer pool, as
// tensors do (in the heap for wasm). With --json the last line printed is {"size","threads","gflops","simd",...}.

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { integerFlag } from './flags.js';
import { backend } from '../backend/registry.js';
import { bufferPool } from '../tensor/buffer-pool.js';
import { selectBenchBackend } from './bench-backend.js';
import { bf16Level } from '../backend/native/index.js';
import { parsePrecision } from './precision.js';

function randomMatrix(n: number): Float32Array {
  const out = bufferPool.take('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) out[i] = Math.random() - 0.5;
  return out;
}

// Seconds per call: three warm-up calls, then repeats until ~1 s has passed (at least 5).
function timeCalls(fn: () => void): { median: number; best: number; repeats: number } {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || performance.now() - start < 1000) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((x, y) => x - y);
  return { median: samples[samples.length >> 1], best: samples[0], repeats: samples.length };
}

export async function benchGemm(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: '1024' },
      threads: { type: 'string' },
      backend: { type: 'string', default: 'native' },
      precision: { type: 'string', default: 'float32' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const size = integerFlag('--size', values.size, 1, 16384);
  const threads =
    values.threads === undefined ? availableParallelism() : integerFlag('--threads', values.threads, 1, 1024);
  const json = values.json ?? false;
  const precision = parsePrecision('--precision', values.precision);
  const chosen = await selectBenchBackend(values.backend, threads);
  const kernels = backend();
  const n = size;
  const a = randomMatrix(n * n),
    b = randomMatrix(n * n),
    c = randomMatrix(n * n);
  // bf16 operands as a trained model's weights are held: cast once, outside the timing.
  const [a16, b16] = [a, b].map((x) => {
    const out = new Uint16Array(x.length);
    kernels.castBf16(out, x, x.length);
    return out;
  });
  const t = timeCalls(() =>
    precision === 'bf16'
      ? kernels.gemmBf16(false, false, n, n, n, 1, a16, 0, b16, 0, 0, c, 0, 1)
      : kernels.gemm(false, false, n, n, n, 1, a, 0, b, 0, 0, c, 0, 1),
  );
  const flops = 2 * n * n * n;
  const gflops = flops / t.median / 1e9;
  const { threads: used } = chosen;
  const simd = precision === 'bf16' && chosen.name === 'native' ? (bf16Level() ?? 'unknown') : chosen.simd;
  console.log(
    `gemm ${precision} ${n}x${n}x${n}, backend ${chosen.name}, ${used} thread${used === 1 ? '' : 's'}, simd ${simd}`,
  );
  console.log(
    `median ${(t.median * 1e3).toFixed(3)} ms = ${gflops.toFixed(1)} GFLOP/s ` +
      `(best ${(flops / t.best / 1e9).toFixed(1)} GFLOP/s, ${t.repeats} repeats)`,
  );
  if (json) {
    const round = (x: number) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        size: n,
        backend: chosen.name,
        threads: used,
        precision,
        gflops: round(gflops),
        simd,
        stat: 'median',
        ms: Math.round(t.median * 1e6) / 1e3,
        repeats: t.repeats,
      }),
    );
  }
  return 0;
}
