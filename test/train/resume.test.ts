// Resuming picks the newest checkpoint that reads whole, whatever the folder names and directory order;
// what interrupted saves leave behind is removed; write errors name the file the user asked for.

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, makeConfig } from '../../src/model/index.js';
import { Adam } from '../../src/train/adam.js';
import { CheckpointError, loadCheckpoint, saveCheckpoint, type TrainingState } from '../../src/train/checkpoint.js';
import { resumeNewest } from '../../src/train/resume.js';
import { namingTarget, removeStaleFiles } from '../../src/io/run-folder.js';
import { systemErrorLine } from '../../src/cli/report-error.js';
import * as T from '../../src/tensor/index.js';

function tinyModel() {
  T.manualSeed(3);
  return createModel(makeConfig('tiny'));
}

function state(step: number): TrainingState {
  return {
    step,
    generator: { state: 7, spareNormal: null },
    data: { epoch: 0, index: step, seed: 1 },
    best: null,
    elapsedSeconds: step,
    targetTokens: 10 * step,
  };
}

/** A checkpoints folder holding `last` at step `lastStep` and copies of it under other names and steps. */
function plant(t: { after: (fn: () => void) => void }, lastStep: number, others: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'resume-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const model = tinyModel();
  saveCheckpoint(join(dir, 'last'), model, new Adam(model.parameters()), state(lastStep));
  for (const [name, step] of Object.entries(others)) {
    cpSync(join(dir, 'last'), join(dir, name), { recursive: true });
    const path = join(dir, name, 'state.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), step }));
  }
  return dir;
}

function resume(dir: string) {
  const model = tinyModel();
  const optimizer = new Adam(model.parameters());
  const warnings: string[] = [];
  const found = resumeNewest(
    join(dir, 'last'),
    (path) => loadCheckpoint(path, model, optimizer),
    (m) => {
      warnings.push(m);
    },
  );
  return { found, warnings, left: readdirSync(dir).sort() };
}

test('the newest checkpoint wins over directory order, becomes last, and the stale ones go', (t) => {
  // A kill between the two renames of a save leaves last.tmp-PID complete and last.old-PID; an earlier kill
  // left another last.old-PID. Only the step decides.
  const dir = plant(t, 40, { 'last.old-11': 20, 'last.tmp-22': 60, 'last.old-22': 50 });
  const { found, warnings, left } = resume(dir);
  assert.equal(found?.step, 60);
  assert.deepEqual(left, ['last']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'last', 'state.json'), 'utf8')).step, 60);
  assert.equal(warnings.length, 3);
  assert.ok(warnings.every((w) => /removed the older checkpoint .*resuming from step 60/.test(w)));
});

test('a stale last.old-* never wins over a newer last', (t) => {
  const dir = plant(t, 80, { 'last.old-5': 30 });
  const { found, left } = resume(dir);
  assert.equal(found?.step, 80);
  assert.deepEqual(left, ['last']);
});

test('a damaged newest checkpoint is skipped with a warning naming it', (t) => {
  const dir = plant(t, 40, { 'last.tmp-9': 70 });
  writeFileSync(join(dir, 'last.tmp-9', 'optimizer.safetensors'), 'truncated');
  const { found, warnings, left } = resume(dir);
  assert.equal(found?.step, 40);
  assert.deepEqual(left, ['last']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /skipped an unreadable checkpoint: .*last\.tmp-9.*optimizer\.safetensors/);
});

test('when the only checkpoint is damaged, one error names it', (t) => {
  const dir = plant(t, 40, {});
  writeFileSync(join(dir, 'last', 'state.json'), '{"step": 40, "format": "transformer-ts/checkpoint", "version": 1}');
  assert.throws(
    () => resume(dir),
    (e: Error) =>
      e instanceof CheckpointError &&
      !e.message.includes('\n') &&
      e.message.includes(join(dir, 'last', 'state.json')) &&
      /"adamStep" must be a whole number/.test(e.message),
  );
  assert.ok(existsSync(join(dir, 'last')), 'nothing is removed when nothing can be resumed');
});

test('no checkpoint: a fresh start', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'resume-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(resume(dir).found, null);
});

test('what interrupted writes leave is removed, nothing else', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stale-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const names = ['.model.safetensors.123.abcd0123.tmp', 'tokenizer.json.5.ff.tmp', 'last.old-12', 'last.tmp-13'];
  for (const name of names.slice(0, 2)) writeFileSync(join(dir, name), 'x');
  for (const name of names.slice(2)) mkdirSync(join(dir, name));
  for (const name of ['model.safetensors', 'train.json', 'notes.tmpl', 'last']) writeFileSync(join(dir, name), 'x');
  assert.deepEqual(removeStaleFiles(dir).sort(), names.map((n) => join(dir, n)).sort());
  assert.deepEqual(readdirSync(dir).sort(), ['last', 'model.safetensors', 'notes.tmpl', 'train.json']);
});

test('write errors name the target, not the temporary file, and not nothing', () => {
  const fail = (error: Partial<NodeJS.ErrnoException>) => () => {
    throw Object.assign(new Error(`${error.code}: ${error.path ?? 'write'}`), error);
  };
  const target = join('run', 'model.safetensors');
  const cases: [Partial<NodeJS.ErrnoException>, string][] = [
    [{ code: 'ENOSPC', syscall: 'write' }, target],
    [{ code: 'EACCES', path: join('run', '.model.safetensors.1.abcd.tmp') }, target],
    [{ code: 'ENOSPC', path: join('run', 'checkpoints', 'last.tmp-7', 'model.safetensors') }, target],
    [{ code: 'ENOENT', path: join('elsewhere', 'run') }, join('elsewhere', 'run')],
  ];
  for (const [error, named] of cases) {
    assert.throws(
      () => namingTarget(target, fail(error)),
      (e: NodeJS.ErrnoException) => e.path === named && systemErrorLine(e)!.startsWith(`${named}: `),
    );
  }
});
