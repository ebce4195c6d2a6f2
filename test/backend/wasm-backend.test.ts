// The wasm backend through the registry, as the library uses it: initWasm() then setBackend('wasm'),
// tensors allocated in its heap, a training loop that matches js step for step and stops allocating
// once the pool is warm. Skips without build-wasm/ (npm run build:wasm).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import test from 'node:test';

import { availableBackends, initWasm, setBackend, wasmHeapAllocator, withBackend } from '../../src/backend/registry.js';
import { wasmFlavour } from '../../src/backend/wasm/index.js';
import * as T from '../../src/tensor/index.js';
import { ReverseTask } from '../helpers/reverse-task.js';

const registryUrl = new URL('../../src/backend/registry.js', import.meta.url).href;
const built = existsSync(new URL('../../../build-wasm/transformer-wasm-threads.wasm', import.meta.url));
const skip = built ? false : 'the wasm backend is not built: build it with `npm run build:wasm`';

test('setBackend("wasm") before initWasm() is an error that says what to do', () => {
  const script = `import { setBackend } from '${registryUrl}'; try { setBackend('wasm'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.match(result.stdout, /BackendError: the wasm backend is not loaded \(call and await initWasm\(\) first\)/);
});

test('with wasm active, tensors live in its heap and ops agree with js', { skip }, async () => {
  await initWasm();
  assert.equal(wasmFlavour(), 'threads');
  assert.ok(availableBackends().includes('wasm'));
  const heap = wasmHeapAllocator()!;
  const compute = () =>
    T.tidy(() => {
      T.manualSeed(5);
      const x = T.randn([3, 7, 16]).requireGrad(); // (B, T, d)
      const w = T.randn([16, 16], { std: 0.25 }).requireGrad(); // (d_out, d_in)
      const y = T.softmax(T.gelu(T.matmul(x, w, { transB: true })), -1); // (B, T, d)
      const loss = T.mean(T.mul(y, y));
      loss.backward();
      return {
        y: Float32Array.from(y.floats()),
        dw: Float32Array.from(w.grad!.floats()),
        inHeap: heap.owns(y.floats()),
      };
    });
  const wasm = withBackend('wasm', compute);
  const js = withBackend('js', compute);
  assert.equal(wasm.inHeap, true, 'a tensor made on wasm is a view of the wasm heap');
  assert.equal(js.inHeap, false, 'a tensor made on js is in JS memory');
  for (let i = 0; i < js.y.length; i++) assert.ok(Math.abs(wasm.y[i] - js.y[i]) < 1e-5, `y[${i}]`);
  for (let i = 0; i < js.dw.length; i++) assert.ok(Math.abs(wasm.dw[i] - js.dw[i]) < 1e-5, `dw[${i}]`);
});

test('training on wasm follows js and stops growing the heap once the pool is warm', { skip }, async () => {
  await initWasm();
  const config = { vocab: 12, length: 6, dModel: 32, h: 4, dFF: 64, batch: 8, seed: 7 };
  const losses = (name: 'js' | 'wasm', steps: number) => {
    setBackend(name);
    try {
      const task = new ReverseTask(config);
      return Array.from({ length: steps }, () => task.step().loss);
    } finally {
      setBackend('js');
    }
  };
  const js = losses('js', 20);
  const wasm = losses('wasm', 20);
  for (let i = 0; i < js.length; i++) assert.ok(Math.abs(wasm[i] - js[i]) < 1e-3, `step ${i}: ${wasm[i]} vs ${js[i]}`);

  setBackend('wasm');
  try {
    const task = new ReverseTask(config);
    const memory = () => T.bufferPool.liveBytes;
    for (let i = 0; i < 5; i++) task.step();
    const heapSize = () => T.tidy(() => (T.zeros([1]).floats().buffer as ArrayBufferLike).byteLength);
    const heapBytes = heapSize();
    const live = memory();
    for (let i = 0; i < 50; i++) task.step();
    assert.equal(heapSize(), heapBytes, 'the heap did not grow');
    assert.equal(memory(), live, 'no tensor leaked');
  } finally {
    setBackend('js');
  }
});
