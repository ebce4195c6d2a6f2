// Linformer: identity projections give full attention; random ones match a loop reference; padded
// keys change nothing; gradients with respect to q, k, v, E and F.

import test from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { LinformerAttention, linformerAttention } from '../../../src/model/efficient/linformer.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import {
  appendPadding,
  appendPositions,
  assertClose,
  attendInputs,
  normal,
  onEveryBackend,
  padding,
  qkv,
  rows,
  softmaxAttentionLoops,
} from '../../helpers/attention-loops.js';
import * as T from '../../../src/tensor/index.js';

/** P[:, :Tk] x over the real keys, with loops: (B, h, k, d). */
function projectLoops(P: Tensor, x: Tensor, keyPadding: Tensor | null): Tensor {
  const [B, H, Tk, d] = x.shape;
  const [k, n] = P.shape;
  const p = P.toArray();
  const X = rows(x);
  const real = keyPadding?.toArray();
  const out: number[] = [];
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let r = 0; r < k; r++)
        for (let c = 0; c < d; c++) {
          let s = 0;
          for (let j = 0; j < Tk; j++)
            if (real === undefined || real[b * Tk + j] !== 0) s += p[r * n + j] * X(b, h, j)[c];
          out.push(s);
        }
  return T.tensor(out, [B, H, k, d], 'float64');
}

test('linformer: with projectedLength = n and E = F = I it is full attention, on every backend', () => {
  onEveryBackend((dtype, tol, backend) => {
    if (dtype === 'float64') return; // the mechanism's parameters are float32
    T.manualSeed(1);
    const mechanism = new LinformerAttention(
      { kind: 'linformer', projectedLength: 6 },
      { dModel: 8, h: 2, maxLength: 6, causal: false },
    );
    for (const P of [mechanism.E, mechanism.F]) P.dense().forEach((_, i, data) => (data[i] = i % 7 === 0 ? 1 : 0));
    const [q, k, v] = qkv([2, 2, 6, 6, 4, 4], dtype);
    const { output, weights } = mechanism.attend(attendInputs(q, k, v, { needWeights: true }));
    assert.equal(weights, null);
    assertClose(output.toArray(), softmaxAttentionLoops(q, k, v, null), tol, backend);
  });
});

test('linformer: random projections with padding match the loop reference; Tk below maxLength', () => {
  onEveryBackend((dtype, tol, backend) => {
    const [q, k, v] = qkv([2, 2, 3, 5, 3, 2], dtype, 5);
    const [E, F] = [normal([4, 7], 50, dtype, 0.5), normal([4, 7], 51, dtype, 0.5)];
    const keyPadding = padding([5, 2], 5);
    const { output } = linformerAttention(attendInputs(q, k, v, { keyPadding }), E, F);
    const expected = softmaxAttentionLoops(q, projectLoops(E, k, keyPadding), projectLoops(F, v, keyPadding), null);
    assertClose(output.toArray(), expected, tol, `${backend} ${dtype}`);
  });
});

test('linformer: padded keys change nothing', () => {
  onEveryBackend((dtype, tol) => {
    const [q, k, v] = qkv([2, 1, 4, 4, 3, 3], dtype, 8);
    const [E, F] = [normal([3, 8], 60, dtype, 0.5), normal([3, 8], 61, dtype, 0.5)];
    const keyPadding = padding([4, 2], 4);
    const plain = linformerAttention(attendInputs(q, k, v, { keyPadding }), E, F).output;
    const padded = linformerAttention(
      attendInputs(q, appendPositions(k, 4, 9), appendPositions(v, 4, 10), {
        keyPadding: appendPadding(keyPadding, 2, 4, 4),
      }),
      E,
      F,
    ).output;
    assertClose(padded.toArray(), plain.toArray(), tol, dtype);
  });
});

test('linformer: gradients with respect to q, k, v, E and F (float64, padded)', () => {
  const keyPadding = padding([5, 3], 5);
  gradcheck('linformer', (q, k, v, E, F) => linformerAttention(attendInputs(q, k, v, { keyPadding }), E, F).output, [
    ...qkv([2, 2, 3, 5, 3, 2], 'float64', 70),
    normal([3, 6], 71, 'float64', 0.5),
    normal([3, 6], 72, 'float64', 0.5),
  ]);
});

test('linformer: E and F are parameters; too many keys and causal use are errors', () => {
  const mechanism = new LinformerAttention(
    { kind: 'linformer', projectedLength: 3 },
    { dModel: 8, h: 2, maxLength: 5, causal: false },
  );
  assert.deepEqual(
    [...mechanism.namedParameters()].map(([name, p]) => [name, p.shape]),
    [
      ['E', [3, 5]],
      ['F', [3, 5]],
    ],
  );
  const [q, k, v] = qkv([1, 2, 6, 6, 4, 4], 'float32');
  assert.throws(() => mechanism.attend(attendInputs(q, k, v)), /maxLength/);
  const [q2, k2, v2] = qkv([1, 2, 4, 4, 4, 4], 'float32');
  assert.throws(() => mechanism.attend(attendInputs(q2, k2, v2, { causal: true })), /causal/);
  const trained = mechanism.attend(attendInputs(q2, k2, v2, { dropout: 0.5, training: true })).output;
  const evaluated = mechanism.attend(attendInputs(q2, k2, v2, { dropout: 0.5 })).output;
  assert.notDeepEqual(trained.toArray(), evaluated.toArray(), 'dropout applies while training');
});
