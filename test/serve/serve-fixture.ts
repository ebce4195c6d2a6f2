// A small model folder with a real tokenizer for the server's tests: random weights (translations
// are arbitrary but deterministic, so they can be compared with the library's), a BPE tokenizer
// learned from a few sentences, and a run's metrics.jsonl.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import type { Tokenizer } from '../../src/tokenizer/tokenizer.js';

export const sentences = [
  'ein mann fährt mit dem fahrrad die straße entlang .',
  'zwei hunde spielen im schnee .',
  'eine frau liest ein buch im park .',
  'kinder spielen fußball auf einer wiese .',
];

export interface ServeFixture {
  dir: string;
  model: EncoderDecoder;
  tokenizer: Tokenizer;
  cleanup(): void;
}

export async function makeServeFixture(options: { metrics?: boolean } = {}): Promise<ServeFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'serve-'));
  const tokenizer = learnBpe(sentences, { vocabSize: 300 });
  const tokenizerPath = join(dir, 'tokenizer.source.json');
  await tokenizer.save(tokenizerPath);
  T.manualSeed(3);
  const config = makeConfig('tiny', {
    vocabSize: tokenizer.vocabSize,
    sourceVocabSize: tokenizer.vocabSize,
    dModel: 32,
    dFF: 64,
    h: 4,
    encoderLayers: 2,
    decoderLayers: 3,
    maxLength: 96,
  });
  const model = createModel(config) as EncoderDecoder;
  const modelDir = join(dir, 'model');
  await saveModel(modelDir, model, { tokenizerPath });
  model.eval();
  if (options.metrics) {
    const lines = [
      { event: 'start', parameters: 1 },
      ...Array.from({ length: 30 }, (_, i) => ({
        event: 'step',
        step: i + 1,
        epoch: 0,
        loss: 5 - i / 10,
        ppl: Math.exp(5 - i / 10),
        lr: (i + 1) * 1e-4,
        gradNorm: 1,
        targetTokensPerSecond: 1000,
        elapsedSeconds: i,
      })),
      { event: 'validation', step: 10, loss: 4.2, ppl: 66.7, bleu: 3.5, best: true },
      { event: 'validation', step: 20, loss: 3.9, ppl: 49.4, bleu: 7.25, best: true },
    ];
    writeFileSync(join(modelDir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  }
  return { dir: modelDir, model, tokenizer, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
