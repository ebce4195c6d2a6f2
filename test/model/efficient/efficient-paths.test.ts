// The efficient paths of three kinds against their dense references (references.ts) on the same
// inputs: adaptive span on a band, balanced routing on dense blocks, and linear attention decoding
// over a running state; outputs and every gradient, the span's by finite differences as well.

import test from 'node:test';
import assert from 'node:assert/strict';

import { withBackend } from '../../../src/backend/registry.js';
import { AdaptiveSpanAttention, blockSize } from '../../../src/model/efficient/adaptive-span.js';
import { LinearAttention } from '../../../src/model/efficient/linear.js';
import { RoutingAttention } from '../../../src/model/efficient/routing.js';
import { balancedClusters, similarities } from '../../../src/model/efficient/routing-balanced.js';
import { DenseAdaptiveSpanAttention, DenseRoutingAttention } from '../../../src/model/efficient/references.js';
import type { AttendInputs, AttentionMechanism, DecodingState } from '../../../src/model/efficient/mechanism.js';
import { createModel, makeConfig } from '../../../src/model/index.js';
import type { DecoderOnly } from '../../../src/model/decoder-only.js';
import { KVCache } from '../../../src/model/attention.js';
import { reorderLanguageModel } from '../../../src/decode/rows.js';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { gradcheck, input } from '../../helpers/gradcheck.js';
import { assertClose, attendInputs, normal, padding, qkv } from '../../helpers/attention-loops.js';

/**
 * Output and the gradients of q, k, v and the mechanism's parameters from a weighted sum of it; with
 * `realOnly`, padding queries (arbitrary in both forms) get no weight in the sum.
 */
function outputAndGradients(m: AttentionMechanism, x: AttendInputs, realOnly = false): number[][] {
  const inputs = [x.q, x.k, x.v, ...m.parameters()];
  for (const t of inputs) t.grad = null;
  const { output, weights } = m.attend(x);
  let probe = normal([...output.shape], 99);
  if (realOnly && x.keyPadding !== null) {
    const [B, n] = x.keyPadding.shape;
    const real = Tensor.from(Float64Array.from(x.keyPadding.toArray()), [B, 1, n, 1]);
    probe = T.noGrad(() => T.mul(probe, real));
  }
  T.backward(
    T.sum(
      T.mul(
        output,
        T.noGrad(() => T.mulScalar(probe, 1)),
      ),
    ),
  );
  return [
    output.toArray(),
    ...(weights === null ? [] : [weights.toArray()]),
    ...inputs.map((t) => t.grad?.toArray() ?? []),
  ];
}

function spans(
  ratios: number[],
  maxSpan: number,
  ramp: number,
  causal: boolean,
  dtype: 'float32' | 'float64' = 'float64',
) {
  const context = { dModel: 3 * ratios.length, h: ratios.length, maxLength: 128, causal, dtype };
  const spec = { kind: 'adaptive-span' as const, maxSpan, spanRamp: ramp, spanPenalty: 0 };
  const [band, dense] = [new AdaptiveSpanAttention(spec, context), new DenseAdaptiveSpanAttention(spec, context)];
  for (const m of [band, dense]) m.ratio.dense().set(ratios);
  return { band, dense };
}

test('adaptive span: the band equals the dense soft mask, outputs, weights and gradients (spans included)', () => {
  withBackend('js', () => {
    const { band, dense } = spans([0.3, 0.55], 20, 4, true); // spans 6 and 11: a band of 15, 5 blocks of 32
    assert.equal(band.band(), 15);
    for (const causal of [false, true]) assert.equal(blockSize(130, 130, 15, causal), 32, 'in windows, not one');
    const keyPadding = padding([130, 121], 130);
    for (const over of [{}, { causal: true }, { keyPadding }, { keyPadding, causal: true }]) {
      const [q, k, v] = qkv([2, 2, 130, 130, 3, 3], 'float64', 5);
      const x = attendInputs(q, k, v, { ...over, needWeights: true });
      const [mine, want] = [outputAndGradients(band, x), outputAndGradients(dense, x)];
      // Not to 1e-9: the dense form's 1e-8 guard on the renormalisation sees smaller sums (padding rows).
      mine.forEach((values, i) => assertClose(values, want[i], 1e-5, `${JSON.stringify(Object.keys(over))} ${i}`));
    }
    // A decoding call: the last 5 queries over 130 keys.
    const [q, k, v] = qkv([2, 2, 5, 130, 3, 3], 'float64', 8);
    const x = attendInputs(q, k, v, { causal: true });
    const [mine, want] = [outputAndGradients(band, x), outputAndGradients(dense, x)];
    mine.forEach((values, i) => assertClose(values, want[i], 1e-5, `step ${i}`));
  });
});

