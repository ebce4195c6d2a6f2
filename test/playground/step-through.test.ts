// The step-through's hand arithmetic against the model: its softmax weights are the attention weights
// the model computes for the same sentence (layer 0, every head, encoder and causal decoder), and its
// scores follow QKᵀ/√d_k, the mask and softmax row by row.

import test from 'node:test';
import assert from 'node:assert/strict';

import { attentionSnapshot, positionalMatrix, stepThrough } from '../../web/playground/insight.js';
import { TrainingSession, defaultTraining } from '../../web/playground/session.js';
import { stepThroughHead } from '../../web/playground/step-through.js';
import { makePlaygroundTask } from '../../web/playground/tasks.js';
import { sinusoidTable } from '../../src/model/embeddings.js';

const task = makePlaygroundTask({ kind: 'builtin', seed: 2, train: 300, valid: 4 });
const session = new TrainingSession(task, { ...defaultTraining, size: 'tiny', vocabSize: 400, maxTokens: 600 });
for (let i = 0; i < 5; i++) session.update(); // weights that are not their initial values
const sentence = task.test.source[0];

test("the step-through's weights are the model's own attention weights, head by head", () => {
  const snapshot = attentionSnapshot(session.model, session.tokenizer, sentence);
  for (const stack of ['encoder', 'decoder'] as const) {
    const layer = snapshot.layers.find((l) => l.stack === stack && l.layer === 0)!;
    for (let head = 0; head < layer.heads; head++) {
      const s = stepThrough(session.model, session.tokenizer, sentence, stack, head);
      assert.equal(s.weights.rows, layer.queries);
      assert.equal(s.weights.cols, layer.keys);
      const size = layer.queries * layer.keys;
      const model = layer.values.subarray(head * size, (head + 1) * size);
      const worst = Math.max(...s.weights.values.map((w, i) => Math.abs(w - model[i])));
      assert.ok(worst < 1e-5, `${stack} head ${head}: differs by ${worst}`);
      assert.deepEqual(s.tokens, stack === 'encoder' ? snapshot.sourceTokens : snapshot.targetTokens);
    }
  }
});

test('X is the scaled embeddings plus the positional encodings the model adds', () => {
  const s = stepThrough(session.model, session.tokenizer, sentence, 'encoder', 0);
  const d = session.config.dModel;
  const table = sinusoidTable(s.tokens.length, d, false);
  s.positions.values.forEach((p, i) => assert.ok(Math.abs(p - table[i]) < 1e-6));
  s.x.values.forEach((x, i) => assert.ok(Math.abs(x - (s.embeddings.values[i] + s.positions.values[i])) < 1e-5));
  assert.deepEqual(positionalMatrix(session.model, 3).values, table.subarray(0, 3 * d));
});

test('scores, mask, softmax and the weighted sum by hand on a 3-token example', () => {
  // d = 2, one head: W_Q = W_K = W_V = identity, no bias; X rows e1, e2, e1 + e2.
  const eye = new Float32Array([1, 0, 0, 1]);
  const weight = new Float32Array([...eye, ...eye, ...eye]);
  const x = { rows: 3, cols: 2, values: new Float32Array([1, 0, 0, 1, 1, 1]) };
  const s = stepThroughHead({ x, weight, bias: null, heads: 1, head: 0, causal: true });
  const r = Math.SQRT1_2;
  assert.deepEqual(
    Array.from(s.scores.values).map((v) => +v.toFixed(6)),
    [r, 0, r, 0, r, r, r, r, 2 * r].map((v) => +v.toFixed(6)),
  );
  assert.deepEqual(Array.from(s.mask.values), [1, 0, 0, 1, 1, 0, 1, 1, 1]);
  // Row 1 (query e2) sees keys 0 and 1 only, with scores 0 and 1/√2.
  const e = Math.exp(r);
  assert.ok(Math.abs(s.weights.values[3] - 1 / (1 + e)) < 1e-6);
  assert.ok(Math.abs(s.weights.values[4] - e / (1 + e)) < 1e-6);
  assert.equal(s.weights.values[5], 0);
  assert.equal(s.weights.values[0], 1);
  // The output of row 0 is V's row 0; of row 1, the weighted mix of V's rows 0 and 1.
  assert.deepEqual(Array.from(s.output.values.subarray(0, 2)), [1, 0]);
  assert.ok(Math.abs(s.output.values[2] - 1 / (1 + e)) < 1e-6);
  assert.ok(Math.abs(s.output.values[3] - e / (1 + e)) < 1e-6);
});
