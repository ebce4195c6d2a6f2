// Every command that takes --model opens a Hugging Face Marian folder as it opens ours (one opener,
// src/io/open-folder.ts): score, info, plot, translate, export-marian.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadMarian } from '../../src/io/marian.js';
import { scoreTranslations } from '../../src/decode/score.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));
const MARIAN = fileURLToPath(new URL('../../../test/fixtures/marian/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'marian-folders-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function run(args: string[], input = '') {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('score reads a Marian folder: targets through target.spm, log-probabilities as forced decoding gives them', async () => {
  const { model, tokenizer } = await loadMarian(MARIAN);
  const [source, target] = ['a b c', 'a b'];
  const result = run(['score', '--model', MARIAN], `${source}\t${target}\n`);
  assert.equal(result.code, 0, result.err);
  const scored = JSON.parse(result.out) as { tokens: number[]; logprobs: number[]; sum: number };
  const ids = [...tokenizer.encodeTarget(target, { addEos: true })];
  assert.deepEqual(scored.tokens, ids);
  const [expected] = scoreTranslations(model, [
    { source: [...tokenizer.encode(source, { addEos: true })], target: ids },
  ]);
  assert.ok(Math.abs(scored.sum - expected.sum) < 1e-4, `${scored.sum} vs ${expected.sum}`);
});

test('info and plot read a Marian folder', () => {
  const info = run(['info', '--model', MARIAN, '--json']);
  assert.equal(info.code, 0, info.err);
  assert.equal((JSON.parse(info.out) as { format: string }).format, 'marian');
  const pe = join(root, 'pe.svg');
  const plotted = run(['plot', 'pe', '--model', MARIAN, '--out', pe]);
  assert.equal(plotted.code, 0, plotted.err);
  assert.match(readFileSync(pe, 'utf8'), /^<svg/);
  const attention = join(root, 'attention.svg');
  const drawn = run(['plot', 'attention', '--model', MARIAN, '--text', 'a b c', '--out', attention]);
  assert.equal(drawn.code, 0, drawn.err);
  assert.match(readFileSync(attention, 'utf8'), /data-value=/);
});
