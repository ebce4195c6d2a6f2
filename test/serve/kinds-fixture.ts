// Model folders of the encoder-only and decoder-only kinds for the server's tests: a classifier, a
// tagger and a masked-LM (random weights: their answers are compared with the library's, not judged),
// a BPE language model trained for a few seconds to continue a handful of sentences (so that greedy
// generation writes real text instead of stopping at once), and a character language model.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CharacterVocabulary, VOCABULARY_FILE } from '../../src/data/characters.js';
import { saveCharacterVocabulary } from '../../src/data/character-file.js';
import { saveModel } from '../../src/io/model-folder.js';
import { createModel, makeConfig, type DecoderOnly, type EncoderOnly } from '../../src/model/index.js';
import type { ModelConfig } from '../../src/model/config.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import type { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { PAD_ID } from '../../src/tokenizer/vocab.js';
import { Adam } from '../../src/train/adam.js';

export const TEXTS = [
  'ein mann fährt mit dem fahrrad die straße entlang .',
  'zwei hunde spielen im schnee .',
  'eine frau liest ein buch im park .',
  'kinder spielen fußball auf einer wiese .',
];
export const LABELS = ['NEGATIVE', 'NEUTRAL', 'POSITIVE'];
export const TAGS = ['O', 'NOUN', 'VERB'];

export interface Folder<M> {
  dir: string;
  model: M;
  tokenizer: Tokenizer;
}

export interface KindsFixture {
  classifier: Folder<EncoderOnly>;
  tagger: Folder<EncoderOnly>;
  masked: Folder<EncoderOnly>;
  lm: Folder<DecoderOnly>;
  characters: { dir: string; model: DecoderOnly; vocabulary: CharacterVocabulary };
  cleanup(): void;
}

const SIZE = { dModel: 32, dFF: 64, h: 4, encoderLayers: 2, decoderLayers: 2, maxLength: 48 };

const names = (labels: string[]) => ({
  id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
  label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
});

async function save<M extends EncoderOnly | DecoderOnly>(
  root: string,
  name: string,
  tokenizer: Tokenizer,
  overrides: Partial<ModelConfig>,
  train?: (model: M) => void,
): Promise<Folder<M>> {
  const tokenizerPath = join(root, `${name}.tokenizer.json`);
  await tokenizer.save(tokenizerPath);
  T.manualSeed(7);
  const model = createModel(makeConfig('tiny', { ...SIZE, vocabSize: tokenizer.vocabSize, ...overrides })) as M;
  train?.(model);
  const dir = join(root, name);
  await saveModel(dir, model.eval(), { tokenizerPath });
  return { dir, model, tokenizer };
}

/** Next-token training on TEXTS (each followed by EOS), enough to continue their beginnings. */
function trainLanguageModel(model: DecoderOnly, tokenizer: Tokenizer, updates: number): void {
  const rows = TEXTS.map((s) => [...tokenizer.encode(s, { addEos: true })]);
  const width = Math.max(...rows.map((r) => r.length)) - 1;
  const input = new Int32Array(rows.length * width).fill(PAD_ID);
  const target = new Int32Array(rows.length * width).fill(PAD_ID);
  rows.forEach((r, b) => {
    input.set(r.slice(0, -1), b * width);
    target.set(r.slice(1), b * width);
  });
  const x = Tensor.from(input, [rows.length, width]).keep();
  const y = Tensor.from(target, [rows.length, width]).keep();
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  for (let update = 0; update < updates; update++)
    tidy(() => {
      const loss = T.crossEntropy(model.forward(x), y, { ignoreIndex: PAD_ID });
      optimizer.zeroGrad();
      loss.backward();
      optimizer.update();
    });
}

export async function makeKindsFixture(lmUpdates = 60): Promise<KindsFixture> {
  const root = mkdtempSync(join(tmpdir(), 'serve-kinds-'));
  const bpe = learnBpe(TEXTS, { vocabSize: 320 });
  const withMask = learnBpe(TEXTS, { vocabSize: 320, specialTokens: ['<mask>'] });
  const encoderOnly = { kind: 'encoder-only' } as const;
  const classifier = await save<EncoderOnly>(root, 'classifier', bpe, {
    ...encoderOnly,
    head: 'sequence-classification',
    numLabels: LABELS.length,
    ...names(LABELS),
  });
  const tagger = await save<EncoderOnly>(root, 'tagger', bpe, {
    ...encoderOnly,
    head: 'token-classification',
    numLabels: TAGS.length,
    ...names(TAGS),
  });
  const masked = await save<EncoderOnly>(root, 'masked', withMask, { ...encoderOnly, head: 'masked-lm' });
  const lm = await save<DecoderOnly>(root, 'lm', bpe, { kind: 'decoder-only', normPosition: 'pre' }, (m) =>
    trainLanguageModel(m, bpe, lmUpdates),
  );
  const vocabulary = CharacterVocabulary.fromText(TEXTS.join('\n'));
  T.manualSeed(5);
  const charModel = createModel(
    // Long enough that a generation lasts while a test's client leaves in the middle of it.
    makeConfig('tiny', { ...SIZE, kind: 'decoder-only', vocabSize: vocabulary.size, maxLength: 512 }),
  ) as DecoderOnly;
  const charDir = join(root, 'characters');
  await saveModel(charDir, charModel.eval());
  saveCharacterVocabulary(join(charDir, VOCABULARY_FILE), vocabulary);
  return {
    classifier,
    tagger,
    masked,
    lm,
    characters: { dir: charDir, model: charModel, vocabulary },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
