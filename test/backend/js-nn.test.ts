// The js reference backend's fused network kernels (cross-entropy, attention, Adam), each against
// a composition of simple steps written out here.

import test from 'node:test';
import assert from 'node:assert/strict';
import { dropoutParams } from '../../src/backend/backend.js';
import { jsBackend as js } from '../../src/backend/js/index.js';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i]));
    assert.ok(ok, `element ${i}: ${actual[i]} vs expected ${expected[i]}`);
  }
}

const softmaxOf = (row: number[]): number[] => {
  const e = row.map((t) => Math.exp(t));
  const sum = e.reduce((s, t) => s + t, 0);
  return e.map((t) => t / sum);
};

test('crossEntropy: -log softmax[t] without smoothing, PyTorch smoothing, ignored rows 0', () => {
  const rows = 3,
    V = 4;
  const logits = Float64Array.from([0.5, -1, 2, 0.1, 3, 3, -2, 0, 1, 1, 1, 1]);
  const targets = Int32Array.from([2, 0, -100]);
  const loss = new Float64Array(rows);
  const lse = new Float64Array(rows);
  const rowOf = (r: number): number[] => [...logits.subarray(r * V, (r + 1) * V)];

  js.crossEntropy(loss, lse, logits, targets, rows, V, 0, -100);
  for (let r = 0; r < 2; r++) assertClose([loss[r]], [-Math.log(softmaxOf(rowOf(r))[targets[r]])]);
  assert.equal(loss[2], 0);
  assertClose([lse[0]], [Math.log(rowOf(0).reduce((s, t) => s + Math.exp(t), 0))]);

  // PyTorch: loss = -sum_c q_c log p_c with q = (1 - eps) onehot(t) + eps / V.
  const eps = 0.1;
  js.crossEntropy(loss, lse, logits, targets, rows, V, eps, -100);
  for (let r = 0; r < 2; r++) {
    const p = softmaxOf(rowOf(r));
    const expected = -p.reduce((s, pc, c) => s + ((c === targets[r] ? 1 - eps : 0) + eps / V) * Math.log(pc), 0);
    assertClose([loss[r]], [expected]);
  }
  assert.equal(loss[2], 0);

  const dlogits = new Float64Array(rows * V).fill(7);
  js.crossEntropyBackward(dlogits, logits, lse, targets, Float64Array.from([1, 2, 3]), rows, V, eps, -100);
  assert.deepEqual([...dlogits.subarray(2 * V)], [0, 0, 0, 0]);
  const p1 = softmaxOf(rowOf(1));
  assertClose(
    dlogits.subarray(V, 2 * V),
    p1.map((pc, c) => 2 * (pc - (c === 0 ? 1 - eps : 0) - eps / V)),
  );
});

test('crossEntropy: a -inf logit (masked vocabulary) gives a finite loss without smoothing', () => {
  const loss = new Float64Array(1);
  js.crossEntropy(loss, new Float64Array(1), Float64Array.from([0, -Infinity, 0]), Int32Array.from([0]), 1, 3, 0, -1);
  assertClose(loss, [Math.log(2)]);
});

interface AttentionCase {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  Dv: number;
  causal: boolean;
  mask: Float64Array | null;
  maskStrides: Int32Array | null;
}

/** softmax(scale Q K^T + mask) V for one (b, h), computed by materialising S as arrays of rows. */
function referenceAttention(c: AttentionCase, q: Float64Array, k: Float64Array, v: Float64Array, scale: number) {
  const P: number[][][] = [];
  const out: number[][][] = [];
  for (let bh = 0; bh < c.B * c.H; bh++) {
    const [b, h] = [Math.floor(bh / c.H), bh % c.H];
    const [mB, mH, mQ, mK] = c.maskStrides ?? [0, 0, 0, 0];
    const Pbh = Array.from({ length: c.Tq }, (_, i) => {
      const S = Array.from({ length: c.Tk }, (_, j) => {
        if (c.causal && j - i > c.Tk - c.Tq) return -Infinity;
        let s = 0;
        for (let d = 0; d < c.D; d++) s += q[(bh * c.Tq + i) * c.D + d] * k[(bh * c.Tk + j) * c.D + d];
        return scale * s + (c.mask ? c.mask[b * mB + h * mH + i * mQ + j * mK] : 0);
      });
      return S.every((s) => s === -Infinity) ? S.map(() => 0) : softmaxOf(S.map((s) => s - Math.max(...S)));
    });
    P.push(Pbh);
    out.push(
      Pbh.map((row) =>
        Array.from({ length: c.Dv }, (_, e) => row.reduce((s, p, j) => s + p * v[(bh * c.Tk + j) * c.Dv + e], 0)),
      ),
    );
  }
  return { P: P.flat(2), out: out.flat(2) };
}

