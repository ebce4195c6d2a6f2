// The bf16 kernels on both native paths: AVX512-BF16 where the CPU has it, and the float32 fallback
// (TRANSFORMER_SIMD=avx2: rounded copies multiplied by sgemm) that every other CPU runs. The path is fixed
// when the addon loads, so the fallback runs the conformance cases in a child process (this same file with
// BF16_TEST_CHILD set). Also: bf16 products against exact float32 ones, within bf16's rounding.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { bf16Level, loadNativeBackend } from '../../src/backend/native/index.js';
import { absProducts, assertWithin, bf16Cases } from './conformance-bf16.js';
import { Rng, jsBackend, nativeSuite } from './conformance-util.js';

if (process.env.BF16_TEST_CHILD !== undefined) {
  const native = loadNativeBackend()!;
  assert.equal(bf16Level(), process.env.BF16_TEST_CHILD);
  for (const c of bf16Cases) c.run(native);
  process.exit(0);
}

nativeSuite('bf16 kernels', (native) => {
  test('the float32 fallback passes the conformance cases', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TRANSFORMER_SIMD: 'avx2', BF16_TEST_CHILD: 'float32' };
    delete env.NODE_TEST_CONTEXT;
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stdout + child.stderr);
  });

  test('bf16Level names the path', () => assert.ok(['avx512bf16', 'float32'].includes(bf16Level()!)));

  test('bf16 products are within bf16 rounding of the exact float32 product', () => {
    // Each operand is off by at most 2^-9 relative (8 significant bits, round to nearest), so each product
    // by at most 2^-8 + 2^-18; the float32 sum adds K 2^-24 of the sum of |products|.
    const rng = new Rng(9);
    for (const [M, N, K] of [
      [37, 45, 300],
      [64, 64, 64],
    ]) {
      const a = rng.uniform(M * K);
      const b = rng.uniform(K * N);
      const p = { transA: false, transB: true, M, N, K, alpha: 1, beta: 0, batch: 1, strideA: 0, strideB: 0 };
      const [got, exact] = [new Float32Array(M * N), new Float64Array(M * N)];
      native.gemmBf16(false, true, M, N, K, 1, a, 0, b, 0, 0, got, 0, 1);
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[i * K + k] * b[j * K + k];
          exact[i * N + j] = s;
        }
      const scale = absProducts(p, a, b);
      assertWithin(got, exact, scale, 2 ** -8 + 2 ** -18 + K * 2 ** -24, `${M}x${N}x${K}`);
      // ... and the operands really were rounded: the error is many times float32's.
      const full = new Float32Array(M * N);
      jsBackend.gemm(false, true, M, N, K, 1, a, 0, b, 0, 0, full, 0, 1);
      const worst = (c: Float32Array) => Math.max(...Array.from(c, (x, i) => Math.abs(x - exact[i]) / scale[i]));
      assert.ok(worst(got) > 10 * worst(full), `bf16 ${worst(got)}, float32 ${worst(full)}`);
    }
  });
});
