// `transformer generate` with --beam (the library's languageModelBeamSearch, n-best with --nbest) and
// with prompts of different lengths in batches: every --batch-size gives the output of one prompt at a
// time, for greedy search, beam search and seeded sampling; the pipeline takes num_beams and seeds the
// same way. The folder is trained by `transformer train --task lm`, the route to the lm command.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VOCABULARY_FILE } from '../../src/data/characters.js';
import { loadCharacterVocabulary } from '../../src/data/character-file.js';
import { makeLongText } from '../../src/data/long-text.js';
import { languageModelBeamSearch, sample } from '../../src/decode/index.js';
import { loadModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type DecoderOnly } from '../../src/model/index.js';
import { createPipeline, pipeline } from '../../src/pipeline/index.js';
import * as T from '../../src/tensor/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { runCli, runCliAsync } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'generate-batch-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const run = join(root, 'lm');
writeFileSync(join(root, 'text.txt'), makeLongText({ chars: 6_000, seed: 3 }));
const tiny = ['model.dModel=32', 'model.dFF=64', 'model.h=2', 'model.decoderLayers=2', 'train.validEvery=0'];
const trained = runCli([
  ...['train', '--task', 'lm', '--threads', '1', '--text', join(root, 'text.txt'), '--run', run],
  ...['--seq', '32', '--batch', '4', '--steps', '5', ...tiny.flatMap((s) => ['--set', s])],
]);
assert.equal(trained.code, 0, trained.err);

const prompts = ['the ', 'a', 'and then the ', 'of the', 'it'];
const file = join(root, 'prompts.txt');
writeFileSync(file, `${prompts.join('\n')}\n`);
const generate = (args: string[]) => runCliAsync(['generate', '--model', run, '--input', file, ...args]);

test('train --task lm writes the decoder-only folder that transformer lm writes', async () => {
  const model = (await loadModel(run)) as DecoderOnly;
  assert.equal(model.config.kind, 'decoder-only');
  assert.equal(model.config.decoderLayers, 2);
  const bad = runCli(['train', '--task', 'lm', '--run', join(root, 'none')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--text/);
});

test('--beam N --nbest K writes the n-best lists of languageModelBeamSearch, best first', async () => {
  const model = (await loadModel(run)) as DecoderOnly;
  const vocabulary = loadCharacterVocabulary(join(run, VOCABULARY_FILE));
  const r = await generate(['--beam', '3', '--nbest', '2', '--alpha', '1', '--max-new-tokens', '9', '--json']);
  assert.equal(r.code, 0, r.err);
  const lists = languageModelBeamSearch(
    model,
    prompts.map((p) => [...vocabulary.encode(p)]),
    { beamSize: 3, nbest: 2, alpha: 1, maxNewTokens: 9 },
  );
  const got = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { prompt: string; generated_text: string[] });
  assert.deepEqual(
    got,
    prompts.map((prompt, i) => ({
      prompt,
      generated_text: lists[i].map((h) => prompt + vocabulary.decode(h.tokens)),
    })),
  );
});

test('every --batch-size gives the output of one prompt at a time: greedy, beam, seeded sampling', async () => {
  const searches = [
    ['--max-new-tokens', '10'],
    ['--max-new-tokens', '10', '--beam', '3', '--nbest', '3', '--no-repeat-ngram', '3'],
    ['--max-new-tokens', '10', '--do-sample', '--seed', '11', '--top-k', '6', '--num-return-sequences', '2'],
  ];
  for (const search of searches) {
    const outs = await Promise.all(['1', '2', '5'].map((n) => generate([...search, '--json', '--batch-size', n])));
    outs.forEach((r) => assert.equal(r.code, 0, r.err));
    // The plain output too: the same whatever the batch.
    const plain = await Promise.all(['1', '5'].map((n) => generate([...search, '--batch-size', n])));
    assert.equal(plain[1].out, plain[0].out);
    assert.equal(outs[1].out, outs[0].out, search.join(' '));
    assert.equal(outs[2].out, outs[0].out, search.join(' '));
    // A character model may write line breaks: count the continuations in the JSON lines.
    const lists = outs[0].out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { generated_text: string[] }).generated_text);
    const n = search.includes('--beam') ? 3 : search.includes('--do-sample') ? 2 : 1;
    assert.deepEqual(
      lists.map((l) => l.length),
      prompts.map(() => n),
    );
  }
});

