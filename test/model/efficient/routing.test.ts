// Routing attention: the pattern keeps each query to its cluster and its own position (causal and
// padding respected); one cluster is full attention; the centroids move only while training and
// stay on the unit sphere; gradients match finite differences.

import test from 'node:test';
import assert from 'node:assert/strict';

import { withBackend } from '../../../src/backend/registry.js';
import { FullAttention } from '../../../src/model/efficient/full.js';
import type { AttendInputs } from '../../../src/model/efficient/mechanism.js';
import { RoutingAttention, routingPattern } from '../../../src/model/efficient/routing.js';
import * as T from '../../../src/tensor/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { gradcheck, input } from '../../helpers/gradcheck.js';

function inputs(q: Tensor, k: Tensor, v: Tensor, over: Partial<AttendInputs> = {}): AttendInputs {
  return { q, k, v, keyPadding: null, causal: false, dropout: 0, training: false, needWeights: false, ...over };
}

const close = (a: Tensor, b: Tensor, tolerance: number) => {
  const [x, y] = [a.toArray(), b.toArray()];
  x.forEach((value, i) => assert.ok(Math.abs(value - y[i]) <= tolerance, `${i}: ${value} vs ${y[i]}`));
};

function rows(p: ReturnType<typeof routingPattern>, group: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < p.rows; r++) {
    const at = group * (p.rows + 1) + r;
    out.push([...p.indices.subarray(p.offsets[at], p.offsets[at + 1])]);
  }
  return out;
}

test('each query sees its cluster and itself, in order; causal and padding respected', () => {
  const clusters = Int32Array.from([0, 1, 0, 1, 1]); // queries and keys of one (batch, head)
  const free = routingPattern(clusters, clusters, { B: 1, h: 1, Tq: 5, Tk: 5, causal: false, padding: null });
  assert.deepEqual(rows(free, 0), [
    [0, 2],
    [1, 3, 4],
    [0, 2],
    [1, 3, 4],
    [1, 3, 4],
  ]);
  const causal = routingPattern(clusters, clusters, { B: 1, h: 1, Tq: 5, Tk: 5, causal: true, padding: null });
  assert.deepEqual(rows(causal, 0), [[0], [1], [0, 2], [1, 3], [1, 3, 4]]);
  const padded = routingPattern(clusters, clusters, {
    B: 1,
    h: 1,
    Tq: 5,
    Tk: 5,
    causal: false,
    padding: Int32Array.from([1, 1, 1, 0, 1]),
  });
  assert.deepEqual(rows(padded, 0), [
    [0, 2],
    [1, 4],
    [0, 2],
    [1, 4],
    [1, 4],
  ]);
  // A query in a cluster without keys still sees its own position; a decoding step sits at the end.
  const step = routingPattern(Int32Array.from([1]), Int32Array.from([0, 0, 1, 0]), {
    B: 1,
    h: 1,
    Tq: 1,
    Tk: 4,
    causal: true,
    padding: null,
  });
  assert.deepEqual(rows(step, 0), [[2, 3]]);
});

test('one cluster is full attention, with padding, causal and a decoding step', () => {
  const routing = new RoutingAttention(
    { kind: 'routing', clusters: 1 },
    { dModel: 8, h: 2, maxLength: 32, causal: true },
  );
  const [q, k, v] = [T.randn([2, 2, 6, 4]), T.randn([2, 2, 6, 4]), T.randn([2, 2, 6, 4])];
  const padding = Tensor.from(Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]), [2, 6]);
  const full = new FullAttention();
  for (const over of [{}, { causal: true }, { causal: true, keyPadding: padding }, { keyPadding: padding }]) {
    const mine = routing.attend(inputs(q, k, v, { ...over, needWeights: true }));
    const want = full.attend(inputs(q, k, v, { ...over, needWeights: true }));
    // Padded queries differ (full attention still spreads them over real keys), so compare real rows.
    close(T.slice(mine.output, 2, 0, 4), T.slice(want.output, 2, 0, 4), 1e-5);
    close(T.slice(mine.weights!, 2, 0, 4), T.slice(want.weights!, 2, 0, 4), 1e-5);
  }
  const step = routing.attend(inputs(T.slice(q, 2, 5, 6), k, v, { causal: true })).output;
  close(step, T.slice(full.attend(inputs(q, k, v, { causal: true })).output, 2, 5, 6), 1e-5);
});

test('the centroids learn only while training and stay unit vectors', () => {
  const routing = new RoutingAttention(
    { kind: 'routing', clusters: 3 },
    { dModel: 8, h: 2, maxLength: 32, causal: false },
  );
  const before = routing.centroids.toArray();
  const [q, k, v] = [T.randn([1, 2, 8, 4]), T.randn([1, 2, 8, 4]), T.randn([1, 2, 8, 4])];
  routing.attend(inputs(q, k, v));
  assert.deepEqual(routing.centroids.toArray(), before, 'evaluation leaves them');
  routing.attend(inputs(q, k, v, { training: true }));
  const after = routing.centroids.toArray();
  assert.notDeepEqual(after, before);
  for (let c = 0; c < 6; c++) {
    const norm = Math.hypot(...after.slice(c * 4, c * 4 + 4));
    assert.ok(Math.abs(norm - 1) < 1e-5, `centroid ${c} has norm ${norm}`);
  }
});

test('gradients of queries, keys and values match finite differences', () => {
  withBackend('js', () => {
    const routing = new RoutingAttention(
      { kind: 'routing', clusters: 2 },
      { dModel: 6, h: 2, maxLength: 16, causal: true, dtype: 'float64' },
    );
    const pad = Tensor.from(Int32Array.from([1, 1, 1, 1, 1, 1, 1, 0]), [2, 4]);
    gradcheck('routing', (q, k, v) => routing.attend(inputs(q, k, v, { keyPadding: pad, causal: true })).output, [
      input([2, 2, 4, 3], 1),
      input([2, 2, 4, 3], 2),
      input([2, 2, 4, 3], 3),
    ]);
  });
});
