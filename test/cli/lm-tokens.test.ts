// `transformer lm --vocab-size N | --tokenizer F`: a token-level language model whose run folder holds
// tokenizer.json (no vocabulary.json), trained on each line's tokens followed by EOS; generate and the
// text-generation pipeline open it, and perplexity scores a file per token as perplexity() does.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineTokenIds, splitLines } from '../../src/cli/lm-tokens.js';
import { makeLongText } from '../../src/data/long-text.js';
import { sample } from '../../src/decode/index.js';
import { perplexity } from '../../src/eval/perplexity.js';
import { loadModel, loadTokenizer } from '../../src/io/model-folder.js';
import type { DecoderOnly } from '../../src/model/index.js';
import { pipeline } from '../../src/pipeline/index.js';
import { runCli, runCliAsync } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'lm-tokens-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const textFile = join(root, 'text.txt');
writeFileSync(textFile, makeLongText({ chars: 8_000, seed: 5 }));
const tiny = ['model.dModel=32', 'model.dFF=64', 'model.h=2', 'model.decoderLayers=1', 'train.validEvery=0'];
const lm = (run: string, ...args: string[]) =>
  runCli([
    ...['lm', '--threads', '1', '--text', textFile, '--run', run, '--seq', '32', '--batch', '4', '--steps', '20'],
    ...tiny.flatMap((s) => ['--set', s]),
    ...args,
  ]);
const run = join(root, 'bpe');
const trained = lm(run, '--vocab-size', '400');
assert.equal(trained.code, 0, trained.err);

test('--vocab-size learns BPE; the folder has tokenizer.json and the metrics say "unit": "token"', async () => {
  assert.ok(existsSync(join(run, 'tokenizer.json')));
  assert.ok(!existsSync(join(run, 'vocabulary.json')));
  const tokenizer = (await loadTokenizer(run))!;
  const model = (await loadModel(run)) as DecoderOnly;
  assert.equal(tokenizer.vocabSize, 400);
  assert.equal(model.config.vocabSize, 400);
  const start = JSON.parse(readFileSync(join(run, 'metrics.jsonl'), 'utf8').split('\n')[0]) as Record<string, unknown>;
  assert.equal(start.unit, 'token');
  const lines = splitLines(readFileSync(textFile, 'utf8'));
  assert.equal(start.chars, lineTokenIds(lines, tokenizer).length);
  assert.match(trained.err, /bits\/token on \d+ held-out tokens/);
});

test('generate and pipeline continue a prompt as sample() does; perplexity is per token', async () => {
  const tokenizer = (await loadTokenizer(run))!;
  const model = (await loadModel(run)) as DecoderOnly;
  const prompt = 'the river';
  const ids = [...tokenizer.encode(prompt)];
  const greedy = sample(model, [ids], { temperature: 0, maxNewTokens: 8 })[0];
  // Decoded after the prompt, a continuation that starts a word keeps its space (decode alone drops it).
  const expected = tokenizer.decode([...ids, ...greedy.tokens]);
  const generator = await pipeline('text-generation', run);
  assert.equal((await generator(prompt, { max_new_tokens: 8 }))[0].generated_text, expected);
  const held = join(root, 'held.txt');
  writeFileSync(held, makeLongText({ chars: 1_500, seed: 8 }));
  const [cli, ppl] = await Promise.all([
    runCliAsync(['generate', '--model', run, '--prompt', prompt, '--max-new-tokens', '8']),
    runCliAsync(['perplexity', '--model', run, '--input', held, '--json']),
  ]);
  assert.equal(cli.code, 0, cli.err);
  assert.equal(cli.out, `${expected}\n`);
  assert.equal(ppl.code, 0, ppl.err);
  const got = JSON.parse(ppl.out) as { perplexity: number; unit: string; scored: number };
  const heldIds = lineTokenIds(splitLines(readFileSync(held, 'utf8')), tokenizer);
  const want = perplexity(model, heldIds);
  assert.equal(got.unit, 'token');
  assert.equal(got.scored, heldIds.length - 1);
  assert.ok(Math.abs(got.perplexity - want.perplexity) < 1e-9 * want.perplexity);
});

test('--tokenizer FILE trains on a given tokenizer; bad combinations are one-line errors', async () => {
  const given = join(root, 'given');
  const r = lm(given, '--tokenizer', join(run, 'tokenizer.json'));
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readFileSync(join(given, 'tokenizer.json')), readFileSync(join(run, 'tokenizer.json')));
  const both = lm(join(root, 'both'), '--tokenizer', join(run, 'tokenizer.json'), '--vocab-size', '400');
  assert.equal(both.code, 2);
  assert.match(both.err, /give --tokenizer FILE or --vocab-size N, not both\n$/);
  const small = lm(join(root, 'small'), '--vocab-size', '100');
  assert.equal(small.code, 2);
  assert.match(small.err, /--vocab-size 100 is too small for .*text\.txt: the minimum is \d+/);
  assert.equal(small.err.trim().split('\n').length, 1);
});
