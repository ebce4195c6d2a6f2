// `transformer generate` on the folder `transformer lm` writes: greedy and sampled continuations are the
// library's sample() (so the command adds no decoding of its own), prompts from --prompt, --input and
// standard input, --json, and one-line errors for a folder of another kind, an unknown character, an empty
// prompt and sampling flags without --do-sample. `transformer perplexity` on the same folder is perplexity()
// on the text's character ids.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promptSeed } from '../../src/cli/generate.js';
import { perplexity } from '../../src/eval/perplexity.js';
import { VOCABULARY_FILE } from '../../src/data/characters.js';
import { loadCharacterVocabulary } from '../../src/data/character-file.js';
import { makeLongText } from '../../src/data/long-text.js';
import { sample } from '../../src/decode/index.js';
import { loadModel, saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type DecoderOnly } from '../../src/model/index.js';
import { runCli, runCliAsync } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'generate-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const run = join(root, 'lm');
writeFileSync(join(root, 'text.txt'), makeLongText({ chars: 8_000, seed: 5 }));
const tiny = ['model.dModel=32', 'model.dFF=64', 'model.h=2', 'model.decoderLayers=1', 'train.validEvery=0'];
const trained = runCli([
  ...['lm', '--threads', '1', '--text', join(root, 'text.txt'), '--run', run],
  ...['--seq', '32', '--batch', '4', '--steps', '20', ...tiny.flatMap((s) => ['--set', s])],
]);
assert.equal(trained.code, 0, trained.err);

const generate = (args: string[], input?: string) => runCliAsync(['generate', '--model', run, ...args], { input });

async function library() {
  const model = (await loadModel(run)) as DecoderOnly;
  const vocabulary = loadCharacterVocabulary(join(run, VOCABULARY_FILE));
  const continuation = (prompt: string, options: Parameters<typeof sample>[2], n = 1) =>
    sample(
      model,
      Array.from({ length: n }, () => [...vocabulary.encode(prompt)]),
      options,
    ).map((s) => vocabulary.decode(s.tokens));
  return { continuation };
}

test('greedy continuations are sample() at temperature 0, from --prompt, --input and standard input', async () => {
  const { continuation } = await library();
  const prompts = ['the ', 'and a', 'the '];
  const expected = prompts.map((p) => p + continuation(p, { temperature: 0, maxNewTokens: 12 })[0]);
  const file = join(root, 'prompts.txt');
  writeFileSync(file, `${prompts.join('\n')}\n`);
  const [one, fromFile, fromStdin, json, bare] = await Promise.all([
    generate(['--prompt', prompts[0], '--max-new-tokens', '12']),
    generate(['--input', file, '--max-new-tokens', '12', '--batch-size', '2']),
    generate(['--max-new-tokens', '12'], `${prompts.join('\n')}\n`),
    generate(['--input', file, '--max-new-tokens', '12', '--json']),
    generate(['--prompt', prompts[1], '--max-new-tokens', '12', '--continuation-only']),
  ]);
  for (const r of [one, fromFile, fromStdin, json, bare]) assert.equal(r.code, 0, r.err);
  assert.equal(one.out, `${expected[0]}\n`);
  assert.equal(fromFile.out, `${expected.join('\n')}\n`);
  assert.equal(fromStdin.out, fromFile.out);
  assert.deepEqual(
    json.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
    prompts.map((prompt, i) => ({ prompt, generated_text: [expected[i]] })),
  );
  assert.equal(bare.out, `${expected[1].slice(prompts[1].length)}\n`);
});

test('--do-sample draws as sample() does with each prompt seeded by --seed and its place', async () => {
  const { continuation } = await library();
  const options = { temperature: 1.5, topK: 5, topP: 0.9, repetitionPenalty: 1.2, maxNewTokens: 10 };
  const flags = ['--do-sample', '--temperature', '1.5', '--top-k', '5', '--top-p', '0.9'];
  flags.push('--repetition-penalty', '1.2', '--max-new-tokens', '10', '--seed', '7', '--json');
  const r = await generate([...flags, '--num-return-sequences', '3'], 'the \nof\n');
  assert.equal(r.code, 0, r.err);
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { generated_text: string[] });
  ['the ', 'of'].forEach((prompt, i) =>
    assert.deepEqual(
      lines[i].generated_text,
      continuation(prompt, { ...options, seed: promptSeed(7, i) }, 3).map((c) => prompt + c),
    ),
  );
  const drawn = new Set(lines[0].generated_text);
  assert.ok(drawn.size > 1, `three draws all gave ${[...drawn].join()}`);
});

