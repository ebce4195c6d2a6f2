// Every backend implements every kernel of the contract (src/backend/backend.ts): the js backend's
// object literal is type-checked against it, and the native addon and the wasm module must export
// exactly the same kernels. The op codes and the rank limit they share are compared here too, from
// their sources.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { MAX_RANK } from '../../src/backend/backend.js';
import { PANEL } from '../../src/backend/decoding-kernels.js';
import { jsBackend, kernelNames } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native/index.js';
import { nativeSuite, wasmSuite } from './conformance-util.js';

// This file runs from dist/test/backend/.
const root = new URL('../../../', import.meta.url);
const source = (path: string) => readFileSync(new URL(path, root), 'utf8');
/** The addon's exports that are not kernels. */
const CONTROLS = ['numThreads', 'setNumThreads', 'simdLevel', 'bf16Level'];

test('the js backend defines every kernel as a function, and nothing else but its name', () => {
  assert.deepEqual(Object.keys(jsBackend).sort(), ['name', ...kernelNames].sort());
  for (const k of kernelNames) assert.equal(typeof jsBackend[k], 'function', k);
});

nativeSuite('the native addon', () => {
  test('exports exactly the kernels of the contract, besides its thread and SIMD controls', () => {
    const addonFile = fileURLToPath(new URL('build/Release/transformer_native.node', root));
    const addon = createRequire(import.meta.url)(addonFile) as Record<string, unknown>;
    const kernels = Object.keys(addon).filter((k) => !CONTROLS.includes(k));
    assert.deepEqual(kernels.sort(), [...kernelNames].sort());
    for (const k of kernels) assert.equal(typeof addon[k], 'function', k);
  });

  test('the native backend is those functions, under the same names as the js backend', () => {
    assert.deepEqual(Object.keys(loadNativeBackend()!).sort(), Object.keys(jsBackend).sort());
  });
});

/** A kernel's name as native/wasm/glue.cc spells its C function: crossEntropyBackward -> tt_cross_entropy_backward. */
function cName(kernel: string): string {
  return 'tt_' + kernel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

wasmSuite('the wasm module', (wasm) => {
  test('exports one C function per kernel of the contract (copy and fill twice: float32, int32), besides its controls', () => {
    const exported = Object.keys(wasm.module)
      .filter((k) => k.startsWith('_tt_'))
      .map((k) => k.slice(1));
    const expected = kernelNames.flatMap((k) =>
      k === 'copy' || k === 'fill' ? [`${cName(k)}_f32`, `${cName(k)}_i32`] : [cName(k)],
    );
    const controls = ['tt_num_threads', 'tt_set_num_threads', 'tt_simd_level'];
    assert.deepEqual(exported.sort(), [...expected, ...controls].sort());
  });

  test('the wasm backend has the same keys as the js backend, and gemm runs on SIMD128', () => {
    assert.deepEqual(Object.keys(wasm.backend).sort(), Object.keys(jsBackend).sort());
    assert.equal(wasm.heap.string(wasm.module._tt_simd_level()), 'wasm-simd128');
  });
});

/** The enumerators of `enum Name { ... }` in a TypeScript or C++ source, comments removed. */
function enumerators(text: string, name: string): string[] {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(text);
  assert.ok(body, `enum ${name} not found`);
  return body[1]
    .replace(/\/\/.*$/gm, '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

test('the op codes of backend.ts and native/kernels/kernels.h agree: same names, same order', () => {
  const ts = source('src/backend/backend.ts');
  const cc = source('native/kernels/kernels.h');
  for (const name of ['BinaryOp', 'UnaryOp', 'ReduceOp']) {
    const tsOps = enumerators(ts, name).map((e) => e.split('=').map((x) => x.trim()));
    tsOps.forEach(([op, value], i) => assert.equal(Number(value), i, `${name}.${op} is not ${i}`));
    const ccOps = enumerators(cc, name);
    // The C++ enum ends with its op count (kBinaryOps, ...), which the glue checks op codes against.
    assert.equal(ccOps.pop(), `k${name}s`, `${name} in kernels.h must end with its count`);
    assert.deepEqual(
      ccOps.map((e) => e.replace(/^k/, '')),
      tsOps.map(([op]) => op),
      name,
    );
  }
});

test('MAX_RANK of backend.ts is kMaxRank of native/kernels/strided.h', () => {
  const match = /constexpr int kMaxRank = (\d+);/.exec(source('native/kernels/strided.h'));
  assert.ok(match, 'kMaxRank not found');
  assert.equal(Number(match[1]), MAX_RANK);
});

test('PANEL of backend.ts is kPanel of native/gemm_kernels.h', () => {
  const match = /constexpr int kPanel = (\d+);/.exec(source('native/gemm_kernels.h'));
  assert.ok(match, 'kPanel not found');
  assert.equal(Number(match[1]), PANEL);
});
