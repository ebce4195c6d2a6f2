// The backend conformance table, every family's cases in one list, and how one case runs: on the backend under
// test, each kernel call noted, so that a case naming a kernel it never calls is caught. Node-free, so the page
// of e2e/wasm.e2e.test.ts runs the same table on the wasm builds in Chromium.

import type { Backend, KernelName } from '../../src/backend/backend.js';
import { kernelNames } from '../../src/backend/js/index.js';
import { attentionCases } from './conformance-attention.js';
import { bf16Cases } from './conformance-bf16.js';
import { elementwiseCases } from './conformance-elementwise.js';
import type { ConformanceCase } from './conformance-helpers.js';
import { int8Cases } from './conformance-int8.js';
import { nnCases } from './conformance-nn.js';
import { reduceCases } from './conformance-reduce.js';
import { sparseAttentionCases } from './conformance-sparse-attention.js';

export const TABLE: readonly ConformanceCase[] = [
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

/** Runs one case on `tested` (it throws on a mismatch); returns the kernels it names but never called. */
export function runCase(tested: Backend, c: ConformanceCase): KernelName[] {
  const called = new Set<KernelName>();
  c.run(recording(tested, called));
  return c.kernels.filter((k) => !called.has(k));
}