function runAttention(c: AttentionCase, threshold = 0, dropScale = 1, seed = 0) {
  const rnd = random(c.Tq * 31 + c.Tk);
  const q = Float64Array.from({ length: c.B * c.H * c.Tq * c.D }, rnd);
  const k = Float64Array.from({ length: c.B * c.H * c.Tk * c.D }, rnd);
  const v = Float64Array.from({ length: c.B * c.H * c.Tk * c.Dv }, rnd);
  const out = new Float64Array(c.B * c.H * c.Tq * c.Dv).fill(NaN);
  const weights = new Float64Array(c.B * c.H * c.Tq * c.Tk).fill(NaN);
  const scale = 1 / Math.sqrt(c.D);
  const { B, H, Tq, Tk, D, Dv } = c;
  js.attention(
    out,
    weights,
    q,
    k,
    v,
    { B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed },
    c.causal,
    c.mask,
    c.maskStrides,
  );
  return { q, k, v, out, weights, reference: referenceAttention(c, q, k, v, scale) };
}

test('attention: equals softmax(Q K^T scale + mask) V with a head-broadcast mask', () => {
  const B = 2,
    Tq = 3,
    Tk = 4;
  // (B, 1, 1, Tk) key-padding mask: batch 1 cannot see its last key.
  const mask = Float64Array.from([0, 0, 0, 0, 0, 0, -0.5, -Infinity]);
  const c = {
    B,
    H: 2,
    Tq,
    Tk,
    D: 5,
    Dv: 3,
    causal: false,
    mask,
    maskStrides: Int32Array.from([Tk, 0, 0, 1]),
  };
  const { out, weights, reference } = runAttention(c);
  assertClose(weights, reference.P);
  assertClose(out, reference.out);
  assert.equal(weights[(1 * 2 * Tq + 0) * Tk + 3], 0); // the masked key gets no weight
});

test('attention: causal mask is bottom-right aligned; fully masked rows give P = 0 and output 0', () => {
  const c = { B: 1, H: 2, Tq: 4, Tk: 3, D: 2, Dv: 2, causal: true, mask: null, maskStrides: null };
  const { out, weights, reference } = runAttention(c);
  assertClose(weights, reference.P);
  assertClose(out, reference.out);
  // Tq > Tk: query 0 sits before every key, so its row is empty; query 3 sees all keys.
  assert.deepEqual([...weights.subarray(0, 3)], [0, 0, 0]);
  assert.deepEqual([...out.subarray(0, 2)], [0, 0]);
  assert.deepEqual(
    [...weights.subarray(3, 6)].map((p) => p > 0),
    [true, false, false],
  );
  assert.ok(weights.subarray(9, 12).every((p) => p > 0));
});

test('attention: dropout on P uses the dropout kernel with offset ((b H + h) Tq + i) Tk + j', () => {
  const c = { B: 2, H: 2, Tq: 5, Tk: 6, D: 3, Dv: 4, causal: false, mask: null, maskStrides: null };
  const { threshold, scale } = dropoutParams(0.4);
  const { v, out, weights } = runAttention(c, threshold, scale, 1234);
  const dropped = new Float64Array(weights.length);
  js.dropout(dropped, weights, weights.length, threshold, scale, 1234, 0);
  assert.ok(
    dropped.some((p, i) => p === 0 && weights[i] !== 0),
    'some weights were dropped',
  );
  const expected = new Float64Array(out.length);
  js.gemm(false, false, c.Tq, c.Dv, c.Tk, 1, dropped, c.Tq * c.Tk, v, c.Tk * c.Dv, 0, expected, c.Tq * c.Dv, c.B * c.H);
  assertClose(out, expected);
});

test('adam: one Adam (L2) and one AdamW (decoupled) step equal the hand formulas', () => {
  const [lr, beta1, beta2, eps, wd, t] = [1e-2, 0.9, 0.98, 1e-8, 0.1, 3];
  const bc1 = 1 - beta1 ** t,
    bc2 = 1 - beta2 ** t;
  for (const decoupled of [false, true]) {
    const p0 = [0.5, -1.5, 2, 0],
      g0 = [0.1, 0.2, -0.3, 1],
      m0 = [0.01, 0, -0.02, 0.5],
      v0 = [1e-3, 0, 2e-3, 0.1];
    const param = Float32Array.from(p0),
      grad = Float32Array.from(g0);
    const m = Float32Array.from(m0),
      v = Float32Array.from(v0);
    js.adam(param, grad, m, v, 4, {
      lr,
      beta1,
      beta2,
      eps,
      weightDecay: wd,
      decoupled,
      biasCorrection1: bc1,
      biasCorrection2: bc2,
    });
    for (let i = 0; i < 4; i++) {
      const p32 = Math.fround(p0[i]),
        g32 = Math.fround(g0[i]);
      const g = decoupled ? g32 : g32 + wd * p32;
      const mi = beta1 * Math.fround(m0[i]) + (1 - beta1) * g;
      const vi = beta2 * Math.fround(v0[i]) + (1 - beta2) * g * g;
      const decayed = decoupled ? p32 * (1 - lr * wd) : p32;
      const expected = decayed - (lr * mi) / bc1 / (Math.sqrt(vi) / Math.sqrt(bc2) + eps);
      // Relative to float32 rounding of the stored results.
      for (const [actual, want] of [
        [m[i], mi],
        [v[i], vi],
        [param[i], expected],
      ]) {
        assert.ok(Math.abs(actual - want) <= 1e-6 * Math.abs(want), `${actual} vs ${want}`);
      }
    }
    assert.deepEqual([...grad], [...Float32Array.from(g0)], 'grad is left untouched');
  }
});
