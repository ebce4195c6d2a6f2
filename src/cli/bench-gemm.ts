// `transformer bench gemm [--size N] [--threads T] [--json]`: float32 GFLOP/s of the native addon's
// gemm on a square N x N x N product (median of timed repeats), the number bench/gemm-vs-numpy.js
// compares with numpy. With --json the last line printed is {"size","threads","gflops","simd",...}.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, integerFlag } from './flags.js';

interface GemmAddon {
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    a: Float32Array,
    strideA: number,
    b: Float32Array,
    strideB: number,
    beta: number,
    c: Float32Array,
    strideC: number,
    batch: number,
  ): void;
  setNumThreads(n: number): void;
  simdLevel(): string;
}

const ADDON_PATH = fileURLToPath(new URL('../../../build/Release/transformer_native.node', import.meta.url));

function loadAddon(): GemmAddon {
  try {
    return createRequire(import.meta.url)(ADDON_PATH) as GemmAddon;
  } catch (error) {
    throw new Error(
      `the native addon is not built (${ADDON_PATH}): run \`npm run build\`\n  ${(error as Error).message}`,
    );
  }
}

function randomMatrix(n: number): Float32Array {
  const out = new Float32Array(n);
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
  let size: number, threads: number, json: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { size: { type: 'string', default: '1024' }, threads: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    size = integerFlag('--size', values.size, 1, 16384);
    threads = values.threads === undefined ? availableParallelism() : integerFlag('--threads', values.threads, 1, 1024);
    json = values.json ?? false;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!usage) throw error;
    console.error(`transformer bench gemm: ${(error as Error).message} (usage: --size N --threads T --json)`);
    return 2;
  }
  let addon: GemmAddon;
  try {
    addon = loadAddon();
  } catch (error) {
    console.error(`transformer bench gemm: ${(error as Error).message}`);
    return 1;
  }
  addon.setNumThreads(threads);
  const n = size;
  const a = randomMatrix(n * n),
    b = randomMatrix(n * n),
    c = new Float32Array(n * n);
  const t = timeCalls(() => addon.gemm(false, false, n, n, n, 1, a, 0, b, 0, 0, c, 0, 1));
  const flops = 2 * n * n * n;
  const gflops = flops / t.median / 1e9;
  const simd = addon.simdLevel();
  console.log(`gemm float32 ${n}x${n}x${n}, ${threads} thread${threads === 1 ? '' : 's'}, simd ${simd}`);
  console.log(
    `median ${(t.median * 1e3).toFixed(3)} ms = ${gflops.toFixed(1)} GFLOP/s ` +
      `(best ${(flops / t.best / 1e9).toFixed(1)} GFLOP/s, ${t.repeats} repeats)`,
  );
  if (json) {
    const round = (x: number) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        size: n,
        threads,
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
