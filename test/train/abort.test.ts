// Trainer.run({ signal }): an abort stops after the current update with a whole checkpoint and rejects with
// an AbortError; a later run resumes from it exactly.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFromIds } from '../../src/data/corpus.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { trainDefaults } from '../../src/train/options.js';
import { Trainer } from '../../src/train/trainer.js';

const pairs = Array.from({ length: 32 }, (_, i): [number[], number[]] => {
  const source = [3 + (i % 10), 3 + ((i * 7) % 10), 2];
  return [source, [...source.slice(0, -1)].reverse().concat(2)];
});
const options = {
  ...trainDefaults,
  maxTokens: 48,
  schedule: { ...trainDefaults.schedule, kind: 'constant' as const, lr: 3e-3, warmup: 5 },
  validEvery: 0,
  checkpointEvery: 0,
  steps: 6,
};

function trainer(run: string, losses: number[], onStep?: (step: number) => void): Trainer {
  T.manualSeed(5);
  const model = createModel(makeConfig('tiny', { dModel: 32, dFF: 64 })) as EncoderDecoder;
  return new Trainer(model, corpusFromIds(pairs), null, run, options, {
    onStep: (p) => {
      losses.push(p.loss);
      onStep?.(p.step);
    },
  });
}

test('an aborted run rejects with an AbortError after a whole checkpoint, and resumes exactly', async (t) => {
  const dirs = [mkdtempSync(join(tmpdir(), 'abort-')), mkdtempSync(join(tmpdir(), 'abort-'))];
  t.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const straight: number[] = [];
  await trainer(dirs[0], straight).run();

  const controller = new AbortController();
  const first: number[] = [];
  await assert.rejects(
    trainer(dirs[1], first, (step) => step === 3 && controller.abort()).run({ signal: controller.signal }),
    (e: Error) => e.name === 'AbortError',
  );
  assert.equal(first.length, 3);
  assert.equal(JSON.parse(readFileSync(join(dirs[1], 'checkpoints', 'last', 'state.json'), 'utf8')).step, 3);
  const rest: number[] = [];
  await trainer(dirs[1], rest).run();
  assert.deepEqual([...first, ...rest], straight);
});
