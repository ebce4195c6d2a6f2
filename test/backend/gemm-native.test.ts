// The native addon's gemm against a float64 triple loop, on every SIMD path this CPU runs. The
// path is fixed when the addon loads, so each path runs in a child process (this same file, with
// TRANSFORMER_SIMD and GEMM_TEST_SIMD set); the parent checks argument validation.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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
  packPanels(transB: boolean, K: number, N: number, b: Float32Array, packed: Float32Array): void;
  gemmPacked(
    M: number,
    N: number,
    K: number,
    a: Float32Array,
    packed: Float32Array,
    c: Float32Array,
    bias?: Float32Array | null,
  ): void;
  simdLevel(): string;
}

const addonPath = fileURLToPath(new URL('../../../build/Release/transformer_native.node', import.meta.url));
const addon = createRequire(import.meta.url)(addonPath) as GemmAddon;
const LEVELS = ['avx512', 'avx2', 'portable'];
const childLevel = process.env.GEMM_TEST_SIMD;
const UNSUPPORTED = 3; // a child's exit code when its CPU lacks the path

let seed = 7;
function random(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = seed / 2147483648 - 1;
  }
  return out;
}

interface Case {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  strideA: number;
  strideB: number;
  strideC: number;
  batch: number;
}

// Runs the native gemm on views at odd offsets into larger buffers, and checks every element of C
// against a float64 loop run batch by batch in order (so strideC = 0 accumulates). The tolerance is
// the float32 dot-product error bound: a few ulps times (K + 2) times the sum of |terms|.
function check(cs: Case): void {
  const { transA, transB, M, N, K, alpha, beta, strideA, strideB, strideC, batch } = cs;
  const span = (size: number, stride: number) => (batch - 1) * stride + size;
  const view = (n: number, offset: number) => random(n + offset + 2).subarray(offset, offset + n);
  const a = view(span(M * K, strideA), 3);
  const b = view(span(K * N, strideB), 5);
  const c = view(span(M * N, strideC), 1);
  if (beta === 0) c.fill(NaN);
  const want = Float64Array.from(c);
  const bound = new Float64Array(c.length);
  for (let t = 0; t < batch; t++) {
    const [ao, bo, co] = [t * strideA, t * strideB, t * strideC];
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let sum = 0,
          abs = 0;
        for (let p = 0; p < K; p++) {
          const x = a[ao + (transA ? p * M + i : i * K + p)] * b[bo + (transB ? j * K + p : p * N + j)];
          sum += x;
          abs += Math.abs(x);
        }
        const old = beta === 0 ? 0 : beta * want[co + i * N + j];
        want[co + i * N + j] = alpha * sum + old;
        bound[co + i * N + j] = Math.abs(alpha) * abs + Math.abs(old) + bound[co + i * N + j];
      }
  }
  addon.gemm(transA, transB, M, N, K, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
  for (let i = 0; i < c.length; i++) {
    const tol = 2 ** -21 * (K + 2) * bound[i] + 1e-30;
    // NaN is expected only in the gaps between matrices (never written when beta = 0).
    const ok = Number.isNaN(want[i]) ? Number.isNaN(c[i]) : Math.abs(c[i] - want[i]) <= tol;
    if (!ok) assert.fail(`${JSON.stringify(cs)}: c[${i}] = ${c[i]}, want ${want[i]} (tol ${tol.toExponential(2)})`);
  }
}

const single = { alpha: 1, beta: 0, strideA: 0, strideB: 0, strideC: 0, batch: 1 };
// 1, 7, 33, 257 around the register blocks; K = 520 spans two K blocks, N = 600 two N blocks;
// 40 x 70 x 520 is large enough to be split between threads.
const SHAPES = [
  [1, 1, 1],
  [7, 33, 1],
  [33, 7, 257],
  [257, 33, 7],
  [1, 257, 33],
  [13, 600, 20],
  [40, 70, 520],
  [100, 130, 257],
];

// The skinny path on weights packed once: every row count of its register blocks (1 to 17, then
// more), panels cut at odd widths, products large enough to split the panels between threads, with
// and without a bias (added to every row).
function checkPacked(M: number, N: number, K: number, transB: boolean, withBias = false): void {
  const a = random(M * K);
  const b = random(K * N);
  const bias = withBias ? random(N) : null;
  const packed = new Float32Array(Math.ceil(N / 16) * 16 * K);
  addon.packPanels(transB, K, N, b, packed);
  const c = new Float32Array(M * N).fill(NaN);
  addon.gemmPacked(M, N, K, a, packed, c, bias);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let sum = bias === null ? 0 : bias[j],
        abs = Math.abs(sum);
      for (let p = 0; p < K; p++) {
        const x = a[i * K + p] * b[transB ? j * K + p : p * N + j];
        sum += x;
        abs += Math.abs(x);
      }
      const got = c[i * N + j];
      if (!(Math.abs(got - sum) <= 2 ** -21 * (K + 2) * abs + 1e-30))
        assert.fail(`packed M ${M} N ${N} K ${K} transB ${transB}: c[${i}, ${j}] = ${got}, want ${sum}`);
    }
}

