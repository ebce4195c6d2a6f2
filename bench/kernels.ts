// Times the main kernels on the native and js backends at Transformer-training sizes (base model,
// batches of ~1536 tokens): `npm run build && node dist/bench/kernels.js [--threads N] [--filter name]`.
// It reaches below the public API on purpose: the backends' kernels, called directly on typed arrays.
import { performance } from 'node:perf_hooks';

import { dropoutParams, type Backend } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import {
  loadNativeBackend,
  nativeLoadError,
  nativeThreads,
  setNativeThreads,
  simdLevel,
} from '../src/backend/native/index.js';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const native = loadNativeBackend();
if (native === null) {
  console.error(`native backend unavailable: ${nativeLoadError()}`);
  process.exit(1);
}
if (option('--threads')) setNativeThreads(Number(option('--threads')));
const filter = option('--filter');

let seed = 1;
function random(n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = lo + ((hi - lo) * seed) / 4294967296;
  }
  return out;
}

// Median milliseconds per call: repeat until ~0.3 s has passed (at least 3 calls, after a warm-up).
function time(fn: () => void): number {
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < 300 && samples.length < 200)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const rows = 1536;
const dModel = 512;
const V = 8000;
const { threshold, scale: dropScale } = dropoutParams(0.1);

/** name -> (backend) => a closure running one call (inputs allocated once, outside the timing). */
const benches: Record<string, (be: Backend) => () => void> = {
  [`binary add + row broadcast ${rows}x${dModel}`]: (be) => {
    const a = random(rows * dModel),
      b = random(dModel),
      out = new Float32Array(rows * dModel);
    const shape = Int32Array.from([rows, dModel]),
      as = Int32Array.from([dModel, 1]),
      bs = Int32Array.from([0, 1]);
    return () => be.binary(0, out, a, as, b, bs, shape);
  },
  [`copy transpose ${rows}x${dModel}`]: (be) => {
    const src = random(rows * dModel),
      dst = new Float32Array(rows * dModel);
    const shape = Int32Array.from([dModel, rows]);
    return () => be.copy(dst, Int32Array.from([rows, 1]), src, Int32Array.from([1, dModel]), shape, false);
  },
  [`relu fwd+bwd ${rows}x2048`]: (be) => {
    const n = rows * 2048,
      x = random(n),
      y = new Float32Array(n),
      dy = random(n),
      dx = new Float32Array(n);
    return () => {
      be.unary(6, y, x, n, 0);
      be.unaryBackward(6, dx, x, y, dy, n, 0);
    };
  },
  [`dropout ${rows}x${dModel}`]: (be) => {
    const n = rows * dModel,
      x = random(n),
      out = new Float32Array(n);
    return () => be.dropout(out, x, n, threshold, dropScale, 1234, 0);
  },
  [`reduce sum over rows (bias grad) ${rows}x${dModel}`]: (be) => {
    const x = random(rows * dModel),
      out = new Float32Array(dModel);
    return () => be.reduce(0, out, null, x, 1, rows, dModel);
  },
  [`layerNorm fwd+bwd ${rows}x${dModel}`]: (be) => {
    const n = rows * dModel,
      x = random(n),
      g = random(dModel),
      b = random(dModel),
      dy = random(n);
    const out = new Float32Array(n),
      mean = new Float32Array(rows),
      rstd = new Float32Array(rows);
    const dx = new Float32Array(n),
      dg = new Float32Array(dModel),
      db = new Float32Array(dModel);
    return () => {
      be.layerNorm(out, mean, rstd, x, g, b, rows, dModel, 1e-6);
      be.layerNormBackward(dx, dg, db, dy, x, mean, rstd, g, rows, dModel);
    };
  },
  [`softmax fwd+bwd ${rows}x256`]: (be) => {
    const n = rows * 256,
      x = random(n, -4, 4),
      y = new Float32Array(n),
      dy = random(n),
      dx = new Float32Array(n);
    return () => {
      be.softmax(y, x, rows, 256, false);
      be.softmaxBackward(dx, y, dy, rows, 256, false);
    };
  },
  [`crossEntropy fwd+bwd ${rows}x${V}`]: (be) => {
    const x = random(rows * V, -4, 4),
      loss = new Float32Array(rows),
      lse = new Float32Array(rows);
    const t = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % V),
      dl = random(rows, 0, 1);
    const d = new Float32Array(rows * V);
    return () => {
      be.crossEntropy(loss, lse, x, t, rows, V, 0.1, -100);
      be.crossEntropyBackward(d, x, lse, t, dl, rows, V, 0.1, -100);
    };
  },
  ['attention fwd+bwd B=64 H=4 T=24 D=64, causal, dropout 0.1']: (be) => {
    const [B, H, T, D] = [64, 4, 24, 64];
    const n = B * H * T * D,
      q = random(n),
      k = random(n),
      v = random(n),
      dout = random(n);
    const out = new Float32Array(n),
      w = new Float32Array(B * H * T * T);
    const dq = new Float32Array(n),
      dk = new Float32Array(n),
      dv = new Float32Array(n);
    const shape = { B, H, Tq: T, Tk: T, D, Dv: D, scale: 0.125, threshold, dropScale, seed: 7 };
    return () => {
      be.attention(out, w, q, k, v, shape, true, null, null);
      be.attentionBackward(dq, dk, dv, dout, q, k, v, w, shape);
    };
  },
  [`embedding fwd+bwd ${rows} ids x ${dModel}`]: (be) => {
    const table = random(V * dModel),
      ids = Int32Array.from({ length: rows }, (_, i) => (i * 31) % 500);
    const out = new Float32Array(rows * dModel),
      dy = random(rows * dModel),
      dt = new Float32Array(V * dModel);
    return () => {
      be.embedding(out, table, ids, rows, dModel);
      be.embeddingBackward(dt, dy, ids, rows, dModel);
    };
  },
  ['adam 7.6M params']: (be) => {
    const n = 7_600_000,
      p = random(n),
      g = random(n),
      m = new Float32Array(n),
      v = new Float32Array(n);
    const params = {
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.98,
      eps: 1e-9,
      weightDecay: 0,
      decoupled: false,
      biasCorrection1: 0.1,
      biasCorrection2: 0.02,
    };
    return () => be.adam(p, g, m, v, n, params);
  },
};

console.log(`native: ${nativeThreads()} threads, gemm SIMD ${simdLevel() ?? 'unknown'}; median ms per call`);
console.log(`${'kernel'.padEnd(58)} ${'native'.padStart(9)} ${'js'.padStart(9)} ${'speedup'.padStart(8)}`);
for (const [name, make] of Object.entries(benches)) {
  if (filter && !name.includes(filter)) continue;
  const tn = time(make(native));
  const tj = time(make(jsBackend));
  console.log(
    `${name.padEnd(58)} ${tn.toFixed(3).padStart(9)} ${tj.toFixed(2).padStart(9)} ${(tj / tn).toFixed(1).padStart(7)}x`,
  );
}
