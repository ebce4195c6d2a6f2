// The backend conformance table: each case runs one or more kernels on a backend under test (native,
// wasm) and on the js reference and compares the results. Every kernel of the contract must have a
// case, and every case must call on the backend each kernel it names. To add a case, push it onto the list of its
// family (conformance-elementwise.ts, -reduce.ts, -nn.ts, -attention.ts, -sparse-attention.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Backend, KernelName } from '../../src/backend/backend.js';
import { kernelNames } from '../../src/backend/js/index.js';
import { attentionCases } from './conformance-attention.js';
import { bf16Cases } from './conformance-bf16.js';
import { elementwiseCases } from './conformance-elementwise.js';
import { int8Cases } from './conformance-int8.js';
import { nnCases } from './conformance-nn.js';
import { reduceCases } from './conformance-reduce.js';
import { sparseAttentionCases } from './conformance-sparse-attention.js';
import { backendSuites, type ConformanceCase } from './conformance-util.js';

const TABLE: readonly ConformanceCase[] = [
  ...elementwiseCases,
  ...reduceCases,
  ...nnCases,
  ...attentionCases,
  ...sparseAttentionCases,
  ...bf16Cases,
  ...int8Cases,
];

/** The backend with each kernel call noted in `called`. */
function recording(tested: Backend, called: Set<KernelName>): Backend {
  const wrapped = kernelNames.map((k) => {
    const kernel = tested[k] as (...args: unknown[]) => void;
    return [
      k,
      (...args: unknown[]) => {
        called.add(k);
        kernel(...args);
      },
    ];
  });
  return { ...tested, ...Object.fromEntries(wrapped) } as Backend;
}

test('the conformance table has a case for every kernel of the contract', () => {
  const covered = new Set(TABLE.flatMap((c) => c.kernels));
  assert.deepEqual(
    kernelNames.filter((k) => !covered.has(k)),
    [],
    'kernels without a conformance case',
  );
});

backendSuites('conformance', (tested: Backend) => {
  for (const c of TABLE) {
    test(c.name, () => {
      const called = new Set<KernelName>();
      c.run(recording(tested, called));
      const silent = c.kernels.filter((k) => !called.has(k));
      assert.deepEqual(silent, [], `the case names kernels it never called on ${tested.name}`);
    });
  }
});
