// The trainer: loss falls, checkpoints resume exactly, the NaN guard stops with a clear message.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFromIds } from '../../src/data/corpus.js';
import { Generator } from '../../src/tensor/random.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import { Trainer, TrainingDiverged, type TrainOptions } from '../../src/train/trainer.js';
import { trainDefaults } from '../../src/train/options.js';
import * as T from '../../src/tensor/index.js';

/** Pairs whose target is the source reversed, ids 3..12 (0-2 are pad, bos, eos), each ending in EOS. */
function reversalCorpus(n: number, seed: number) {
  const g = new Generator(seed);
  const pairs: [number[], number[]][] = [];
  for (let i = 0; i < n; i++) {
    const length = 2 + (g.nextUint32() % 5);
    const source = Array.from({ length }, () => 3 + (g.nextUint32() % 10));
    pairs.push([[...source, 2], [...source].reverse().concat(2)]);
  }
  return corpusFromIds(pairs);
}

const options = (overrides: Partial<TrainOptions>): TrainOptions => ({
  ...trainDefaults,
  maxTokens: 64,
  labelSmoothing: 0.1,
  schedule: { ...trainDefaults.schedule, kind: 'constant', lr: 3e-3, warmup: 5 },
  validEvery: 0,
  checkpointEvery: 0,
  ...overrides,
});

function tinyModel(): EncoderDecoder {
  T.manualSeed(11);
  return createModel(makeConfig('tiny', { pDrop: 0.1, attentionDropout: 0.1 })) as EncoderDecoder;
}

function tempRun(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'trainer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function losses(run: string, steps: number, extra: Partial<TrainOptions> = {}): Promise<number[]> {
  const seen: number[] = [];
  const trainer = new Trainer(
    tinyModel(),
    reversalCorpus(64, 1),
    reversalCorpus(16, 2),
    run,
    options({ steps, ...extra }),
    {
      onStep: (p) => seen.push(p.loss),
    },
  );
  await trainer.run();
  return seen;
}

test('training lowers the loss and writes the run folder', async (t) => {
  const run = tempRun(t);
  const seen = await losses(run, 60, { checkpointEvery: 20, keepCheckpoints: 2 });
  assert.equal(seen.length, 60);
  const first = seen.slice(0, 5).reduce((a, b) => a + b) / 5;
  const last = seen.slice(-5).reduce((a, b) => a + b) / 5;
  assert.ok(last < first * 0.8, `loss fell from ${first} to ${last}`);
  assert.ok(existsSync(join(run, 'model.safetensors')));
  assert.ok(existsSync(join(run, 'checkpoints', 'last', 'state.json')));
  assert.deepEqual(
    readdirSync(join(run, 'checkpoints'))
      .filter((n) => n.startsWith('step-'))
      .sort(),
    ['step-00000040.safetensors', 'step-00000060.safetensors'],
  );
});

test('a resumed run reproduces the uninterrupted run exactly', async (t) => {
  const straight = await losses(tempRun(t), 12);
  const run = tempRun(t);
  const firstHalf = await losses(run, 5);
  const secondHalf = await losses(run, 12); // resumes from checkpoints/last at step 5
  assert.equal(firstHalf.length, 5);
  assert.equal(secondHalf.length, 7);
  assert.deepEqual([...firstHalf, ...secondHalf], straight);
});

test('a diverging run stops with a clear message and keeps the last good checkpoint', async (t) => {
  const run = tempRun(t);
  await losses(run, 3);
  const lr = 1e30; // parameters overflow to Inf within a step or two
  await assert.rejects(
    losses(run, 10, { schedule: { ...trainDefaults.schedule, kind: 'constant', lr, warmup: 0 } }),
    (e: Error) =>
      e instanceof TrainingDiverged && /diverged at step \d+/.test(e.message) && e.message.includes('checkpoints'),
  );
  assert.ok(existsSync(join(run, 'checkpoints', 'last', 'state.json')));
});

test('the resumable checkpoint is written at every checkpointEvery, not only at validations', async (t) => {
  const run = tempRun(t);
  const saved: number[] = [];
  const trainer = new Trainer(
    tinyModel(),
    reversalCorpus(64, 1),
    null,
    run,
    options({ steps: 7, checkpointEvery: 3 }),
    {
      onStep: () => {
        // After update s (before its own checkpoint), the folder holds the checkpoint of the last multiple of 3 below s.
        const path = join(run, 'checkpoints', 'last', 'state.json');
        if (existsSync(path)) saved.push(JSON.parse(readFileSync(path, 'utf8')).step);
      },
    },
  );
  await trainer.run();
  assert.deepEqual(saved, [3, 3, 3, 6]);
  assert.equal(JSON.parse(readFileSync(join(run, 'checkpoints', 'last', 'state.json'), 'utf8')).step, 7);
});

test('training stops at the first validation whose BLEU reaches targetBleu', async (t) => {
  const run = tempRun(t);
  const scores = [10, 35, 60, 80];
  const validated: number[] = [];
  const trainer = new Trainer(
    tinyModel(),
    reversalCorpus(64, 1),
    reversalCorpus(8, 2),
    run,
    options({ steps: 100, validEvery: 2, targetBleu: 50 }),
    {
      bleu: async () => scores[validated.length],
      onValidation: (step) => validated.push(step),
    },
  );
  const { state, reason } = await trainer.run();
  assert.equal(reason, 'target');
  assert.equal(state.step, 6);
  assert.deepEqual(validated, [2, 4, 6]);
  assert.equal(state.best?.step, 6);
});
