// `transformer info`: the config and parameters per module of a model folder.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type ModelConfig } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'info-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(['info', ...args]);

interface Report {
  config: ModelConfig;
  parameters: { modules: { module: string; parameters: number }[]; total: number };
  weights: { tensors: number } | null;
}

function report(dir: string): Report {
  const result = run('--model', dir, '--json');
  assert.equal(result.code, 0, result.err);
  return JSON.parse(result.out) as Report;
}

const topLevelSum = (r: Report) =>
  r.parameters.modules.filter((m) => !m.module.includes('.')).reduce((n, m) => n + m.parameters, 0);

test('the base preset with a 37,000-token shared vocabulary has 63,082,496 parameters', () => {
  const config = makeConfig('base', { vocabSize: 37000 });
  const dir = join(root, 'base');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'transformer-ts/model', version: 1, ...config }));
  const r = report(dir);
  const d = 512;
  const attention = 4 * d * d + 4 * d;
  const ffn = 2 * d * 2048 + 2048 + d;
  const expected = 37000 * d + 6 * (attention + ffn + 4 * d) + 6 * (2 * attention + ffn + 6 * d);
  assert.equal(expected, 63_082_496);
  assert.equal(r.parameters.total, expected);
  assert.equal(r.parameters.total, createModel(config).parameterCount());
  assert.equal(topLevelSum(r), r.parameters.total);
  const layers = r.parameters.modules.filter((m) => /^encoder\.layers\.\d+$/.test(m.module));
  assert.equal(layers.length, 6);
  assert.ok(layers.every((m) => m.parameters === attention + ffn + 4 * d));
  assert.equal(r.weights, null);
  assert.deepEqual(r.config, config);
});

for (const overrides of [
  {},
  { kind: 'decoder-only' },
  { kind: 'encoder-only', normPosition: 'pre' },
  { shareEmbeddings: false, tieOutput: false, sourceVocabSize: 9 },
] as Partial<ModelConfig>[]) {
  test(`per-module counts sum to model.parameterCount() (${JSON.stringify(overrides)})`, async () => {
    const model = createModel(makeConfig('tiny', overrides));
    const dir = join(root, JSON.stringify(overrides).replace(/\W+/g, '-'));
    await saveModel(dir, model);
    const r = report(dir);
    assert.equal(r.parameters.total, model.parameterCount());
    assert.equal(topLevelSum(r), model.parameterCount());
    assert.equal(r.weights?.tensors, model.namedParameters().size);
    const text = run('--model', dir);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, new RegExp(`total +${model.parameterCount().toLocaleString('en-US')}\\n`));
    assert.match(text.out, /dModel +16/);
  });
}

test('a folder without config.json is named (exit 1); --model is required (exit 2)', () => {
  const missing = run('--model', join(root, 'nothing'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nothing\/config\.json: cannot read it/);
  const noFlag = run();
  assert.equal(noFlag.code, 2);
  assert.match(noFlag.err, /--model DIR is required/);
});

test('every config value prints as text: attention specs as JSON, never [object Object]; Marian folders too', async () => {
  const config = makeConfig('tiny', { attention: { kind: 'local', window: 4 } } as Partial<ModelConfig>);
  const dir = join(root, 'local-attention');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: 'transformer-ts/model', version: 1, ...config }));
  const marian = fileURLToPath(new URL('../../../test/fixtures/marian', import.meta.url));
  for (const folder of [dir, marian]) {
    const text = run('--model', folder);
    assert.equal(text.code, 0, text.err);
    assert.doesNotMatch(text.out, /\[object Object\]/);
    assert.match(text.out, /^ {2}attention +\{"kind":"(local|full)"/m);
    assert.match(text.out, /^ {2}layerAttention +\{/m);
  }
  assert.match(run('--model', dir).out, /attention +\{"kind":"local","window":4\}/);
  const report = JSON.parse(run('--model', marian, '--json').out) as {
    format: string;
    tokenizer: { vocabSize: number };
  };
  assert.equal(report.format, 'marian');
  assert.ok(report.tokenizer.vocabSize > 0);
});
