// The backend conformance table: each case runs one or more kernels on a backend under test (native,
// wasm) and on the js reference and compares the results. Every kernel of the contract must have a
// case, and every case must call on the backend each kernel it names. To add a case, push it onto the list of its
// family (conformance-elementwise.ts, -reduce.ts, -nn.ts, -attention.ts, -sparse-attention.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Backend } from '../../src/backend/backend.js';
import { kernelNames } from '../../src/backend/js/index.js';
import { runCase, TABLE } from './conformance-table.js';
import { backendSuites } from './conformance-util.js';

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
      const silent = runCase(tested, c);
      assert.deepEqual(silent, [], `the case names kernels it never called on ${tested.name}`);
    });
  }
});