function childTests(level: string): void {
  test('gemmPacked on packed weights: every row block, odd panels, threaded', () => {
    for (let M = 1; M <= 17; M++)
      for (const transB of [false, true])
        for (const withBias of [false, true]) checkPacked(M, 100, 33, transB, withBias);
    for (const [M, N, K] of [
      [1, 2048, 512],
      [3, 600, 520],
      [16, 600, 257],
      [40, 129, 64],
      [1, 1, 1],
      [2, 17, 0],
    ])
      for (const withBias of [false, true]) checkPacked(M, N, K, true, withBias);
  });

  test(`runs on the ${level} path`, () => assert.equal(addon.simdLevel(), level));

  test('all shapes and transposes, alpha = 1, beta = 0 over NaN', () => {
    for (const [M, N, K] of SHAPES)
      for (const transA of [false, true])
        for (const transB of [false, true]) check({ ...single, transA, transB, M, N, K });
  });

  test('alpha and beta scale the product and the old C', () => {
    for (const [M, N, K] of SHAPES.slice(0, 6))
      for (const transA of [false, true])
        for (const transB of [false, true]) check({ ...single, transA, transB, M, N, K, alpha: 0.5, beta: -1.5 });
    check({ ...single, transA: false, transB: false, M: 5, N: 9, K: 0, alpha: 2, beta: 0.25 });
    check({ ...single, transA: false, transB: false, M: 5, N: 9, K: 0, alpha: 2, beta: 0 });
    check({ ...single, transA: false, transB: false, M: 0, N: 9, K: 4, alpha: 2, beta: 1 });
  });

  test('batches: shared A or B (stride 0), gaps between matrices, accumulation into one C', () => {
    const [M, N, K] = [9, 35, 17];
    const base = { alpha: 1, beta: 0, M, N, K, batch: 4 };
    check({ ...base, transA: false, transB: false, strideA: 0, strideB: K * N, strideC: M * N + 3 });
    check({ ...base, transA: true, transB: true, strideA: M * K + 1, strideB: 0, strideC: M * N });
    check({ ...base, transA: false, transB: true, strideA: M * K, strideB: K * N, strideC: 0, beta: 1 });
    // Attention-like: many small products, shared out across threads by batch.
    const att = { transA: false, alpha: 0.125, beta: 0, M: 24, K: 64, N: 24, batch: 64 };
    check({ ...att, transB: true, strideA: 24 * 64, strideB: 24 * 64, strideC: 24 * 24 });
    check({ ...att, transB: false, K: 24, N: 64, strideA: 24 * 24, strideB: 24 * 64, strideC: 24 * 64 });
  });
}

function parentTests(): void {
  const file = fileURLToPath(import.meta.url);
  for (const level of LEVELS) {
    test(`gemm matches a float64 reference on the ${level} path`, (t) => {
      // Without NODE_TEST_CONTEXT the child reports in plain text instead of to this runner.
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TRANSFORMER_SIMD: level,
        GEMM_TEST_SIMD: level,
        TRANSFORMER_THREADS: '2',
      };
      delete env.NODE_TEST_CONTEXT;
      const child = spawnSync(process.execPath, [file], { env, encoding: 'utf8' });
      if (child.status === UNSUPPORTED) return t.skip(child.stdout.trim());
      assert.equal(child.status, 0, child.stdout + child.stderr);
    });
  }

  test('simdLevel names one of the paths', () => assert.ok(LEVELS.includes(addon.simdLevel())));

  test('arrays too small for the described matrices throw instead of crashing', () => {
    const f = (n: number) => new Float32Array(n);
    const call = (a: Float32Array, b: Float32Array, c: Float32Array, batch = 1, strideA = 0) =>
      addon.gemm(false, false, 4, 5, 6, 1, a, strideA, b, 0, 0, c, 20, batch);
    call(f(24), f(30), f(20));
    assert.throws(() => call(f(23), f(30), f(20)), { name: 'RangeError', message: /'a' has 23 elements.*need 24/ });
    assert.throws(() => call(f(24), f(29), f(20)), { name: 'RangeError', message: /'b' has 29/ });
    assert.throws(() => call(f(24), f(30), f(20), 2), { name: 'RangeError', message: /'c' has 20 .*need 40/ });
    assert.throws(() => call(f(48), f(30), f(40), 2, 25), { name: 'RangeError', message: /'a' has 48 .*need 49/ });
    // A view is as long as its own length, whatever the buffer behind it.
    assert.throws(() => call(f(100).subarray(80), f(30), f(20)), { name: 'RangeError', message: /'a' has 20/ });
    assert.throws(() => call(f(24), f(30), new Float64Array(20) as unknown as Float32Array), {
      name: 'TypeError',
      message: /'c' is a Float64Array, but the native backend is float32 only/,
    });
    assert.throws(() => addon.gemm(false, false, -1, 5, 6, 1, f(24), 0, f(30), 0, 0, f(20), 0, 1), {
      name: 'RangeError',
      message: /'M' must be an integer/,
    });
    assert.throws(() => addon.gemm(false, false, 4, 5, 6, 1, f(24), 0.5, f(30), 0, 0, f(20), 0, 1), {
      name: 'RangeError',
      message: /strideA/,
    });
  });
}

if (childLevel === undefined) {
  parentTests();
} else if (addon.simdLevel() !== childLevel) {
  console.log(`this CPU has no ${childLevel} path (runs ${addon.simdLevel()})`);
  process.exit(UNSUPPORTED);
} else {
  childTests(childLevel);
}
