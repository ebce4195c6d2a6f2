// The int8 kernels on every native path: the one this CPU picks (AVX512-VNNI where it has it), and AVX2 and
// portable forced by TRANSFORMER_SIMD in child processes (this same file with INT8_TEST_CHILD set), each
// bit for bit against js. And int8 products against exact float32 ones, within the quantization steps.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { loadNativeBackend } from '../../src/backend/native/index.js';
import { int8Cases, quantizedWeight } from './conformance-int8.js';
import { Rng, jsBackend, nativeSuite } from './conformance-util.js';

if (process.env.INT8_TEST_CHILD !== undefined) {
  const native = loadNativeBackend()!;
  for (const c of int8Cases) c.run(native);
  process.exit(0);
}

nativeSuite('int8 kernels', (native) => {
  for (const simd of ['avx2', 'portable']) {
    test(`the ${simd} path passes the conformance cases`, () => {
      const env: NodeJS.ProcessEnv = { ...process.env, TRANSFORMER_SIMD: simd, INT8_TEST_CHILD: simd };
      delete env.NODE_TEST_CONTEXT;
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env, encoding: 'utf8' });
      assert.equal(child.status, 0, child.stdout + child.stderr);
    });
  }

  test('int8 products are within the quantization steps of the exact float32 product', () => {
    // x = sx xq + ex and w = sw q + ew with |ex| <= sx / 2, |ew| <= sw / 2, so
    // |x.w - sx sw xq.q| <= sum_k (sx / 2 |w_k| + |x_k| sw / 2 + sx sw / 4), plus float32 rounding.
    const rng = new Rng(83);
    for (const [M, N, K] of [
      [1, 300, 512],
      [16, 64, 257],
      [5, 33, 2048],
    ]) {
      const w = rng.uniform(N * K);
      const x = rng.uniform(M * K);
      const { packed, scales, sums } = quantizedWeight(native, w, N, K);
      const y = new Float32Array(M * N);
      native.gemmInt8(M, N, K, x, packed, scales, sums, null, y);
      const xScales = new Float32Array(M);
      jsBackend.quantizeInt8(M, K, x, new Int8Array(M * K), xScales);
      let worst = 0;
      let mean = 0;
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let exact = 0;
          let bound = 0;
          for (let k = 0; k < K; k++) {
            exact += x[m * K + k] * w[n * K + k];
            bound +=
              (xScales[m] / 2) * Math.abs(w[n * K + k]) +
              (Math.abs(x[m * K + k]) * scales[n]) / 2 +
              (xScales[m] * scales[n]) / 4;
          }
          const error = Math.abs(y[m * N + n] - exact);
          assert.ok(error <= bound * (1 + 1e-5) + 1e-4, `${M}x${N}x${K} [${m}, ${n}]: error ${error} > ${bound}`);
          worst = Math.max(worst, error / bound);
          mean += error / (M * N);
        }
      // ... and the bound is not vacuous: errors are a real fraction of it, and far above float32 rounding.
      assert.ok(worst > 0.01, `worst error / bound ${worst}`);
      assert.ok(mean > 1e-3, `mean error ${mean}`);
    }
  });

  test('bad arguments are refused with the kernel and argument named', () => {
    assert.throws(
      () =>
        native.gemmInt8(
          1,
          16,
          4,
          new Float32Array(4),
          new Int8Array(10),
          new Float32Array(16),
          new Int32Array(16),
          null,
          new Float32Array(16),
        ),
      /gemmInt8: argument 'packed' has 10 elements, needs 64/,
    );
    assert.throws(
      () => native.packInt8(2, 4, new Float32Array(8) as unknown as Int8Array, new Int8Array(64), new Int32Array(2)),
      /packInt8: argument 'q' must be an Int8Array/,
    );
  });
});
