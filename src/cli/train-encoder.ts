// `transformer train --task classify|tag|mlm`: trains an encoder-only model (docs/encoder-only.md) into a
// run folder laid out as translation's (config.json with the labels, tokenizer.json, encoder.json,
// model.safetensors = the best validation score, checkpoints/, metrics.jsonl); re-running resumes.
// --init FOLDER starts from a model folder's encoder (a masked-LM run, say) with a new head.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import {
  CONFIG_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  readModelConfig,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
} from '../io/model-folder.js';
import { ENCODER_OPTIONS_FILE, LM_OPTIONS_FILE, namingTarget, TRAIN_OPTIONS_FILE } from '../io/run-folder.js';
import { readSafetensors } from '../io/safetensors.js';
import { assignParameters } from '../io/model-folder.js';
import { EncoderOnly, type ModelConfig } from '../model/index.js';
import { Tokenizer } from '../tokenizer/index.js';
import { EncoderTrainer } from '../train/encoder-trainer.js';
import { ENCODER_TASKS, evaluateTask, type EncoderTaskName, type TaskSettings } from '../train/encoder-tasks.js';
import { TrainingDiverged } from '../train/loop.js';
import { encoderTrainDefaults, type TrainOptions } from '../train/options.js';
import { UsageError, integerFlag } from './flags.js';
import { onInterrupt } from './interrupt.js';
import { EncoderReporter } from './encoder-report.js';
import {
  encodeTaskFile,
  encoderConfig,
  fileLabels,
  fileTexts,
  initTokenizer,
  labelVocabulary,
  learnEncoderTokenizer,
  loadEncoderWeights,
  maskId,
  readTaskFile,
} from './encoder-setup.js';
import { makeRunFolder } from './train-run.js';
import { parseSettings } from './train-options.js';

export const ENCODER_TRAIN_USAGE =
  'usage: transformer train --task classify|tag|mlm --run DIR --train FILE [--valid FILE] [--test FILE]\n' +
  '  [--preset base|big|small|tiny] [--vocab-size N | --tokenizer FILE|words | --init FOLDER] [--set KEY=VALUE]...';

interface EncoderRecord {
  task: EncoderTaskName;
  files: { train: string; valid: string | null; test: string | null };
  init: string | null;
  options: TrainOptions;
}

export async function trainEncoder(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      task: { type: 'string' },
      run: { type: 'string' },
      train: { type: 'string' },
      valid: { type: 'string' },
      test: { type: 'string' },
      preset: { type: 'string' },
      'vocab-size': { type: 'string' },
      tokenizer: { type: 'string' },
      init: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(ENCODER_TRAIN_USAGE);
    return 0;
  }
  const task = values.task as EncoderTaskName;
  if (!ENCODER_TASKS.includes(task))
    throw new UsageError(`--task must be translation, ${ENCODER_TASKS.join(', ')}; got "${values.task}"`);
  if (values.run === undefined) throw new UsageError('--run DIR is required (the run folder)');
  const run = values.run;
  const given = [values['vocab-size'], values.tokenizer, values.init].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('give one of --vocab-size, --tokenizer and --init');
  if (values.preset !== undefined && values.init !== undefined)
    throw new UsageError("--preset and --init exclude each other: the model takes the --init folder's sizes");
  const settings = parseSettings(values.set.filter((item) => item.replace(/\s/g, '') !== 'model.kind=encoder-only'));
  const saved = readRecord(run);
  if (saved === null) refuseOtherRun(run);
  else checkResume(saved, task, values);
  const files = saved?.files ?? {
    train: requireFile('--train', values.train),
    valid: values.valid === undefined ? null : requireFile('--valid', values.valid),
    test: values.test === undefined ? null : requireFile('--test', values.test),
  };
  const init = saved?.init ?? (values.init === undefined ? null : resolve(values.init));
  const options = mergeEncoderOptions(saved?.options, settings.train);

  const trainFile = await readTaskFile(task, files.train);
  let tokenizer: Tokenizer;
  let config: ModelConfig;
  if (saved !== null) {
    tokenizer = await Tokenizer.load(join(run, TOKENIZER_FILE));
    config = readModelConfig(run);
  } else {
    tokenizer =
      init !== null
        ? await initTokenizer(init)
        : values.tokenizer !== undefined && values.tokenizer !== 'words'
          ? await Tokenizer.load(requireFile('--tokenizer', values.tokenizer))
          : learnEncoderTokenizer(
              fileTexts(trainFile),
              values.tokenizer === 'words'
                ? 'words'
                : integerFlag('--vocab-size', values['vocab-size'] ?? '8000', 1, 1 << 24),
            );
    const labels = task === 'mlm' ? null : labelVocabulary(fileLabels(trainFile));
    const base = init !== null ? { init } : { preset: values.preset ?? 'small' };
    config = encoderConfig(task, base, tokenizer, labels, settings.model);
    if (config.vocabSize < tokenizer.vocabSize)
      throw new UsageError(
        `--set model.vocabSize ${config.vocabSize} is smaller than the tokenizer's ${tokenizer.vocabSize} pieces`,
      );
  }
  options.schedule = { ...options.schedule, dModel: config.dModel, totalSteps: options.steps };
  const settingsOfTask: TaskSettings = {
    task,
    padId: config.padId,
    numLabels: config.numLabels,
    outsideId: config.label2id.O ?? -1,
    masking:
      task === 'mlm'
        ? {
            maskId: maskId(tokenizer, files.train),
            firstOrdinaryId: tokenizer.spec.specialTokens.length,
            vocabSize: tokenizer.vocabSize,
            probability: 0.15,
          }
        : null,
  };
  const train = encodeTaskFile(trainFile, tokenizer, config);
  const valid = files.valid === null ? null : encodeTaskFile(await readTaskFile(task, files.valid), tokenizer, config);
  const test = files.test === null ? null : encodeTaskFile(await readTaskFile(task, files.test), tokenizer, config);

  makeRunFolder(run);
  const model = new EncoderOnly(config);
  // Also on a resumed run that stopped before its first checkpoint; a checkpoint, if any, overrides it.
  if (init !== null) loadEncoderWeights(model, init);
  if (saved === null) {
    const tokenizerPath = join(run, TOKENIZER_FILE);
    await namingTarget(tokenizerPath, () => tokenizer.save(tokenizerPath));
    writeJson(join(run, CONFIG_FILE), { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, ...config });
    writeJson(join(run, ENCODER_OPTIONS_FILE), { task, files, init, options } satisfies EncoderRecord);
  }

  const reporter = new EncoderReporter(run, process.stderr.isTTY === true);
  reporter.start(task, model, train.data.size, valid?.data.size ?? 0, saved !== null);
  for (const [what, e] of [
    ['training', train],
    ['validation', valid],
    ['test', test],
  ] as const)
    if (e !== null && e.cut > 0) reporter.note(`${e.cut} ${what} sequences cut to model.maxLength ${config.maxLength}`);
  const trainer = new EncoderTrainer(model, train.data, valid?.data ?? null, run, options, settingsOfTask, {
    onStep: (p) => reporter.step(p, options.steps),
    onValidation: (step, v, best, elapsed) => reporter.validation(step, v, best, elapsed),
    onWarning: (message) => reporter.note(message),
  });
  const stopHandlers = onInterrupt(
    () => trainer.requestStop(),
    (signal) => reporter.note(`${signal}: stopping after this update (${signal} again to abort without saving)`),
  );
  try {
    const outcome = await trainer.run();
    reporter.finish(outcome.state, outcome.reason);
  } catch (error) {
    if (!(error instanceof TrainingDiverged)) throw error;
    reporter.note(error.message);
    return 1;
  } finally {
    stopHandlers();
  }
  if (test !== null && files.test !== null) {
    const weights = join(run, WEIGHTS_FILE);
    assignParameters(model, readSafetensors(weights).tensors, weights);
    reporter.test(files.test, evaluateTask(model, test.data, settingsOfTask, options.maxTokens));
  }
  return 0;
}

