// The playground's tasks (the built-in one is the demo's, copy and reverse, a pasted corpus with
// one-line errors) and its training loop's pause, resume, stop and limits.

import test from 'node:test';
import assert from 'node:assert/strict';

import { makeTask } from '../../src/data/task/builtin-task.js';
import { InputError } from '../../src/errors.js';
import { Runner, type RunnerEvent } from '../../web/playground/runner.js';
import { TrainingSession, defaultTraining } from '../../web/playground/session.js';
import { makePlaygroundTask, pastedTask } from '../../web/playground/tasks.js';

test('the built-in task is the one the demo trains; copy and reverse pair words as named', () => {
  const builtin = makePlaygroundTask({ kind: 'builtin', seed: 1, train: 50, valid: 5 });
  assert.deepEqual(builtin, makeTask({ seed: 1, train: 50, valid: 5, test: 5 }));
  const reverse = makePlaygroundTask({ kind: 'reverse', seed: 1, train: 50, valid: 5 });
  const copy = makePlaygroundTask({ kind: 'copy', seed: 1, train: 50, valid: 5 });
  assert.deepEqual(reverse.train.source, copy.train.source);
  reverse.train.source.forEach((s, i) => {
    assert.equal(reverse.train.target[i], s.split(' ').reverse().join(' '));
    assert.equal(copy.train.target[i], s);
  });
  const trained = new Set(copy.train.source);
  assert.ok(
    copy.test.source.every((s) => !trained.has(s)),
    'held-out sentences are never trained on',
  );
});

test('a pasted corpus takes tabs or |||, holds a tenth out, and names a bad line', () => {
  const lines = Array.from({ length: 20 }, (_, i) => (i % 2 ? `a${i}\tb${i}` : `a${i} ||| b${i}`));
  const task = pastedTask(['', ...lines].join('\n'));
  assert.equal(task.train.source.length, 18);
  assert.deepEqual(task.valid.source, ['a18', 'a19']);
  assert.deepEqual(task.valid.target, ['b18', 'b19']);
  assert.throws(
    () => pastedTask('a\tb\nno pair here\nc\td'),
    (e: Error) => e instanceof InputError && /line 2:/.test(e.message),
  );
  assert.throws(() => pastedTask('a\tb'), /at least 2 sentence pairs/);
});

const task = makePlaygroundTask({ kind: 'copy', seed: 1, train: 200, valid: 4 });
const settings = { ...defaultTraining, size: 'tiny' as const, vocabSize: 300, maxTokens: 300 };

test('the runner pauses, resumes and stops between slices', async () => {
  const session = new TrainingSession(task, settings);
  const events: RunnerEvent['type'][] = [];
  let slices = 0;
  const holder: { runner?: Runner } = {};
  const script = async () => {
    const runner = holder.runner!;
    slices++;
    if (slices === 1) {
      runner.pause();
      setTimeout(() => {
        assert.equal(events.filter((e) => e === 'progress').length, 1, 'no update while paused');
        runner.resume();
      }, 50);
    }
    if (slices === 2) runner.stop();
  };
  const runner = new Runner(
    session,
    { maxUpdates: 1000, validEvery: 1000, validSentences: 4, targetBleu: 90, watch: 'ka lo' },
    (e) => events.push(e.type),
    script,
  );
  holder.runner = runner;
  assert.equal(await runner.run(), 'stopped');
  assert.deepEqual(events, ['progress', 'paused', 'resumed', 'progress', 'done']);
  assert.ok(session.step >= 2);
});

test('the runner validates every validEvery updates and ends at the update limit', async () => {
  const session = new TrainingSession(task, settings);
  const seen: RunnerEvent[] = [];
  const runner = new Runner(
    session,
    { maxUpdates: 4, validEvery: 2, validSentences: 4, targetBleu: 101, watch: task.test.source[0] },
    (e) => seen.push(e),
  );
  assert.equal(await runner.run(), 'updates');
  assert.deepEqual(
    seen.filter((e) => e.type === 'validation').map((e) => (e as { step: number }).step),
    [2, 4],
  );
  const attention = seen.find((e) => e.type === 'attention') as Extract<RunnerEvent, { type: 'attention' }>;
  // One map per attention layer: encoder self, decoder self and cross, one layer each in the tiny model.
  assert.deepEqual(attention.snapshot.layers.map((l) => l.stack).sort(), ['cross', 'decoder', 'encoder']);
  assert.equal(seen.at(-1)!.type, 'done');
});
