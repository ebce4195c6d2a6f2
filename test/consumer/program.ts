// A program written against the installed package, as a user would write it: only `transformer-ts`'s
// public API, compiled with strict TypeScript. scripts/consumer-test.js packs the package, installs the
// tarball into an empty project, compiles this file there and runs it (`node program.js WORKDIR`).
//
// It trains a tiny translation model for a few updates on the built-in task, saves it, opens the folder
// with pipeline(), translates with beam 4 and two returned sequences, streams a greedy translation and
// checks it against the non-streamed one, scores BLEU, and prints what it saw as one JSON line.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  backend,
  corpusBleu,
  corpusFromIds,
  createModel,
  learnBpe,
  makeConfig,
  makeTask,
  pipeline,
  saveModel,
  Trainer,
  trainDefaults,
  type EncoderDecoder,
  type TranslationOutput,
} from 'transformer-ts';

const workDir = process.argv[2];
if (workDir === undefined) throw new Error('usage: node program.js WORKDIR');

// Data: the built-in synthetic language pair, a BPE tokenizer learnt on it, and the pairs as ids.
const task = makeTask({ seed: 1, train: 300, valid: 10, test: 6 });
const tokenizer = learnBpe([...task.train.source, ...task.train.target], { vocabSize: 400 });
const tokenizerPath = join(workDir, 'tokenizer.json');
await tokenizer.save(tokenizerPath);
const ids = (text: string) => tokenizer.encode(text, { addEos: true });
const corpus = corpusFromIds(task.train.source.map((source, i) => [ids(source), ids(task.train.target[i])] as const));

// A few updates of a tiny model, with the trainer's progress events.
const model = createModel(makeConfig('tiny', { vocabSize: tokenizer.vocabSize })) as EncoderDecoder;
const losses: number[] = [];
const options = { ...trainDefaults, steps: 4, maxTokens: 600, validEvery: 0, checkpointEvery: 0 };
const trainer = new Trainer(model, corpus, null, join(workDir, 'run'), options, {
  onStep: (progress) => losses.push(progress.loss),
});
const { reason } = await trainer.run();
assert.equal(reason, 'steps');
assert.equal(losses.length, 4);

// Save the model folder, then open it as transformers.js users would.
const folder = join(workDir, 'model');
await saveModel(folder, model, { tokenizerPath });
const translator = await pipeline('translation', folder);

const source = task.test.source[0];
const nbest: TranslationOutput[] = await translator(source, {
  num_beams: 4,
  num_return_sequences: 2,
  max_new_tokens: 16,
});
assert.equal(nbest.length, 2);

// Streaming gives the greedy translation piece by piece; joined, it is the non-streamed text.
const pieces: string[] = [];
for await (const piece of translator.stream(source, { num_beams: 1, max_new_tokens: 16 })) pieces.push(piece);
const [greedy] = await translator(source, { num_beams: 1, max_new_tokens: 16 });
assert.equal(pieces.join(''), greedy.translation_text);

// BLEU of the greedy translations of the test set.
const translations = await translator(task.test.source, { num_beams: 1, max_new_tokens: 16 });
const bleu = corpusBleu(
  translations.map((list) => list[0].translation_text),
  [task.test.target],
);
assert.ok(bleu.score >= 0 && bleu.score <= 100);

console.log(
  JSON.stringify({
    backend: backend().name,
    losses,
    nbest: nbest.map((t) => t.translation_text),
    streamed: pieces,
    greedy: greedy.translation_text,
    bleu: bleu.score,
  }),
);