test('adaptive span: gradients through the band match finite differences, spans and queries', () => {
  withBackend('js', () => {
    const { band } = spans([0.33, 0.52], 10, 4, true); // spans 3.3 and 5.2: no distance on a kink
    assert.equal(blockSize(80, 80, band.band(), true), 32);
    const keyPadding = padding([75], 80);
    const [k, v] = [input([1, 2, 80, 2], 2), input([1, 2, 80, 2], 3)].map((t) => t.requireGrad(false));
    gradcheck('band', (q) => band.attend(attendInputs(q, k, v, { causal: true, keyPadding })).output, [
      input([1, 2, 80, 2], 1),
      band.ratio,
    ]);
  });
});

test('adaptive span: nothing of size T x T is built, forward or backward: n times the window at most', () => {
  const Tn = 512;
  const { band } = spans([0.5], 16, 4, false, 'float32');
  const [q, k, v] = qkv([1, 1, Tn, Tn, 2, 2], 'float32');
  [q, k, v].forEach((t) => t.requireGrad());
  const empty = Tensor.empty;
  let largest = 0;
  Tensor.empty = (shape, dtype) => {
    largest = Math.max(
      largest,
      shape.reduce((a, b) => a * b, 1),
    );
    return empty(shape, dtype);
  };
  try {
    for (const causal of [false, true]) T.backward(T.sum(band.attend(attendInputs(q, k, v, { causal })).output));
  } finally {
    Tensor.empty = empty;
  }
  // Band 12 (span 8 + ramp 4), blocks of 32: each query scores a window of 32 + 2 * 12 keys.
  assert.ok(largest > 0 && largest <= Tn * (32 + 2 * 12), `the largest tensor has ${largest} elements`);
});

test('balanced routing: every cluster takes the same number of tokens, padding none', () => {
  const [n, dK, clusters] = [24, 3, 4];
  const similarity = similarities(normal([2, 1, n, dK], 3), normal([1, clusters, dK], 4));
  const skip = (g: number, t: number) => g === 1 && t >= 16;
  const assigned = balancedClusters(similarity, { groups: 2, length: n, clusters, skip });
  const sizes = (g: number) =>
    [0, 1, 2, 3].map((c) => assigned.subarray(g * n, g * n + n).filter((x) => x === c).length);
  assert.deepEqual(sizes(0), [6, 6, 6, 6]);
  assert.deepEqual(sizes(1), [4, 4, 4, 4]);
  assert.ok(assigned.subarray(n + 16, 2 * n).every((c) => c === -1));
});

test('balanced routing: dense blocks equal full attention under the same cluster mask, with gradients', () => {
  withBackend('js', () => {
    const context = { dModel: 6, h: 2, maxLength: 32, causal: false, dtype: 'float64' as const };
    const spec = { kind: 'routing' as const, clusters: 3 };
    const [blocks, dense] = [new RoutingAttention(spec, context), new DenseRoutingAttention(spec, context)];
    dense.centroids.dense().set(blocks.centroids.dense());
    const keyPadding = padding([17, 11], 17);
    for (const over of [{}, { keyPadding }]) {
      const [q, k, v] = qkv([2, 2, 17, 17, 3, 3], 'float64', 21);
      const x = attendInputs(q, k, v, { ...over, needWeights: true });
      assert.ok(blocks.isBalanced(x));
      const [mine, want] = [outputAndGradients(blocks, x, true), outputAndGradients(dense, x, true)];
      // A padding query's output is arbitrary in both: compare the real rows of the output and weights.
      const real = (values: number[], width: number) =>
        values.filter(
          (_, i) => over.keyPadding === undefined || Math.floor(i / width) % 17 < (i < values.length / 2 ? 17 : 11),
        );
      assertClose(real(mine[0], 3), real(want[0], 3), 1e-9, 'output');
      assertClose(real(mine[1], 17), real(want[1], 17), 1e-9, 'weights');
      mine.slice(2).forEach((values, i) => assertClose(values, want[i + 2], 1e-9, `gradient ${i}`));
    }
  });
});

