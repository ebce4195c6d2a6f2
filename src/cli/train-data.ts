// What `transformer train` builds before it trains: the tokenizer (learned or given), the model config
// (from the preset and `--set model.*`, or the saved one on resume), the corpora read and checked, and the
// greedy validation BLEU that picks the best checkpoint.

import { InputError } from '../errors.js';
import { readParallelCorpus, type ParallelCorpus } from '../data/corpus.js';
import { describeReport } from '../data/filters.js';
import { readLines } from '../data/lines.js';
import { translateIds, translateLines } from '../decode/translate-lines.js';
import { corpusBleu } from '../eval/bleu.js';
import {
  ConfigError,
  createModel,
  EncoderDecoder,
  makeConfig,
  type ModelConfig,
  type PresetName,
} from '../model/index.js';
import { learnBpe, Tokenizer } from '../tokenizer/index.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { UsageError } from './flags.js';
import { quote } from './settings.js';
import type { RunFiles, RunFlags } from './train-run.js';

export interface Validation {
  corpus: ParallelCorpus;
  sources: string[];
  references: string[];
}

/** The given tokenizer, or one learned from the training text (both sides), in memory. */
export async function learnTokenizer(files: RunFiles, flags: RunFlags): Promise<Tokenizer> {
  if (flags.tokenizer !== undefined) return Tokenizer.load(flags.tokenizer);
  const vocabSize = flags.vocabSize ?? 8000;
  const texts = await readAll([files.source, files.target]);
  try {
    return learnBpe(texts, { vocabSize });
  } catch (error) {
    // The learner states the smallest vocabulary this text allows: its alphabet, bytes and special tokens.
    const base = /base vocabulary of (\d+) \((.*)\)/.exec((error as Error).message);
    if (base === null) throw error;
    throw new UsageError(
      `--vocab-size ${vocabSize} is too small for ${files.source} and ${files.target}: the minimum is ${base[1]} (${base[2]})`,
    );
  }
}

/** The config of a new run; `--set model.*` errors name the setting. */
export function newConfig(preset: string, tokenizer: Tokenizer, model: Record<string, unknown>): ModelConfig {
  let config: ModelConfig;
  try {
    config = makeConfig(preset as PresetName, { vocabSize: tokenizer.vocabSize, ...model });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--set model.*: ${error.message}`);
    throw error;
  }
  const smallest = Math.min(config.vocabSize, config.sourceVocabSize);
  if (smallest < tokenizer.vocabSize)
    throw new UsageError(
      `--set model.vocabSize ${smallest} is smaller than the tokenizer's ${tokenizer.vocabSize} pieces`,
    );
  return config;
}

/**
 * The saved config of a resumed run (or the config of the --init folder, `origin` naming it), after
 * checking that `--set model.*` repeats it rather than changes it.
 */
export function checkModelSettings(
  saved: ModelConfig,
  model: Record<string, unknown>,
  origin = 'the run being resumed',
): ModelConfig {
  let merged: ModelConfig;
  try {
    merged = makeConfig(null, { ...saved, ...model });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--set model.*: ${error.message}`);
    throw error;
  }
  for (const key of Object.keys(model) as (keyof ModelConfig)[]) {
    if (JSON.stringify(merged[key]) !== JSON.stringify(saved[key]))
      throw new UsageError(
        `--set model.${key}=${quote(model[key])}: ${origin} has model.${key} ${quote(saved[key])} ` +
          '(config.json), and the model it continues cannot change',
      );
  }
  return saved;
}

/**
 * The training and validation corpora, checked (aligned, UTF-8, not empty), and the model to train: `start`
 * (a model folder's, for --init) or a new one. A Marian tokenizer encodes targets with its target.spm.
 */
export async function readTrainingData(
  files: RunFiles,
  tokenizer: TextTokenizer,
  config: ModelConfig,
  start: EncoderDecoder | null = null,
) {
  const encode = (text: string) => tokenizer.encode(text, { addEos: true });
  const encodeTarget = (text: string) =>
    (tokenizer.encodeTarget ?? tokenizer.encode).call(tokenizer, text, { addEos: true });
  const filters = { maxLength: config.maxLength - 1 };
  const train = await readParallelCorpus(files.source, files.target, { encodeSource: encode, encodeTarget, filters });
  requirePairs(train, files.source, files.target, config);
  let valid: Validation | null = null;
  if (files.validSource !== null && files.validTarget !== null) {
    const corpus = await readParallelCorpus(files.validSource, files.validTarget, {
      encodeSource: encode,
      encodeTarget,
      filters,
    });
    requirePairs(corpus, files.validSource, files.validTarget, config);
    valid = { corpus, sources: await readAll([files.validSource]), references: await readAll([files.validTarget]) };
  }
  return { train, valid, model: start ?? (createModel(config) as EncoderDecoder) };
}

function requirePairs(corpus: ParallelCorpus, source: string, target: string, config: ModelConfig): void {
  if (corpus.report.read === 0)
    throw new InputError(`${source} and ${target} are empty: no sentence pairs to train on`);
  if (corpus.size === 0)
    throw new InputError(
      `${source} and ${target}: no pair fits model.maxLength ${config.maxLength} (${describeReport(corpus.report)})`,
    );
}

/** Greedy BLEU on the first `count` validation sentences, as the reference toolkits pick their best checkpoint. */
export function validationBleu(valid: Validation, tokenizer: TextTokenizer, count: number) {
  const sources = valid.sources.slice(0, count);
  const references = valid.references.slice(0, count);
  const translate = (model: EncoderDecoder) =>
    tokenizer instanceof Tokenizer
      ? translateLines(model, tokenizer, sources, { beam: 1, batchSize: 64 })
      : translateIds(
          model,
          sources.map((line) => (line.trim() === '' ? [] : [...tokenizer.encode(line, { addEos: true })])),
          { beam: 1, batchSize: 64, nbest: 1 },
        ).map((list) => tokenizer.decode(list[0].tokens));
  return async (model: EncoderDecoder) => corpusBleu(translate(model), [references]).score;
}

async function readAll(paths: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const path of paths) for await (const line of readLines(path)) lines.push(line);
  return lines;
}
