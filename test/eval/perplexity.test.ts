// perplexity() against a hand computation: every id after the first is scored once, from the context its
// window gives it, by running the model on that context alone and taking a log-softmax in doubles here.

import test from 'node:test';
import assert from 'node:assert/strict';
import { perplexity, perplexityWindows } from '../../src/eval/perplexity.js';
import { createModel, makeConfig, type DecoderOnly } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

T.manualSeed(11);
const maxLength = 4;
const V = 7;
const model = createModel(
  makeConfig('tiny', { kind: 'decoder-only', encoderLayers: 0, vocabSize: V, maxLength, pDrop: 0 }),
).eval() as DecoderOnly;
const ids = [3, 5, 1, 6, 6, 2, 4, 0, 5, 3, 1]; // 11 ids: 10 scored

/** log p(ids[j] | context) from the model's last logits on the context alone. */
function logProbability(context: number[], next: number): number {
  const logits = T.noGrad(() => model.forward(Tensor.from(Int32Array.from(context), [1, context.length])).floats());
  const last = Array.from(logits.subarray((context.length - 1) * V, context.length * V), Number);
  const top = Math.max(...last);
  return last[next] - top - Math.log(last.reduce((s, x) => s + Math.exp(x - top), 0));
}

function byHand(contextStart: (j: number) => number): number {
  let nll = 0;
  for (let j = 1; j < ids.length; j++) nll -= logProbability(ids.slice(contextStart(j), j), ids[j]);
  return Math.exp(nll / (ids.length - 1));
}

test('stride = maxLength: id j reads the ids from the start of its window of 4', () => {
  // Windows read ids [0,4) [4,8) [6,10) and score ids 1-4, 5-8, 9-10: the last reaches back to read 4 ids.
  const expected = byHand((j) => (j <= 8 ? Math.floor((j - 1) / maxLength) * maxLength : 6));
  const got = perplexity(model, ids);
  assert.equal(got.scored, 10);
  assert.ok(Math.abs(got.perplexity - expected) < 1e-4 * expected, `${got.perplexity} vs ${expected}`);
  assert.ok(Math.abs(Math.exp(got.nll / 10) - got.perplexity) < 1e-9);
});

test('stride 1: every id reads the maxLength ids before it; batch size does not change the result', () => {
  const expected = byHand((j) => Math.max(0, j - maxLength));
  for (const batchSize of [1, 3, 8]) {
    const got = perplexity(model, ids, { stride: 1, batchSize });
    assert.ok(Math.abs(got.perplexity - expected) < 1e-4 * expected, `batch ${batchSize}: ${got.perplexity}`);
  }
  const middle = perplexity(model, ids, { stride: 2 });
  assert.ok(Number.isFinite(middle.perplexity) && middle.scored === 10);
});

test('the windows score each id once and never read more than maxLength ids', () => {
  for (const stride of [1, 2, 3, 4])
    for (const n of [2, 5, 11, 17]) {
      const windows = perplexityWindows(n, maxLength, stride);
      const scored = windows.flatMap((w) => Array.from({ length: w.end - w.from }, (_, k) => w.from + k));
      assert.deepEqual(
        scored,
        Array.from({ length: n - 1 }, (_, k) => k + 1),
      );
      for (const w of windows) assert.ok(w.end - 1 - w.begin <= maxLength && w.begin < w.from);
    }
  assert.throws(() => perplexityWindows(10, 4, 5), /stride must be an integer from 1 to maxLength 4/);
  assert.throws(() => perplexity(model, [3]), /at least 2 ids/);
});
