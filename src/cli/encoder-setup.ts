// What `transformer train --task classify|tag|mlm` builds before it trains: the tokenizer (learned with a
// <mask> token, word-level, given, or the --init folder's), the label vocabulary, the model config, the
// encoded datasets, and the model (with the --init folder's encoder weights when given).

import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readLines } from '../data/lines.js';
import { encodeTagged, encodeTexts, type Encoded } from '../train/encoder-examples.js';
import {
  labelId,
  labelVocabulary,
  parseClassificationLines,
  parseConll,
  textsToClassify,
  type LabelVocabulary,
} from '../data/labelled-text.js';
import { readSafetensors, requireFinite } from '../io/safetensors.js';
import {
  layoutProblems,
  loadTokenizer,
  ModelFolderError,
  problemList,
  readModelConfig,
  WEIGHTS_FILE,
} from '../io/model-folder.js';
import { ConfigError, EncoderOnly, makeConfig, type ModelConfig, type PresetName } from '../model/index.js';
import { learnBpe, Tokenizer } from '../tokenizer/index.js';
import { TASK_HEAD, type EncoderTaskName } from '../train/encoder-tasks.js';
import { MASK_TOKEN } from '../tokenizer/vocab.js';
import { UsageError } from './flags.js';

/** What a task's file holds, parsed: texts and labels (classify), sentences (tag) or texts (mlm). */
export type TaskFile =
  | { task: 'classify'; path: string; examples: ReturnType<typeof parseClassificationLines> }
  | { task: 'tag'; path: string; sentences: ReturnType<typeof parseConll> }
  | { task: 'mlm'; path: string; texts: string[] };

export async function readTaskFile(task: EncoderTaskName, path: string): Promise<TaskFile> {
  const lines: string[] = [];
  for await (const line of readLines(path)) lines.push(line);
  const file: TaskFile =
    task === 'classify'
      ? { task, path, examples: parseClassificationLines(lines, path) }
      : task === 'tag'
        ? { task, path, sentences: parseConll(lines, path) }
        : { task, path, texts: textsToClassify(lines) };
  const count =
    file.task === 'classify' ? file.examples.length : file.task === 'tag' ? file.sentences.length : file.texts.length;
  if (count === 0) throw new InputError(`${path}: no examples (see docs/encoder-only.md for the ${task} format)`);
  return file;
}

/** The text a tokenizer is learned from. */
export function fileTexts(file: TaskFile): string[] {
  if (file.task === 'classify') return file.examples.map((e) => e.text);
  if (file.task === 'tag') return file.sentences.map((s) => s.words.join(' '));
  return file.texts;
}

export function fileLabels(file: TaskFile): string[] {
  if (file.task === 'classify') return file.examples.map((e) => e.label);
  if (file.task === 'tag') return file.sentences.flatMap((s) => s.labels);
  return [];
}

/** `words`: a word-level vocabulary (every training word one piece); a number: BPE of that size. */
export function learnEncoderTokenizer(texts: string[], vocab: number | 'words'): Tokenizer {
  const specialTokens = [MASK_TOKEN];
  if (vocab === 'words')
    return learnBpe(texts, { numMerges: Infinity, minFrequency: 1, characterCoverage: 1, specialTokens });
  try {
    return learnBpe(texts, { vocabSize: vocab, specialTokens });
  } catch (error) {
    const base = /base vocabulary of (\d+)/.exec((error as Error).message);
    if (base === null) throw error;
    throw new UsageError(`--vocab-size ${vocab} is too small for the training text: the minimum is ${base[1]}`);
  }
}

/** The tokenizer of an --init model folder, which the fine-tuned model must keep. */
export async function initTokenizer(folder: string): Promise<Tokenizer> {
  const tokenizer = await loadTokenizer(folder);
  if (tokenizer === null)
    throw new InputError(`${join(folder, 'tokenizer.json')}: missing; --init needs a model folder with its tokenizer`);
  return tokenizer;
}

/** The id masked-LM writes, or an error naming the tokenizer without one. */
export function maskId(tokenizer: Tokenizer, where: string): number {
  const id = tokenizer.pieceToId(MASK_TOKEN);
  if (id === undefined || id >= tokenizer.spec.specialTokens.length)
    throw new InputError(`${where}: the tokenizer has no ${MASK_TOKEN} special token, which masked-LM needs`);
  return id;
}

/** The config of a new run: the preset's (or the --init folder's) with the task's head and labels. */
export function encoderConfig(
  task: EncoderTaskName,
  base: { preset: string } | { init: string },
  tokenizer: Tokenizer,
  labels: LabelVocabulary | null,
  model: Record<string, unknown>,
): ModelConfig {
  const head = {
    kind: 'encoder-only',
    head: TASK_HEAD[task],
    numLabels: labels === null ? 2 : Math.max(Object.keys(labels.id2label).length, 1),
    id2label: labels?.id2label ?? {},
    label2id: labels?.label2id ?? {},
  };
  try {
    if ('init' in base) {
      const saved = readModelConfig(base.init);
      if (saved.kind === 'decoder-only')
        throw new UsageError(`--init ${base.init}: a decoder-only model has no encoder to start from`);
      return makeConfig(null, { ...saved, ...head, ...model });
    }
    return makeConfig(base.preset as PresetName, { vocabSize: tokenizer.vocabSize, ...head, ...model });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--set model.*: ${error.message}`);
    throw error;
  }
}

/** Copies the embedding and encoder weights of a model folder into `model`; its head stays new. */
export function loadEncoderWeights(model: EncoderOnly, folder: string): void {
  const file = join(folder, WEIGHTS_FILE);
  const stored = readSafetensors(file).tensors;
  const body = [...model.namedParameters()].filter(([name]) => !name.startsWith('head.'));
  const expected = new Map(body.map(([name, p]) => [name, p.shape] as const));
  const present = [...stored].filter(([name]) => expected.has(name)).map(([name, t]) => ({ name, ...t }));
  const problems = layoutProblems(expected, present);
  if (problems.length > 0)
    throw new ModelFolderError(
      `${file} does not fit this encoder (${problems.length} problems): ${problemList(problems)}`,
    );
  requireFinite(new Map(present.map((t) => [t.name, t])), file);
  for (const [name, p] of body) p.dense().set(stored.get(name)!.data);
}

/** A task file as the model's examples; unknown labels name their file and line. */
export function encodeTaskFile(file: TaskFile, tokenizer: Tokenizer, config: ModelConfig): Encoded {
  const vocab = { id2label: config.id2label, label2id: config.label2id };
  if (file.task === 'classify') {
    const labels = file.examples.map((e) => labelId(vocab, e.label, file.path, e.line));
    return encodeTexts(
      tokenizer,
      file.examples.map((e) => e.text),
      labels,
      config.maxLength,
    );
  }
  if (file.task === 'tag')
    return encodeTagged(
      tokenizer,
      file.sentences,
      (s) => s.labels.map((l, i) => labelId(vocab, l, file.path, s.line + i)),
      config.maxLength,
    );
  return encodeTexts(tokenizer, file.texts, null, config.maxLength);
}

export { labelVocabulary };