test('bad prompts, flags and folders are one-line errors naming what is wrong', async () => {
  const other = join(root, 'translation');
  await saveModel(other, createModel(makeConfig('tiny', {})));
  const empty = join(root, 'empty.txt');
  writeFileSync(empty, 'ab\n\n');
  const cases: [string[], number, RegExp][] = [
    [
      ['--prompt', 'a\u{1F600}'],
      1,
      /^--prompt 1: .*vocabulary\.json: character "\u{1F600}" is not in the vocabulary$/u,
    ],
    [['--input', empty], 1, new RegExp(`^${empty}:2: an empty prompt`)],
    [['--prompt', 'a', '--temperature', '2'], 2, /^--temperature draws tokens: add --do-sample$/],
    [['--prompt', 'a', '--num-return-sequences', '2'], 2, /needs --do-sample/],
    [['--prompt', 'a', '--input', empty], 2, /not both/],
    [['--prompt', 'a', '--do-sample', '--top-p', '0'], 2, /^--top-p must be/],
  ];
  const results = await Promise.all(cases.map(([args]) => generate(args)));
  results.forEach((r, i) => {
    const [args, code, message] = cases[i];
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0].replace(/^transformer generate: /, ''), message);
    assert.equal(r.out, '');
  });
  const wrong = await runCliAsync(['generate', '--model', other, '--prompt', 'a']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, new RegExp(`needs a decoder-only folder; ${other} holds an encoder-decoder model\\n$`));
  const long = await generate(['--prompt', 'the ', '--max-new-tokens', '40']);
  assert.equal(long.code, 0, long.err);
  assert.match(long.err, /^transformer: warning: the model reads at most 32 tokens: a prompt of 4 gets at most 29 new/);
});

test('perplexity per character is perplexity() on the text as it is, line breaks included', async () => {
  const model = (await loadModel(run)) as DecoderOnly;
  const vocabulary = loadCharacterVocabulary(join(run, VOCABULARY_FILE));
  const held = join(root, 'held.txt');
  writeFileSync(
    held,
    makeLongText({ chars: 600, seed: 9 }).replace(/[^\n]/gu, (c) => (vocabulary.chars.includes(c) ? c : ' ')),
  );
  const text = readFileSync(held, 'utf8');
  assert.ok(text.includes('\n'));
  const ids = [...vocabulary.encode(text)];
  const other = join(root, 'translation-ppl');
  await saveModel(other, createModel(makeConfig('tiny', {})));
  const bad = join(root, 'bad.txt');
  writeFileSync(bad, 'the\nab\u{1F600}\n');
  const ppl = (args: string[]) => runCliAsync(['perplexity', ...args]);
  const [plain, json, strided, wrong, unknown, missing] = await Promise.all([
    ppl(['--model', run, '--input', held]),
    ppl(['--model', run, '--input', held, '--json']),
    ppl(['--model', run, '--input', held, '--json', '--stride', '5', '--batch-size', '3']),
    ppl(['--model', other, '--input', held]),
    ppl(['--model', run, '--input', bad]),
    ppl(['--model', run]),
  ]);
  for (const r of [plain, json, strided]) assert.equal(r.code, 0, r.err);
  const expected = perplexity(model, ids);
  const got = JSON.parse(json.out) as { perplexity: number; scored: number; unit: string; stride: number };
  assert.equal(got.unit, 'character');
  assert.equal(got.scored, ids.length - 1);
  assert.equal(got.stride, 32);
  assert.ok(Math.abs(got.perplexity - expected.perplexity) < 1e-9 * expected.perplexity);
  assert.ok(got.perplexity > 1, `${got.perplexity}`);
  assert.match(plain.out, new RegExp(`^perplexity ${expected.perplexity.toFixed(3)} per character \\(`));
  const five = JSON.parse(strided.out) as { perplexity: number };
  assert.ok(Math.abs(five.perplexity - perplexity(model, ids, { stride: 5 }).perplexity) < 1e-6 * five.perplexity);
  assert.equal(wrong.code, 1);
  assert.match(
    wrong.err,
    new RegExp(`perplexity needs a decoder-only folder; ${other} holds an encoder-decoder model\\n$`),
  );
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.err,
    new RegExp(`${bad}:2: .*vocabulary\\.json: character "\u{1F600}" is not in the vocabulary\\n$`, 'u'),
  );
  assert.equal(missing.code, 2);
  assert.match(missing.err, /--input FILE is required/);
});
