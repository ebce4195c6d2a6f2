// Nothing lost when `transformer train` dies: after kill -9, with the leftovers of interrupted saves planted
// around the newest checkpoint (the state a kill between a save's two renames leaves, plus a stale folder of
// an earlier kill), the run resumes from the newest step, removes the leftovers, and ends with a model that
// loads. SIGTERM stops like Ctrl-C, with a checkpoint.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTask, writeTask } from '../../src/data/task/builtin-task.js';
import { loadModel } from '../../src/io/model-folder.js';
import { readSafetensorsHeader } from '../../src/io/safetensors.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'train-kill-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const settings = ['encoderLayers=1', 'decoderLayers=1', 'dModel=16', 'dFF=32', 'h=2'].map((s) => `model.${s}`);
const args = (run: string, ...extra: string[]) => [
  ...[bin, 'train', '--run', run, '--vocab-size', '400'],
  ...['--source', join(dir, 'data', 'train.src'), '--target', join(dir, 'data', 'train.tgt')],
  ...[...settings, 'train.maxTokens=300', ...extra].flatMap((s) => ['--set', s]),
];

const stepOf = (checkpoint: string) =>
  (JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8')) as { step: number }).step;

/** Starts a long training and resolves once `ready` holds; returns the child and its stderr so far. */
async function startTraining(run: string, extra: string[], ready: () => boolean) {
  const child = spawn(process.execPath, args(run, 'train.steps=100000', ...extra));
  const output = { err: '' };
  child.stderr.on('data', (chunk: Buffer) => (output.err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let waited = 0; !ready(); waited += 50) {
    assert.ok(waited < 60_000 && child.exitCode === null, `training did not get going: ${output.err}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output, exited };
}

test.before(() => writeTask(join(dir, 'data'), makeTask({ seed: 6, train: 120, valid: 2, test: 2 })));

test('after kill -9 and stale leftovers, the run resumes from the newest step and loses nothing', async () => {
  const run = join(dir, 'killed');
  const checkpoints = join(run, 'checkpoints');
  const last = join(checkpoints, 'last');
  const { child, exited } = await startTraining(
    run,
    ['train.checkpointEvery=2'],
    () => existsSync(join(last, 'state.json')) && stepOf(last) >= 6,
  );
  child.kill('SIGKILL');
  await exited;
  const newest = stepOf(last);

  // A kill between the renames of a save: the newest checkpoint complete under last.tmp-PID, the previous
  // one as last.old-PID, no last; and a last.old-* of an earlier kill, older still; and half-written files.
  renameSync(last, join(checkpoints, 'last.tmp-77777'));
  for (const [name, step] of [
    ['last.old-77777', newest - 2],
    ['last.old-11111', newest - 4],
  ] as const) {
    cpSync(join(checkpoints, 'last.tmp-77777'), join(checkpoints, name), { recursive: true });
    const state = join(checkpoints, name, 'state.json');
    writeFileSync(state, JSON.stringify({ ...JSON.parse(readFileSync(state, 'utf8')), step }));
  }
  writeFileSync(join(run, '.model.safetensors.11111.deadbeef.tmp'), 'half');
  writeFileSync(join(checkpoints, '.step-00000099.safetensors.11111.deadbeef.tmp'), 'half');

  const resumed = spawnSync(process.execPath, args(run, `train.steps=${newest + 2}`, 'train.checkpointEvery=2'), {
    encoding: 'utf8',
  });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming/);
  assert.equal(resumed.stderr.match(/removed the older checkpoint/g)?.length, 2, resumed.stderr);
  const events = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { event: string; step?: number; resuming?: boolean }];
      } catch {
        return []; // the line the kill cut short
      }
    });
  const restart = events.map((e) => e.event).lastIndexOf('start');
  assert.equal(events[restart].resuming, true);
  const stepsAfter = events
    .slice(restart)
    .filter((e) => e.event === 'step')
    .map((e) => e.step);
  assert.deepEqual(stepsAfter, [newest + 1, newest + 2], 'the updates before the kill are kept, none redone');

  assert.equal(stepOf(last), newest + 2);
  assert.deepEqual(
    readdirSync(checkpoints).filter((n) => !/^step-\d{8}\.safetensors$/.test(n)),
    ['last'],
    'no leftover folder or temporary file',
  );
  assert.ok(!readdirSync(run).some((n) => n.endsWith('.tmp')));
  assert.equal(readSafetensorsHeader(join(run, 'model.safetensors')).metadata.step, String(newest + 2));
  const model = await loadModel(run);
  assert.equal(model.config.dModel, 16);
});

test('SIGTERM stops after the current update with a checkpoint, like Ctrl-C', async () => {
  const run = join(dir, 'terminated');
  const metrics = join(run, 'metrics.jsonl');
  const { child, output, exited } = await startTraining(
    run,
    [],
    () => existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"event":"step"'),
  );
  child.kill('SIGTERM');
  assert.equal(await exited, 0, output.err);
  assert.match(output.err, /SIGTERM: stopping after this update/);
  const stopped = Number(/interrupted at step (\d+)/.exec(output.err)?.[1]);
  assert.ok(stopped >= 1, output.err);
  assert.equal(stepOf(join(run, 'checkpoints', 'last')), stopped);
});