test('linear: decoding over the running state equals the full causal pass, in pieces of any size', () => {
  withBackend('js', () => {
    const linear = new LinearAttention({ kind: 'linear' }, { dModel: 8, h: 2, maxLength: 64, causal: true });
    const [q, k, v] = qkv([2, 2, 11, 11, 4, 4], 'float64', 31);
    const keyPadding = padding([11, 8], 11);
    const full = linear.attend(attendInputs(q, k, v, { causal: true, keyPadding })).output.toArray();
    let state: DecodingState | null = null;
    const pieces: number[][] = [];
    const sizes: number[][] = [];
    for (const [s, e] of [
      [0, 1],
      [1, 2],
      [2, 5],
      [5, 6],
      [6, 11],
    ]) {
      const part = (t: Tensor) => T.slice(t, 2, s, e);
      const x = attendInputs(part(q), part(k), part(v), { causal: true, keyPadding: T.slice(keyPadding, 1, s, e) });
      const step = linear.attendStep(x, state);
      state = step.state;
      sizes.push(state.map((t) => t.size));
      pieces.push(T.contiguous(step.output).toArray());
    }
    const perRow = (values: number[], length: number) => (b: number, head: number) =>
      values.slice((b * 2 + head) * length * 4, ((b * 2 + head) * length + length) * 4);
    const widths = [1, 1, 3, 1, 5];
    for (let b = 0; b < 2; b++)
      for (let head = 0; head < 2; head++) {
        const stepped = pieces.flatMap((p, i) => perRow(p, widths[i])(b, head));
        assertClose(stepped, perRow(full, 11)(b, head), 1e-12, `row ${b}, head ${head}`);
      }
    assert.ok(
      sizes.every((s) => s.join() === '64,16'),
      `state sizes ${JSON.stringify(sizes)}`,
    );
  });
});

test('linear: a language model decodes on a constant-size state, one token at a time, as its full pass', () => {
  T.manualSeed(3);
  const config = makeConfig('tiny', { kind: 'decoder-only', attention: { kind: 'linear' }, maxLength: 32 });
  const model = createModel(config).eval() as DecoderOnly;
  const tokens = [1, 5, 9, 4, 7, 3, 8, 2, 6, 5, 4, 9];
  const ids = Tensor.from(Int32Array.from(tokens), [1, tokens.length]);
  const full = T.noGrad(() => model.forward(ids)).toArray(); // (1, T, V)
  const V = full.length / tokens.length;
  const state = model.startDecoding();
  const held: number[] = [];
  T.noGrad(() =>
    tokens.forEach((token, t) => {
      const logits = model.step(state, Tensor.from(Int32Array.from([token]), [1, 1])).toArray();
      assertClose(logits, full.slice(t * V, (t + 1) * V), 1e-4, `position ${t}`);
      const cache = state.caches[0];
      assert.ok(cache instanceof KVCache, 'a linear layer keeps the growing cache');
      assert.equal(cache.k, null, 'no keys are kept');
      assert.equal(cache.length, t + 1);
      held.push(cache.state!.reduce((bytes, s) => bytes + s.size, 0));
    }),
  );
  assert.ok(
    held.every((n) => n === held[0]),
    `state sizes per step: ${held}`,
  );
  model.endDecoding(state);
});

test('linear: reordering the decoding rows (beam search) gathers the running state', () => {
  T.manualSeed(4);
  const config = makeConfig('tiny', { kind: 'decoder-only', attention: { kind: 'linear' }, maxLength: 32 });
  const model = createModel(config).eval() as DecoderOnly;
  const prompt = Tensor.from(Int32Array.from([1, 5, 9, 1, 7, 3]), [2, 3]);
  const next = Tensor.from(Int32Array.from([4, 4]), [2, 1]);
  T.noGrad(() => {
    const state = model.startDecoding();
    model.step(state, prompt);
    reorderLanguageModel(state, Int32Array.from([1, 1]), 2);
    const logits = model.step(state, next).toArray();
    const alone = model.forward(Tensor.from(Int32Array.from([1, 7, 3, 4]), [1, 4])).toArray();
    const V = logits.length / 2;
    assertClose(logits.slice(0, V), alone.slice(3 * V), 1e-4, 'row 0 continues sequence 1');
    assertClose(logits.slice(V), alone.slice(3 * V), 1e-4, 'row 1 continues sequence 1');
    model.endDecoding(state);
  });
});
