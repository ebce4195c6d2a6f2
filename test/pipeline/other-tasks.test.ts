// pipeline('text-generation') on the folder `transformer lm` writes (a character language model): greedy
// and sampled continuations as sample() gives them, streaming, the prompt kept or not; and
// 'text-classification' on an encoder-only model with a classification head.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VOCABULARY_FILE } from '../../src/data/characters.js';
import { loadCharacterVocabulary } from '../../src/data/character-file.js';
import { makeLongText } from '../../src/data/long-text.js';
import { sample } from '../../src/decode/index.js';
import { loadModel } from '../../src/io/model-folder.js';
import { createModel, DecoderOnly, EncoderOnly, makeConfig } from '../../src/model/index.js';
import { createPipeline, pipeline, PipelineError } from '../../src/pipeline/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pipeline-tasks-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const run = join(root, 'lm');
const textFile = join(root, 'text.txt');
writeFileSync(textFile, makeLongText({ chars: 8_000, seed: 5 }));
const tiny = ['model.dModel=32', 'model.dFF=64', 'model.h=2', 'model.decoderLayers=1', 'train.validEvery=0'];
const trained = runCli([
  'lm',
  '--threads',
  '1',
  '--text',
  textFile,
  '--run',
  run,
  '--seq',
  '32',
  '--batch',
  '4',
  '--steps',
  '3',
  ...tiny.flatMap((s) => ['--set', s]),
]);
assert.equal(trained.code, 0, trained.err);

test("text-generation on a character LM folder: greedy and sampled continuations are sample()'s", async () => {
  const generator = await pipeline('text-generation', run);
  const model = (await loadModel(run)) as DecoderOnly;
  const vocabulary = loadCharacterVocabulary(join(run, VOCABULARY_FILE));
  const prompt = 'the ';
  const ids = [...vocabulary.encode(prompt)];
  const greedy = sample(model, [ids], { temperature: 0, maxNewTokens: 12 })[0];
  const [out] = await generator(prompt, { max_new_tokens: 12 });
  assert.equal(out.generated_text, prompt + vocabulary.decode(greedy.tokens));
  assert.equal(greedy.tokens.length, 12);

  const options = { do_sample: true, temperature: 1.5, top_k: 5, top_p: 0.9, seed: 4, max_new_tokens: 10 };
  const drawn = sample(model, [ids, ids], { temperature: 1.5, topK: 5, topP: 0.9, seed: 4, maxNewTokens: 10 });
  const [outs] = await generator([prompt], { ...options, num_return_sequences: 2, return_full_text: false });
  assert.deepEqual(
    outs.map((o) => o.generated_text),
    drawn.map((s) => vocabulary.decode(s.tokens)),
  );

  for (const o of [{ max_new_tokens: 20 }, options]) {
    const pieces: string[] = [];
    for await (const piece of generator.stream(prompt, o)) pieces.push(piece);
    const [whole] = await generator(prompt, { ...o, return_full_text: false });
    assert.equal(pieces.join(''), whole.generated_text);
  }
  await assert.rejects(generator('', {}), /text-generation: prompt 0 is empty/);
  await assert.rejects(
    generator('\u{1F600}'),
    (e: Error) => e instanceof PipelineError && /vocabulary\.json: character/.test(e.message),
  );
  await assert.rejects(generator('a', { num_return_sequences: 2 }), /num_return_sequences > 1 needs do_sample/);
  await assert.rejects(pipeline('translation', run), (e: Error) => {
    assert.ok(e instanceof PipelineError);
    assert.equal(e.message, `translation needs an encoder-decoder folder; ${run} holds a decoder-only model`);
    return true;
  });
});

test('text-classification: the classes by probability, named by the labels', async () => {
  const tokenizer = learnBpe(['a good film', 'a bad film', 'not good at all'], { vocabSize: 300 });
  T.manualSeed(3);
  const config = makeConfig('tiny', {
    kind: 'encoder-only',
    head: 'sequence-classification',
    numLabels: 3,
    vocabSize: 300,
  });
  const model = createModel(config).eval() as EncoderOnly;
  const classifier = createPipeline('text-classification', {
    model,
    tokenizer,
    labels: ['NEGATIVE', 'NEUTRAL', 'POSITIVE'],
  });
  const text = 'a good film';
  const all = await classifier(text, { top_k: 3 });
  const ids = [config.bosId, ...tokenizer.encode(text)]; // as train --task classify reads a line
  const p = T.softmax(model.forward(Tensor.from(Int32Array.from(ids), [1, ids.length])), -1).floats();
  const names = ['NEGATIVE', 'NEUTRAL', 'POSITIVE'];
  assert.deepEqual(
    all.map((c) => c.label),
    [0, 1, 2].sort((a, b) => p[b] - p[a]).map((i) => names[i]),
  );
  for (const c of all) assert.ok(Math.abs(c.score - p[names.indexOf(c.label)]) < 1e-6);
  const [best] = await classifier([text, 'bad']);
  assert.deepEqual(best, [all[0]]);
  const lm = createModel(makeConfig('tiny', { kind: 'encoder-only', head: 'masked-lm', vocabSize: 300 }));
  assert.throws(
    () => createPipeline('text-classification', { model: lm, tokenizer }),
    /needs a sequence-classification head; the model has a masked-lm head/,
  );
  assert.throws(
    () => createPipeline('fill-mask', { model: lm, tokenizer }),
    /fill-mask needs a tokenizer with a <mask> token/,
  );
});
