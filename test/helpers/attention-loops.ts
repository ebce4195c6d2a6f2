// What the efficient-attention tests share: seeded inputs in either float type, key padding, inputs
// with padded keys appended, and softmax attention written as plain loops to compare against.

import assert from 'node:assert/strict';
import { availableBackends, withBackend, type BackendName } from '../../src/backend/registry.js';
import * as T from '../../src/tensor/index.js';
import { Generator } from '../../src/tensor/random.js';
import { Tensor, type DType } from '../../src/tensor/tensor.js';
import type { AttendInputs } from '../../src/model/efficient/mechanism.js';

/** A seeded normal tensor; float64 ones require a gradient (for gradcheck). */
export function normal(shape: number[], seed: number, dtype: DType = 'float64', scale = 1): Tensor {
  const t = T.randn(shape, { std: scale, generator: new Generator(seed), dtype });
  return dtype === 'float64' ? t.requireGrad() : t;
}

/** q (B, h, Tq, dK), k (B, h, Tk, dK), v (B, h, Tk, dV). */
export function qkv(
  [B, h, Tq, Tk, dK, dV]: [number, number, number, number, number, number],
  dtype: DType = 'float64',
  seed = 1,
): [Tensor, Tensor, Tensor] {
  return [
    normal([B, h, Tq, dK], seed, dtype),
    normal([B, h, Tk, dK], seed + 1, dtype),
    normal([B, h, Tk, dV], seed + 2, dtype),
  ];
}

/** (B, Tk) int32: the first lengths[b] keys of sequence b are real. */
export function padding(lengths: number[], Tk: number): Tensor {
  const values = lengths.flatMap((n) => Array.from({ length: Tk }, (_, j) => (j < n ? 1 : 0)));
  return Tensor.from(Int32Array.from(values), [lengths.length, Tk]);
}

export function attendInputs(q: Tensor, k: Tensor, v: Tensor, rest: Partial<AttendInputs> = {}): AttendInputs {
  return { q, k, v, keyPadding: null, causal: false, dropout: 0, training: false, needWeights: false, ...rest };
}

/** t with `extra` positions of random values appended along axis 2 (no gradient). */
export function appendPositions(t: Tensor, extra: number, seed: number): Tensor {
  const [B, h, , d] = t.shape;
  return T.noGrad(() => T.concat([t, normal([B, h, extra, d], seed, t.dtype, 3)], 2));
}

/** keyPadding (or all real) with `extra` padded keys appended. */
export function appendPadding(keyPadding: Tensor | null, B: number, Tk: number, extra: number): Tensor {
  const real = keyPadding === null ? new Array<number>(B * Tk).fill(1) : keyPadding.toArray();
  const values: number[] = [];
  for (let b = 0; b < B; b++) values.push(...real.slice(b * Tk, (b + 1) * Tk), ...new Array<number>(extra).fill(0));
  return Tensor.from(Int32Array.from(values), [B, Tk + extra]);
}

/** Rows of a (B, h, T, d) tensor: at(b, h, i) gives the d values. */
export function rows(t: Tensor): (b: number, head: number, i: number) => number[] {
  const [, H, L, d] = t.shape;
  const data = t.toArray();
  return (b, head, i) => data.slice(((b * H + head) * L + i) * d, ((b * H + head) * L + i + 1) * d);
}

const dot = (x: number[], y: number[]) => x.reduce((s, xi, i) => s + xi * y[i], 0);

/**
 * softmax(q k^T / sqrt(dK)) v with loops, (B, h, Tq, dV) row-major. Query i sees real keys j <= i +
 * Tk - Tq when causal; a query that sees none gets zeros.
 */
export function softmaxAttentionLoops(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  keyPadding: Tensor | null,
  causal = false,
): number[] {
  const [B, H, Tq, dK] = q.shape;
  const [Tk, dV] = [k.shape[2], v.shape[3]];
  const [Q, K, V] = [rows(q), rows(k), rows(v)];
  const real = keyPadding?.toArray();
  const out: number[] = [];
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < Tq; i++) {
        const seen = [...Array(Tk).keys()].filter(
          (j) => (real === undefined || real[b * Tk + j] !== 0) && (!causal || j <= i + Tk - Tq),
        );
        const scores = seen.map((j) => dot(Q(b, h, i), K(b, h, j)) / Math.sqrt(dK));
        const top = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - top));
        const total = e.reduce((a, c) => a + c, 0);
        for (let d = 0; d < dV; d++) out.push(seen.reduce((s, j, n) => s + (e[n] / total) * V(b, h, j)[d], 0));
      }
  return out;
}

export function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++)
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])),
      `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`,
    );
}

/** The first Tq rows of axis 2 of a (B, h, T, d) tensor, as a plain array. */
export function firstRows(t: Tensor, Tq: number): number[] {
  return T.slice(t, 2, 0, Tq).toArray();
}

/** Runs fn on every available backend in float32, and once more on js in float64. */
export function onEveryBackend(fn: (dtype: DType, tolerance: number, backend: BackendName) => void): void {
  for (const backend of availableBackends()) withBackend(backend, () => fn('float32', 1e-4, backend));
  withBackend('js', () => fn('float64', 1e-10, 'js'));
}
