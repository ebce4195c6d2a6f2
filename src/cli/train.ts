// `transformer train`: trains a translation model from parallel text into a run folder holding
// everything (config.json, tokenizer.json, train.json, model.safetensors, checkpoints/, metrics.jsonl),
// which translate, score and serve accept as a model folder. Re-running on the same folder resumes.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../io/atomic.js';
import {
  CONFIG_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  readModelConfig,
  TOKENIZER_FILE,
} from '../io/model-folder.js';
import { readParallelCorpus, type ParallelCorpus } from '../data/corpus.js';
import { learnBpe, Tokenizer } from '../tokenizer/index.js';
import { makeConfig, createModel, type ModelConfig, type PresetName, EncoderDecoder } from '../model/index.js';
import { Trainer, TrainingDiverged, type TrainOptions } from '../train/trainer.js';
import { readLines } from '../data/lines.js';
import { UsageError, integerFlag } from './flags.js';
import { parseSettings, trainDefaults } from './train-options.js';
import { TrainingReporter } from './train-report.js';
import { translateLines } from '../decode/translate-lines.js';
import { corpusBleu } from '../eval/bleu.js';

const TRAIN_FILE = 'train.json';

interface RunFiles {
  source: string;
  target: string;
  validSource: string | null;
  validTarget: string | null;
}

export async function train(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string' },
      source: { type: 'string' },
      target: { type: 'string' },
      'valid-source': { type: 'string' },
      'valid-target': { type: 'string' },
      preset: { type: 'string', default: 'small' },
      'vocab-size': { type: 'string', default: '8000' },
      tokenizer: { type: 'string' },
      'bleu-sentences': { type: 'string', default: '500' },
      set: { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  if (values.run === undefined) throw new UsageError('--run DIR is required (the run folder)');
  const run = values.run;
  const resuming = existsSync(join(run, TRAIN_FILE));
  const settings = parseSettings(values.set);
  const saved = resuming ? readRunFile(run) : null;
  const files = saved?.files ?? requireFiles(values);
  const options: TrainOptions = { ...trainDefaults, ...saved?.options, ...settings.train };
  mkdirSync(run, { recursive: true });

  const tokenizer = await prepareTokenizer(
    run,
    files,
    values.tokenizer,
    integerFlag('--vocab-size', values['vocab-size'], 300),
  );
  const config = resuming
    ? readModelConfig(run)
    : makeConfig(presetName(values.preset), { vocabSize: tokenizer.vocabSize, ...settings.model });
  if (Object.keys(settings.model).length > 0 && resuming) {
    throw new UsageError(`${run} is being resumed with its saved model config; model.* settings cannot change`);
  }
  options.schedule = { ...options.schedule, dModel: config.dModel, totalSteps: options.steps };
  writeRunFiles(run, config, files, options);

  const encode = (text: string) => tokenizer.encode(text, { addEos: true });
  const trainCorpus = await readParallelCorpus(files.source, files.target, {
    encodeSource: encode,
    filters: { maxLength: config.maxLength - 1 },
  });
  const valid = await readValid(files, encode, config);
  const model = createModel(config) as EncoderDecoder;
  const reporter = new TrainingReporter(run, process.stderr.isTTY === true, options);
  reporter.start(model, trainCorpus, valid?.corpus ?? null, resuming);
  const bleuSentences = integerFlag('--bleu-sentences', values['bleu-sentences'], 0);
  const trainer = new Trainer(model, trainCorpus, valid?.corpus ?? null, run, options, {
    onStep: (p) => reporter.step(p),
    onValidation: (step, v, best) => reporter.validation(step, v, best),
    // Greedy BLEU on the first validation sentences picks the best checkpoint, as in the reference toolkits.
    bleu:
      valid === null || bleuSentences === 0
        ? undefined
        : async (m) => {
            const sources = valid.sources.slice(0, bleuSentences);
            const hypotheses = translateLines(m, tokenizer, sources, { beam: 1, batchSize: 64 });
            return corpusBleu(hypotheses, [valid.references.slice(0, bleuSentences)]).score;
          },
  });
  const onSignal = () => {
    reporter.note('stopping after this update (Ctrl-C again to abort without saving)');
    trainer.requestStop();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    const { state, reason } = await trainer.run();
    reporter.finish(state, reason);
  } catch (error) {
    if (!(error instanceof TrainingDiverged)) throw error;
    reporter.note(error.message);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  return 0;
}

function presetName(name: string | undefined): PresetName {
  const presets = ['base', 'big', 'small', 'tiny'];
  if (name === undefined || !presets.includes(name)) {
    throw new UsageError(`--preset must be one of ${presets.join(', ')}, got "${name}"`);
  }
  return name as PresetName;
}

function requireFiles(values: Record<string, unknown>): RunFiles {
  const get = (flag: string) => values[flag] as string | undefined;
  for (const flag of ['source', 'target']) {
    if (get(flag) === undefined) throw new UsageError(`--${flag} FILE is required for a new run`);
  }
  if ((get('valid-source') === undefined) !== (get('valid-target') === undefined)) {
    throw new UsageError('give both --valid-source and --valid-target, or neither');
  }
  for (const flag of ['source', 'target', 'valid-source', 'valid-target']) {
    const path = get(flag);
    if (path !== undefined && !existsSync(path)) throw new UsageError(`--${flag}: ${path} does not exist`);
  }
  return {
    source: get('source')!,
    target: get('target')!,
    validSource: get('valid-source') ?? null,
    validTarget: get('valid-target') ?? null,
  };
}

function readRunFile(run: string): { files: RunFiles; options: TrainOptions } {
  const path = join(run, TRAIN_FILE);
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { files: RunFiles; options: TrainOptions };
    if (typeof json.files?.source !== 'string' || typeof json.options !== 'object')
      throw new Error('missing "files" or "options"');
    return json;
  } catch (error) {
    throw new UsageError(`${path}: not a training run file (${(error as Error).message})`);
  }
}

function writeRunFiles(run: string, config: ModelConfig, files: RunFiles, options: TrainOptions): void {
  const json = (value: unknown) => [Buffer.from(`${JSON.stringify(value, null, 2)}\n`)];
  writeFileAtomic(join(run, CONFIG_FILE), json({ format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, ...config }));
  writeFileAtomic(join(run, TRAIN_FILE), json({ files, options }));
}

/** The run's tokenizer: the saved one, a given file, or one learned from the training text (both sides). */
async function prepareTokenizer(
  run: string,
  files: RunFiles,
  given: string | undefined,
  vocabSize: number,
): Promise<Tokenizer> {
  const path = join(run, TOKENIZER_FILE);
  if (existsSync(path)) return Tokenizer.load(path);
  const tokenizer =
    given !== undefined
      ? await Tokenizer.load(given)
      : learnBpe(await readAll([files.source, files.target]), { vocabSize });
  await tokenizer.save(path);
  return tokenizer;
}

async function readAll(paths: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const path of paths) for await (const line of readLines(path)) lines.push(line);
  return lines;
}

async function readValid(
  files: RunFiles,
  encode: (text: string) => Int32Array,
  config: ModelConfig,
): Promise<{ corpus: ParallelCorpus; sources: string[]; references: string[] } | null> {
  if (files.validSource === null || files.validTarget === null) return null;
  const corpus = await readParallelCorpus(files.validSource, files.validTarget, {
    encodeSource: encode,
    filters: { maxLength: config.maxLength - 1 },
  });
  const [sources, references] = [await readAll([files.validSource]), await readAll([files.validTarget])];
  return { corpus, sources, references };
}
