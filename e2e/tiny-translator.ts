// A tiny translator trained in a few seconds to copy a handful of sentences, saved as a model folder
// with its tokenizer: enough for the browser test to compare translations, with outputs that are real
// text rather than one token repeated.

import { join } from 'node:path';

import { saveModel } from '../src/io/model-folder.js';
import { createModel, makeConfig, shiftRight, type EncoderDecoder } from '../src/model/index.js';
import * as T from '../src/tensor/index.js';
import { Tensor, tidy } from '../src/tensor/tensor.js';
import { learnBpe } from '../src/tokenizer/learn.js';
import { PAD_ID } from '../src/tokenizer/vocab.js';
import { Adam } from '../src/train/adam.js';

export const SENTENCES = [
  'ein mann fährt mit dem fahrrad die straße entlang .',
  'zwei hunde spielen im schnee .',
  'eine frau liest ein buch im park .',
  'kinder spielen fußball auf einer wiese .',
  'ein hund läuft durch das wasser .',
  'eine gruppe von menschen steht vor einem gebäude .',
];

/** Trains the copier for `updates` updates and writes it to dir/model; returns that folder. */
export async function trainTinyTranslator(dir: string, updates = 150): Promise<string> {
  const tokenizer = learnBpe(SENTENCES, { vocabSize: 340 });
  const tokenizerPath = join(dir, 'tokenizer.json');
  await tokenizer.save(tokenizerPath);
  T.manualSeed(11);
  const model = createModel(
    makeConfig('tiny', {
      vocabSize: tokenizer.vocabSize,
      sourceVocabSize: tokenizer.vocabSize,
      dModel: 32,
      dFF: 64,
      h: 4,
      encoderLayers: 1,
      decoderLayers: 1,
      maxLength: 64,
    }),
  ) as EncoderDecoder;
  const rows = SENTENCES.map((s) => [...tokenizer.encode(s, { addEos: true })]);
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * width).fill(PAD_ID);
  rows.forEach((r, b) => ids.set(r, b * width));
  const batch = Tensor.from(ids, [rows.length, width]).keep();
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  for (let update = 0; update < updates; update++)
    tidy(() => {
      const logits = model.forward(batch, shiftRight(batch, model.config.bosId)); // (B, T, V)
      const loss = T.crossEntropy(logits, batch, { ignoreIndex: PAD_ID });
      optimizer.zeroGrad();
      loss.backward();
      optimizer.update();
    });
  const folder = join(dir, 'model');
  await saveModel(folder, model.eval(), { tokenizerPath });
  return folder;
}