function mergeEncoderOptions(saved: Partial<TrainOptions> | undefined, given: Partial<TrainOptions>): TrainOptions {
  const schedule = { ...encoderTrainDefaults.schedule, ...saved?.schedule, ...given.schedule };
  return { ...encoderTrainDefaults, ...saved, ...given, schedule };
}

function requireFile(flag: string, path: string | undefined): string {
  if (path === undefined) throw new UsageError(`${flag} FILE is required for a new run`);
  if (!existsSync(path)) throw new UsageError(`${flag}: ${path} does not exist`);
  return path;
}

function readRecord(run: string): EncoderRecord | null {
  const path = join(run, ENCODER_OPTIONS_FILE);
  if (!existsSync(path)) return null;
  let json: EncoderRecord;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as EncoderRecord;
  } catch (error) {
    throw new InputError(`${path}: not an encoder training run file (${(error as Error).message})`);
  }
  if (!ENCODER_TASKS.includes(json?.task) || typeof json.files?.train !== 'string' || typeof json.options !== 'object')
    throw new InputError(`${path}: not an encoder training run file (expected "task", "files.train" and "options")`);
  return json;
}

/** A translation or language-model run, or trained weights without encoder.json, are not ours to overwrite. */
function refuseOtherRun(run: string): void {
  for (const name of [TRAIN_OPTIONS_FILE, LM_OPTIONS_FILE, WEIGHTS_FILE])
    if (existsSync(join(run, name)))
      throw new UsageError(
        `--run ${run} holds ${name} but no ${ENCODER_OPTIONS_FILE}, so it is not an encoder run that can resume; choose another --run`,
      );
}

function checkResume(saved: EncoderRecord, task: EncoderTaskName, values: Record<string, unknown>): void {
  if (saved.task !== task)
    throw new UsageError(`--task ${task}: the run being resumed was started with --task ${saved.task}`);
  for (const key of ['train', 'valid', 'test'] as const) {
    const given = values[key] as string | undefined;
    const was = saved.files[key];
    if (given !== undefined && (was === null || resolve(given) !== resolve(was)))
      throw new UsageError(
        `--${key} ${given}: the run being resumed was started with ${was ?? 'none'}; give the same file or leave it out`,
      );
  }
  for (const flag of ['preset', 'vocab-size', 'tokenizer', 'init'])
    if (values[flag] !== undefined)
      throw new UsageError(`--${flag}: the run being resumed keeps its own model and tokenizer; leave it out`);
}

function writeJson(path: string, json: unknown): void {
  namingTarget(path, () => writeFileAtomic(path, [Buffer.from(`${JSON.stringify(json, null, 2)}\n`)]));
}
