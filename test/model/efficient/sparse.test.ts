// SparsePatternAttention: a band covering the sequence is full attention, decoding steps match the
// full pass, padding is honoured, weights are dense for display, and every kind passes a gradient check.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FullAttention } from '../../../src/model/efficient/full.js';
import type { AttendInputs } from '../../../src/model/efficient/mechanism.js';
import { SparsePatternAttention } from '../../../src/model/efficient/sparse.js';
import type { AttentionSpec } from '../../../src/model/efficient/spec.js';
import { backward } from '../../../src/tensor/autograd.js';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { assertClose, Rng } from '../../backend/conformance-util.js';
import { gradcheck, input } from '../../helpers/gradcheck.js';

const SPECS: AttentionSpec[] = [
  { kind: 'local', window: 2 },
  { kind: 'dilated', window: 2, dilation: 2 },
  { kind: 'strided', stride: 2 },
  { kind: 'block-global', blockSize: 2, globalTokens: 1, randomBlocks: 1, seed: 3 },
];

function mechanism(spec: AttentionSpec, causal = false): SparsePatternAttention {
  return new SparsePatternAttention(spec, { dModel: 8, h: 2, maxLength: 64, causal });
}

function inputs(q: Tensor, k: Tensor, v: Tensor, overrides: Partial<AttendInputs> = {}): AttendInputs {
  return { q, k, v, keyPadding: null, causal: false, dropout: 0, training: false, needWeights: false, ...overrides };
}

function qkv(rng: Rng, B: number, H: number, Tq: number, Tk: number, D: number): Tensor[] {
  return [
    [B, H, Tq, D],
    [B, H, Tk, D],
    [B, H, Tk, D],
  ].map((shape) => Tensor.from(rng.uniform(shape.reduce((a, b) => a * b)), shape).requireGrad());
}

/** Output and gradients of sum(out * W). */
function outputAndGrads(f: () => Tensor, leaves: Tensor[], W: Tensor): number[][] {
  for (const t of leaves) t.grad = null;
  const out = f();
  backward(T.sum(T.mul(out, W)));
  return [out.toArray(), ...leaves.map((t) => t.grad!.toArray())];
}

test('a band with window >= n is full attention, causal or not, with padding, forward and backward', () => {
  const rng = new Rng(1);
  const [B, H, n, D] = [2, 2, 9, 4];
  const [q, k, v] = qkv(rng, B, H, n, n, D);
  const W = Tensor.from(rng.uniform(B * H * n * D), [B, H, n, D]);
  const padding = Tensor.from(Int32Array.from([1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]), [B, n]);
  for (const causal of [false, true]) {
    for (const keyPadding of [null, padding]) {
      for (const window of [n, n + 5]) {
        const label = `window ${window} causal ${causal} padding ${keyPadding !== null}`;
        const x = inputs(q, k, v, { causal, keyPadding, needWeights: true });
        const sparse = mechanism({ kind: 'local', window }, causal);
        const full = new FullAttention();
        const got = outputAndGrads(() => sparse.attend(x).output, [q, k, v], W);
        const want = outputAndGrads(() => full.attend(x).output, [q, k, v], W);
        ['out', 'dq', 'dk', 'dv'].forEach((name, i) =>
          assertClose(got[i], want[i], `${label} ${name}`, { atol: 1e-5 }),
        );
        assertClose(sparse.attend(x).weights!.toArray(), full.attend(x).weights!.toArray(), `${label} weights`);
      }
    }
  }
});

test('decoding steps (Tq = 1 at the end of Tk) match the rows of the full causal pass, for every kind', () => {
  const rng = new Rng(2);
  const [B, H, n, D] = [1, 2, 11, 3];
  const [q, k, v] = qkv(rng, B, H, n, n, D);
  for (const spec of SPECS) {
    const m = mechanism(spec, true);
    const full = m.attend(inputs(q, k, v, { causal: true })).output.toArray(); // (B, h, n, D)
    for (const Tk of [1, 4, 7, 11]) {
      const step = m.attend(
        inputs(T.slice(q, 2, Tk - 1, Tk), T.slice(k, 2, 0, Tk), T.slice(v, 2, 0, Tk), { causal: true }),
      );
      const expected = [0, 1].flatMap((h) => full.slice((h * n + Tk - 1) * D, (h * n + Tk) * D));
      assertClose(step.output.toArray(), expected, `${spec.kind} step ${Tk}`, { atol: 1e-6 });
    }
  }
});

test('weights are dense for display: rows sum to one over the attended keys, zeros elsewhere', () => {
  const rng = new Rng(3);
  const [q, k, v] = qkv(rng, 1, 2, 8, 8, 3);
  for (const spec of SPECS) {
    const m = mechanism(spec, true);
    assert.equal(m.attend(inputs(q, k, v, { causal: true })).weights, null);
    const weights = m.attend(inputs(q, k, v, { causal: true, needWeights: true })).weights!;
    assert.deepEqual(weights.shape, [1, 2, 8, 8]);
    const w = weights.toArray();
    const pattern = m.pattern(8, 8, true);
    for (let r = 0; r < 16; r++) {
      const i = r % 8;
      const keys = new Set(pattern.indices.subarray(pattern.offsets[i], pattern.offsets[i + 1]));
      const row = w.slice(r * 8, r * 8 + 8);
      assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-5, `${spec.kind} row ${r} sums to 1`);
      row.forEach((p, j) => assert.equal(p > 0, keys.has(j), `${spec.kind} row ${r} key ${j}`));
    }
  }
});

test('padded keys get no weight', () => {
  const rng = new Rng(4);
  const [q, k, v] = qkv(rng, 2, 2, 6, 6, 3);
  const keyPadding = Tensor.from(Int32Array.from([1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1]), [2, 6]);
  for (const spec of SPECS) {
    const w = mechanism(spec)
      .attend(inputs(q, k, v, { keyPadding, needWeights: true }))
      .weights!.toArray();
    for (let r = 0; r < 24; r++) {
      const b = Math.floor(r / 12);
      for (let j = 0; j < 6; j++) if (keyPadding.toArray()[b * 6 + j] === 0) assert.equal(w[r * 6 + j], 0);
    }
  }
});

test('attention dropout is refused while training, ignored otherwise', () => {
  const [q, k, v] = qkv(new Rng(5), 1, 1, 3, 3, 2);
  const m = mechanism({ kind: 'strided', stride: 2 });
  assert.throws(
    () => m.attend(inputs(q, k, v, { dropout: 0.1, training: true })),
    /sparse attention kinds do not apply attention dropout/,
  );
  assert.deepEqual(
    m.attend(inputs(q, k, v, { dropout: 0.1, training: false })).output.toArray(),
    m.attend(inputs(q, k, v)).output.toArray(),
  );
});

test('gradient check for every sparse kind, causal and not, with padding', () => {
  const keyPadding = Tensor.from(Int32Array.from([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]), [2, 6]);
  for (const spec of SPECS) {
    for (const causal of [false, true]) {
      const m = mechanism(spec, causal);
      gradcheck(
        `${spec.kind} causal ${causal}`,
        (q, k, v) => m.attend(inputs(q, k, v, { causal, keyPadding })).output,
        [input([2, 2, 6, 3], 1), input([2, 2, 6, 3], 2), input([2, 2, 6, 3], 3)],
      );
    }
  }
});