test('the pipeline: num_beams, and seeds that make a draw independent of the batch', async () => {
  const generator = await pipeline('text-generation', run);
  const beam = { num_beams: 3, num_return_sequences: 2, max_new_tokens: 8 };
  const batched = await generator(prompts, beam);
  for (const [i, prompt] of prompts.entries()) assert.deepEqual(await generator(prompt, beam), batched[i]);
  const draw = { do_sample: true, top_p: 0.9, max_new_tokens: 8, num_return_sequences: 2 };
  const seeds = prompts.map((_, i) => 100 + i);
  const drawn = await generator(prompts, { ...draw, seeds });
  for (const [i, prompt] of prompts.entries())
    assert.deepEqual(await generator(prompt, { ...draw, seed: seeds[i] }), drawn[i]);
  const pieces: string[] = [];
  for await (const piece of generator.stream(prompts[0], { num_beams: 3, max_new_tokens: 8 })) pieces.push(piece);
  assert.equal(
    prompts[0] + pieces.join(''),
    (await generator(prompts[0], { num_beams: 3, max_new_tokens: 8 }))[0].generated_text,
  );
  await assert.rejects(generator(prompts, { ...beam, do_sample: true }), /num_beams must be 1/);
  await assert.rejects(generator(prompts, { num_beams: 2, num_return_sequences: 3 }), /at most num_beams/);
  await assert.rejects(generator(prompts, { do_sample: true, seeds: [1] }), /seeds must be an array of 5/);
});

test('beam flags that do not go together are one-line usage errors', async () => {
  const cases: [string[], RegExp][] = [
    [['--beam', '2', '--do-sample'], /give one of them/],
    [['--alpha', '1'], /--alpha is the length penalty of --beam/],
    [['--beam', '2', '--nbest', '3'], /--nbest \(3\) must be at most --beam \(2\)/],
    [['--beam', '2', '--repetition-penalty', '1.5'], /not --beam/],
    [['--nbest', '2', '--num-return-sequences', '2'], /give one of them/],
    [['--beam', '0'], /--beam/],
  ];
  const results = await Promise.all(cases.map(([args]) => generate(args)));
  results.forEach((r, i) => {
    assert.equal(r.code, 2, `${cases[i][0].join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, cases[i][1]);
  });
});

test('a subword continuation reads after its prompt with the space its first word starts with', async () => {
  const tokenizer = learnBpe(['a man is walking', 'two dogs are running in the grass', 'a girl in a dress'], {
    vocabSize: 300,
  });
  T.manualSeed(4);
  const config = makeConfig('tiny', { kind: 'decoder-only', vocabSize: 300, finalLogitsBias: true });
  const model = createModel(config).eval() as DecoderOnly;
  // The model's favourite next token starts a word: the first piece of "dogs" (U+2581 marks a word's start).
  const [first] = tokenizer.encode('dogs');
  assert.ok(tokenizer.encodePieces('dogs')[0].startsWith('\u2581'));
  model.output.finalLogitsBias!.floats()[first] = 100;
  const generator = createPipeline('text-generation', { model, tokenizer });
  const prompt = 'a man is';
  const ids = [...tokenizer.encode(prompt)];
  const { tokens } = sample(model, [ids], { temperature: 0, maxNewTokens: 6 })[0];
  const [out] = await generator(prompt, { max_new_tokens: 6 });
  // decode() drops the marker that starts a text; the prompt and continuation together keep it.
  assert.equal(out.generated_text, tokenizer.decode([...ids, ...tokens]));
  assert.equal(tokens[0], first);
  assert.ok(out.generated_text.startsWith('a man is d'), out.generated_text);
  const pieces: string[] = [];
  for await (const piece of generator.stream(prompt, { max_new_tokens: 6 })) pieces.push(piece);
  assert.equal(prompt + pieces.join(''), out.generated_text);
});
