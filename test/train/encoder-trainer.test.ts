// The encoder-only tasks through the one training loop: a tiny classifier learns a trivial rule to 100%
// in seconds, a tagger learns a per-token rule, masked-LM's loss falls, and the run folder keeps the best
// validation score's weights and resumes.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IGNORE_LABEL, makeDataset } from '../../src/data/encoder-batches.js';
import { EncoderOnly, makeConfig } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Generator } from '../../src/tensor/random.js';
import { EncoderTrainer } from '../../src/train/encoder-trainer.js';
import { evaluateTask, type TaskSettings } from '../../src/train/encoder-tasks.js';
import { encoderTrainDefaults, type TrainOptions } from '../../src/train/options.js';

const options = (o: Partial<TrainOptions>): TrainOptions => ({
  ...encoderTrainDefaults,
  maxTokens: 256,
  schedule: { ...encoderTrainDefaults.schedule, kind: 'constant', lr: 3e-3, warmup: 10 },
  validEvery: 0,
  checkpointEvery: 0,
  weightDecay: 0,
  ...o,
});

function tempRun(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'encoder-trainer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** <s> (1) then 2-6 tokens from 5..12; the class is the first token's, mod 3. */
function firstTokenTask(n: number, seed: number) {
  const g = new Generator(seed);
  const inputs: number[][] = [];
  const labels: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = [1, ...Array.from({ length: 2 + (g.nextUint32() % 5) }, () => 5 + (g.nextUint32() % 8))];
    inputs.push(row);
    labels.push(Int32Array.of(row[1] % 3));
  }
  return makeDataset('sequence', inputs, labels);
}

function tinyEncoder(head: 'sequence-classification' | 'token-classification' | 'masked-lm', numLabels = 3) {
  T.manualSeed(5);
  const config = makeConfig('tiny', { kind: 'encoder-only', head, numLabels, dModel: 32, dFF: 64, pDrop: 0 });
  return new EncoderOnly(config);
}

const settings = (task: TaskSettings['task'], numLabels = 3): TaskSettings => ({
  task,
  padId: 0,
  numLabels,
  outsideId: -1,
  masking: task === 'mlm' ? { maskId: 4, firstOrdinaryId: 5, vocabSize: 13, probability: 0.15 } : null,
});

test('a tiny classifier learns "the class of the first token" to 100% and keeps its best weights', async (t) => {
  const run = tempRun(t);
  const train = firstTokenTask(192, 1);
  const valid = firstTokenTask(48, 2);
  const model = tinyEncoder('sequence-classification');
  const s = settings('classify');
  const seen: number[] = [];
  const trainer = new EncoderTrainer(model, train, valid, run, options({ steps: 200, validEvery: 50 }), s, {
    onValidation: (_step, v) => seen.push(v.metrics.accuracy),
  });
  const { state } = await trainer.run();
  assert.equal(state.step, 200);
  assert.equal(evaluateTask(model, valid, s, 256).metrics.accuracy, 1, `validation accuracies ${seen}`);
  assert.equal(seen.at(-1), 1);
  assert.ok(existsSync(join(run, 'model.safetensors')));
  assert.equal(state.best?.score, 1);
});

test('a tagger learns a per-token rule; masked-LM loss falls; a run resumes from its checkpoint', async (t) => {
  const g = new Generator(3);
  const inputs: number[][] = [];
  const labels: Int32Array[] = [];
  for (let i = 0; i < 64; i++) {
    const row = [1, ...Array.from({ length: 3 + (g.nextUint32() % 4) }, () => 5 + (g.nextUint32() % 8))];
    inputs.push(row);
    labels.push(Int32Array.from(row, (id, k) => (k === 0 ? IGNORE_LABEL : id % 2)));
  }
  const tags = makeDataset('token', inputs, labels);
  const tagger = tinyEncoder('token-classification', 2);
  const s = settings('tag', 2);
  await new EncoderTrainer(tagger, tags, tags, tempRun(t), options({ steps: 80 }), s).run();
  assert.equal(evaluateTask(tagger, tags, s, 256).metrics.accuracy, 1);

  const run = tempRun(t);
  const text = makeDataset('none', inputs, null);
  const m = settings('mlm');
  const lm = tinyEncoder('masked-lm');
  const before = evaluateTask(lm, text, m, 256).loss;
  await new EncoderTrainer(lm, text, text, run, options({ steps: 40, checkpointEvery: 20 }), m).run();
  const after = evaluateTask(lm, text, m, 256).loss;
  assert.ok(after < before - 0.3, `masked-LM loss ${before} -> ${after}`);
  const again = new EncoderTrainer(tinyEncoder('masked-lm'), text, text, run, options({ steps: 45 }), m);
  const { state } = await again.run();
  assert.equal(state.step, 45, 'resumed at step 40 and made 5 more updates');
});
