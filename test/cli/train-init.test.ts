// `transformer train --init DIR`: a run that starts from a model folder, ours or a Marian folder read from
// its pytorch_model.bin, keeping its weights (an update of lr 1e-12 leaves its logits), config and tokenizer;
// it resumes, translates and exports; flags that contradict the folder are usage errors.

import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openModelFolder } from '../../src/io/open-folder.js';
import type { EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { UsageError } from '../../src/cli/flags.js';
import { trainRun } from '../../src/cli/train.js';
import { runCliAsync } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'train-init-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const source = join(root, 'train.src');
const target = join(root, 'train.tgt');
writeFileSync(source, 'The school was far.\nHe said nothing.\nI had never seen it.\nThe house was red.\n');
writeFileSync(target, 'The house was far.\nHe never said it.\nMathematics!\nThe mat is red.\n');
/** Settings of an update that leaves the weights where they were, to the float32 precision of the logits. */
const STILL = ['train.steps=1', 'train.maxTokens=200', 'train.schedule.kind=constant', 'train.schedule.lr=1e-12'];
const sets = (settings: string[]) => settings.flatMap((s) => ['--set', s]);
const train = (run: string, ...args: string[]) =>
  runCliAsync(['train', '--run', run, '--source', source, '--target', target, '--bleu-sentences', '0', ...args]);

function marianFolder(): string {
  const dir = join(root, 'opus-mt-tiny');
  mkdirSync(dir);
  for (const file of ['vocab.json', 'source.spm', 'target.spm', 'tokenizer_config.json'])
    copyFileSync(join(FIXTURES, 'marian', file), join(dir, file));
  copyFileSync(join(FIXTURES, 'pytorch', 'config.json'), join(dir, 'config.json'));
  copyFileSync(join(FIXTURES, 'pytorch', 'legacy.bin'), join(dir, 'pytorch_model.bin'));
  return dir;
}

async function logits(dir: string): Promise<Float32Array> {
  const model = (await openModelFolder(dir, { tokenizer: false })).model as EncoderDecoder;
  const ids = Tensor.from(Int32Array.from([5, 17, 42, 99, 0, 7, 8, 0, 3, 3]), [2, 5]);
  return tidy(() => T.noGrad(() => Float32Array.from(T.contiguous(model.forward(ids, ids)).floats())));
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i])), 0);
}

test('train --init a Marian folder keeps its weights, config and tokenizer; the run resumes, translates and exports', async () => {
  const init = marianFolder();
  const run = join(root, 'marian-run');
  const first = await train(run, '--init', init, ...sets(STILL));
  assert.equal(first.code, 0, first.err);
  for (const file of ['vocab.json', 'source.spm', 'target.spm', 'config.json', 'model.safetensors'])
    assert.ok(existsSync(join(run, file)), file);
  assert.ok(!existsSync(join(run, 'tokenizer.json')));
  assert.deepEqual(readFileSync(join(run, 'vocab.json')), readFileSync(join(init, 'vocab.json')));
  assert.equal(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).dModel, 8);
  const moved = largestDifference(await logits(run), await logits(init));
  assert.ok(moved < 1e-5, `logits moved by ${moved}`);

  const resumed = await train(run, ...sets([...STILL.slice(1), 'train.steps=2']));
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.err, /resuming/);
  const translated = await runCliAsync(['translate', '--model', run, '--beam', '1'], { input: 'He said nothing.\n' });
  assert.equal(translated.code, 0, translated.err);
  const exported = await runCliAsync(['export-marian', '--model', run, '--out', join(root, 'marian-run-export')]);
  assert.equal(exported.code, 0, exported.err);
  assert.deepEqual(readFileSync(join(root, 'marian-run-export', 'source.spm')), readFileSync(join(init, 'source.spm')));
  const exportedConfig = JSON.parse(readFileSync(join(root, 'marian-run-export', 'config.json'), 'utf8'));
  assert.deepEqual(exportedConfig.bad_words_ids, [[329]]); // Marian's pad, never generated

  const other = await train(run, '--init', join(root, 'elsewhere'), ...sets(STILL));
  assert.equal(other.code, 2);
  assert.match(other.err, /--init .*elsewhere.*: the run being resumed was started with/);
});

test('train --init one of our folders keeps its tokenizer.json and config', async () => {
  const first = join(root, 'ours');
  const scratch = await train(first, '--preset', 'tiny', '--vocab-size', '300', ...sets(['train.steps=1']));
  assert.equal(scratch.code, 0, scratch.err);
  const run = join(root, 'ours-continued');
  const continued = await train(run, '--init', first, ...sets(STILL));
  assert.equal(continued.code, 0, continued.err);
  assert.deepEqual(readFileSync(join(run, 'tokenizer.json')), readFileSync(join(first, 'tokenizer.json')));
  assert.deepEqual(
    JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')),
    JSON.parse(readFileSync(join(first, 'config.json'), 'utf8')),
  );
  const moved = largestDifference(await logits(run), await logits(first));
  assert.ok(moved < 1e-5, `logits moved by ${moved}`);
});

test('flags that contradict the --init folder are usage errors, before anything is written', async () => {
  const init = join(root, 'opus-mt-tiny');
  const run = join(root, 'never');
  const cases: [string[], RegExp][] = [
    [['--preset', 'tiny'], /^--preset contradicts --init/],
    [['--vocab-size', '300'], /^--vocab-size contradicts --init/],
    [['--set', 'model.dModel=16'], /^--set model\.dModel=16: --init .* has model\.dModel 8 \(config\.json\)/],
    [['--init', join(root, 'missing')], /^--init .*missing does not exist/],
  ];
  for (const [flags, message] of cases) {
    const argv = ['--run', run, '--source', source, '--target', target, '--init', init, ...flags];
    await assert.rejects(trainRun(argv), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  }
  assert.ok(!existsSync(join(run, 'train.json')));
});
