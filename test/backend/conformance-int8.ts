// Conformance cases of the int8 inference kernels against the js reference: quantization (with ties and
// all-zero rows), packing at awkward sizes, and products that must agree bit for bit, since the sums are
// integers and the scaling is two float32 roundings the contract fixes.

import assert from 'node:assert/strict';

import type { Backend } from '../../src/backend/backend.js';
import { int8PackedSize } from '../../src/backend/int8-contract.js';
import { Rng, jsBackend, offsetInts, offsetView, type ConformanceCase } from './conformance-helpers.js';

export const int8Cases: ConformanceCase[] = [];

/** Values that land on .5 ties after scaling, a row of zeros, and plain random rows. */
function awkwardRows(rng: Rng, rows: number, K: number): Float32Array {
  const x = rng.uniform(rows * K, -3, 3);
  for (let k = 0; k < K; k++) {
    if (rows > 1) x[K + k] = 0;
    if (rows > 2) x[2 * K + k] = k === 0 ? 127 : (k % 9) - 4.5; // scale 1: every half-integer is a tie
  }
  return x;
}

function int8View(data: Int8Array, offset = 7): Int8Array {
  const buffer = new Int8Array(data.length + offset + 2).fill(99);
  buffer.set(data, offset);
  return buffer.subarray(offset, offset + data.length);
}

/** Packs a random weight on `be`: its quantized rows, scales, packed panels and row sums. */
export function quantizedWeight(be: Backend, w: Float32Array, N: number, K: number) {
  const q = int8View(new Int8Array(N * K));
  const scales = offsetView(new Float32Array(N));
  be.quantizeInt8(N, K, w, q, scales);
  const packed = int8View(new Int8Array(int8PackedSize(N, K)).fill(99));
  const sums = offsetInts(new Int32Array(N));
  be.packInt8(N, K, q, packed, sums);
  return { q, scales, packed, sums };
}

int8Cases.push({
  kernels: ['quantizeInt8', 'packInt8'],
  name: 'quantizeInt8 (ties, zero rows) and packInt8 at awkward sizes, bit for bit',
  run: (tested) => {
    const rng = new Rng(81);
    for (const N of [1, 3, 15, 16, 17, 40]) {
      for (const K of [1, 3, 4, 5, 31, 64, 130]) {
        const w = offsetView(awkwardRows(rng, N, K));
        const got = quantizedWeight(tested, w, N, K);
        const want = quantizedWeight(jsBackend, w, N, K);
        const label = `N ${N} K ${K}`;
        assert.deepEqual(got.q, want.q, `quantizeInt8 values ${label}`);
        assert.deepEqual(got.scales, want.scales, `quantizeInt8 scales ${label}`);
        assert.deepEqual(got.packed, want.packed, `packInt8 panels ${label}`);
        assert.deepEqual(got.sums, want.sums, `packInt8 sums ${label}`);
      }
    }
  },
});

int8Cases.push({
  kernels: ['gemmInt8'],
  name: 'gemmInt8 at awkward sizes, skinny and not, with and without bias, bit for bit',
  run: (tested) => {
    const rng = new Rng(82);
    for (const M of [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 33]) {
      for (const N of [1, 15, 16, 17, 33, 47, 64, 100]) {
        for (const K of [1, 3, 5, 31, 64, 257]) {
          const w = offsetView(awkwardRows(rng, N, K));
          const { packed, scales, sums } = quantizedWeight(jsBackend, w, N, K);
          const x = offsetView(awkwardRows(rng, M, K));
          for (const bias of [null, offsetView(rng.uniform(N))]) {
            const [got, want] = [tested, jsBackend].map((be) => {
              const y = offsetView(new Float32Array(M * N).fill(Number.NaN));
              be.gemmInt8(M, N, K, x, packed, scales, sums, bias, y);
              return y;
            });
            assert.deepEqual(got, want, `gemmInt8 M ${M} N ${N} K ${K} bias ${bias !== null}`);
          }
        }
      }
    }
  },
});
