// GFLOP/s of the skinny products of decoding, (M x K) . (K x N)^T with the weight stored (N, K) as a
// Linear holds it: the general gemm (which packs the weight at every call) and, when the addon has
// it, gemmPacked on weights packed once. Two regimes: the weight in cache (one weight, called again
// and again) and in memory (a ring of weights larger than the last-level cache, as a decoder step
// walks through its layers). In memory, a product of few rows is bound by how fast the cores read
// memory, so each in-memory product also prints the rate at which it read its weights (GB/s), to set
// beside bench/memory-read.c's plain read. With --step-rows, it then times every product of one decoding
// step of a base-size Marian model (6 decoder layers of 1536 + 512 + 512 + 512 + 2048 + 512 outputs, the
// 8000-row output projection: 104.5 MB packed), one after the other as the step runs them, for each row count.
// Usage (after `npm run build`): node dist/bench/gemm-skinny.js [--threads 1] [--shapes 1x2048x512,16x2048x512] [--step-rows 1,16]
// Prints one line per case and, last, one JSON line {"threads", "rows": [{"shape", "path", "regime", "gflops", "gbps"}],
// "steps": [{"rows", "ms", "gbps", "gflops"}]}.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { loadNativeBackend, nativeLoadError, setNativeThreads, simdLevel } from '../src/backend/native/index.js';
import { option } from './compare.js';

const native = loadNativeBackend();
if (native === null) {
  console.error(`native backend unavailable: ${nativeLoadError()}`);
  process.exit(1);
}
const threads = Number(option('--threads', '1'));
setNativeThreads(threads);
const shapes = option('--shapes', '1x2048x512,16x2048x512')
  .split(',')
  .map((s) => s.split('x').map(Number));

function random(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.random() - 0.5;
  return out;
}

// Median seconds per call over ~0.5 s, after a warm-up.
function median(fn: (i: number) => void): number {
  for (let i = 0; i < 5; i++) fn(i);
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; samples.length < 20 || performance.now() - start < 500; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1];
}

const rows: { shape: string; path: string; regime: string; gflops: number; gbps: number }[] = [];
console.log(`skinny gemm, ${threads} thread(s), simd ${simdLevel()}, load average ${loadavg()[0].toFixed(2)}`);
for (const [M, N, K] of shapes) {
  const shape = `${M}x${N}x${K}`;
  // 64 MB of weights walk out of any cache; one weight stays in it.
  const ring = Math.max(1, Math.ceil((64 << 20) / (N * K * 4)));
  for (const regime of ['cache', 'memory']) {
    const count = regime === 'cache' ? 1 : ring;
    const weights = Array.from({ length: count }, () => random(N * K));
    const a = random(M * K);
    const c = new Float32Array(M * N);
    const flops = 2 * M * N * K;
    const report = (path: string, seconds: number) => {
      const gflops = Math.round((flops / seconds / 1e9) * 10) / 10;
      const gbps = Math.round((N * K * 4) / seconds / 1e8) / 10; // the weight's bytes per second
      rows.push({ shape, path, regime, gflops, gbps });
      const rate = regime === 'memory' ? `, weights read at ${gbps.toFixed(1)} GB/s` : '';
      console.log(
        `${shape.padEnd(14)} ${path.padEnd(8)} weights in ${regime.padEnd(7)} ${gflops.toFixed(1).padStart(7)} GFLOP/s${rate}`,
      );
    };
    report(
      'gemm',
      median((i) => native.gemm(false, true, M, N, K, 1, a, 0, weights[i % count], 0, 0, c, 0, 1)),
    );
    if ('gemmPacked' in native) {
      const packed = weights.map((w) => {
        const p = new Float32Array(Math.ceil(N / 16) * 16 * K);
        native.packPanels(true, K, N, w, p);
        return p;
      });
      report(
        'packed',
        median((i) => native.gemmPacked(M, N, K, a, packed[i % count], c)),
      );
    }
  }
}
// One decoding step's products over the base model's weights, packed once (the best of 30 steps).
const steps: { rows: number; ms: number; gbps: number; gflops: number }[] = [];
const stepRows = option('--step-rows', '')
  .split(',')
  .filter((x) => x !== '')
  .map(Number);
if (stepRows.length > 0 && 'gemmPacked' in native) {
  const layer = [1536, 512, 512, 512, 2048, 512].map((n, i) => [n, i === 5 ? 2048 : 512]);
  const shapes = [...Array.from({ length: 6 }, () => layer).flat(), [8000, 512]];
  const weights = shapes.map(([N, K]) => {
    const p = new Float32Array(Math.ceil(N / 16) * 16 * K);
    native.packPanels(true, K, N, random(N * K), p);
    return { N, K, p };
  });
  const bytes = weights.reduce((n, w) => n + w.p.length * 4, 0);
  const macs = weights.reduce((n, w) => n + w.N * w.K, 0);
  for (const M of stepRows) {
    const io = weights.map((w) => ({ a: random(M * w.K), c: new Float32Array(M * w.N) }));
    let best = Infinity;
    for (let r = 0; r < 30; r++) {
      const t0 = performance.now();
      weights.forEach((w, i) => native.gemmPacked(M, w.N, w.K, io[i].a, w.p, io[i].c));
      best = Math.min(best, performance.now() - t0);
    }
    const step = {
      rows: M,
      ms: Math.round(best * 1000) / 1000,
      gbps: Math.round(bytes / best / 1e5) / 10,
      gflops: Math.round((2 * M * macs) / best / 1e5) / 10,
    };
    steps.push(step);
    console.log(
      `decoding step, ${M} row(s): ${step.ms.toFixed(2)} ms for ${(bytes / 1e6).toFixed(1)} MB of weights, ${step.gbps} GB/s, ${step.gflops} GFLOP/s`,
    );
  }
}
console.log(JSON.stringify({ threads, simd: simdLevel(), load: loadavg()[0], rows, steps }));
