// `transformer bench gemm|train --backend wasm`: the wasm backend measured from the command line, and
// training on it follows the same losses as on js (same seed, same data). Skips without build-wasm/.

import { existsSync } from 'node:fs';
import test from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

const built = existsSync(new URL('../../../build-wasm/transformer-wasm-threads.wasm', import.meta.url));
const skip = built ? false : 'the wasm backend is not built: build it with `npm run build:wasm`';

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

test('bench gemm --backend wasm reports the wasm kernel in its JSON', { skip }, () => {
  const result = runCli(['bench', 'gemm', '--size', '64', '--threads', '1', '--backend', 'wasm', '--json']);
  assert.equal(result.code, 0, result.err);
  const summary = lastJson(result.out);
  assert.equal(summary.backend, 'wasm');
  assert.equal(summary.simd, 'wasm-simd128');
  assert.equal(summary.threads, 1);
  assert.ok((summary.gflops as number) > 0);
});

test('bench train --backend wasm trains as js does: same losses on the same seed', { skip }, () => {
  const args = ['--preset', 'tiny', '--batch-size', '4', '--steps', '2', '--warmup', '1', '--threads', '1', '--json'];
  const [wasm, js] = ['wasm', 'js'].map((b) => runCli(['bench', 'train', ...args, '--backend', b]));
  assert.equal(wasm.code, 0, wasm.err);
  assert.equal(js.code, 0, js.err);
  const w = lastJson(wasm.out),
    j = lastJson(js.out);
  assert.equal(w.backend, 'wasm');
  assert.equal(j.backend, 'js');
  assert.ok(Math.abs((w.loss as number) - (j.loss as number)) < 2e-3, `wasm loss ${w.loss}, js loss ${j.loss}`);
});

test('bench --backend names the choices when given another', () => {
  const result = runCli(['bench', 'gemm', '--backend', 'gpu']);
  assert.equal(result.code, 2);
  assert.match(result.err, /--backend must be "js", "native" or "wasm", got "gpu"/);
});
