// `transformer train`: trains a translation model from parallel text into a run folder holding
// everything (config.json, tokenizer.json, train.json, model.safetensors, checkpoints/, metrics.jsonl),
// which translate, score and serve accept as a model folder. Re-running on the same folder resumes.
// Nothing is written before the data has been read and checked, and a resumed run must be given the
// same data, tokenizer and model as it started with.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../io/atomic.js';
import {
  CONFIG_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  readModelConfig,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
} from '../io/model-folder.js';
import { type ModelConfig } from '../model/index.js';
import { Trainer, TrainingDiverged, type StopReason, type TrainOptions } from '../train/trainer.js';
import type { TrainingState } from '../train/checkpoint.js';
import { lastCheckpoint, namingTarget } from '../io/run-folder.js';
import { checkpointCandidates } from '../train/resume.js';
import { Tokenizer } from '../tokenizer/index.js';
import { UsageError, integerFlag } from './flags.js';
import { onInterrupt } from './interrupt.js';
import { mergeOptions, parseSettings } from './train-options.js';
import { checkInitFlags, loadRunTokenizer, openInitFolder, saveInitTokenizer } from './train-init.js';
import { TrainingReporter } from './train-report.js';
import { checkModelSettings, learnTokenizer, newConfig, readTrainingData, validationBleu } from './train-data.js';
import {
  checkResumeFlags,
  checkUnchanged,
  fingerprintRun,
  makeRunFolder,
  readRunRecord,
  writeRunRecord,
  type RunFiles,
  type RunFlags,
  type RunRecord,
} from './train-run.js';

export const TRAIN_USAGE =
  'usage: transformer train --run DIR --source FILE --target FILE [--valid-source FILE --valid-target FILE]\n' +
  '  [--preset base|big|small|tiny] [--vocab-size N | --tokenizer FILE | --init MODEL-DIR] [--bleu-sentences N]\n' +
  '  [--set KEY=VALUE]...\n' +
  '  Re-running with the same --run resumes from its newest checkpoint; --set train.KEY=VALUE may change limits then.\n' +
  '  --task classify|tag|mlm trains an encoder-only model (transformer train --task classify --help);\n' +
  '  --task lm a decoder-only language model, as transformer lm does (transformer lm --help).';

const PRESETS = ['base', 'big', 'small', 'tiny'];

export async function train(argv: string[]): Promise<number> {
  const task = taskOf(argv);
  if (task === 'lm') return (await import('./lm.js')).lm(withoutTask(argv));
  if (task !== 'translation') return (await import('./train-encoder.js')).trainEncoder(argv);
  const outcome = await trainRun(withoutTask(argv));
  return typeof outcome === 'number' ? outcome : 0;
}

/** Runs the command: how training ended, or an exit code when it did not train (--help, divergence). */
export async function trainRun(argv: string[]): Promise<number | { state: TrainingState; reason: StopReason }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string' },
      source: { type: 'string' },
      target: { type: 'string' },
      'valid-source': { type: 'string' },
      'valid-target': { type: 'string' },
      preset: { type: 'string' },
      'vocab-size': { type: 'string' },
      tokenizer: { type: 'string' },
      init: { type: 'string' },
      'bleu-sentences': { type: 'string', default: '500' },
      set: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  if (values.run === undefined) throw new UsageError('--run DIR is required (the run folder)');
  const run = values.run;
  const settings = parseSettings(values.set);
  const flags = runFlags(values);
  const bleuSentences = integerFlag('--bleu-sentences', values['bleu-sentences'], 0);
  const saved = readRunRecord(run);
  if (saved !== null) checkResumeFlags(saved, flags);
  else refuseUnknownRun(run);
  const files = saved?.files ?? requireFiles(flags);
  const options = mergeOptions(saved?.options, settings.train);
  checkOptions(options, saved, files, bleuSentences);
  makeRunFolder(run);

  const fingerprint = saved === null ? null : await checkUnchanged(run, saved, flags.tokenizer);
  // --init: the folder's weights (also on resume: checkpoints, when there are any, replace them), config and tokenizer.
  const initDir = saved === null ? flags.init : saved.init;
  const init = initDir === undefined ? null : await openInitFolder(initDir);
  const tokenizer =
    saved !== null ? await loadRunTokenizer(run) : (init?.tokenizer ?? (await learnTokenizer(files, flags)));
  const config =
    saved !== null
      ? checkModelSettings(readModelConfig(run), settings.model)
      : init !== null
        ? checkModelSettings(init.model.config, settings.model, `--init ${initDir}`)
        : newConfig(flags.preset ?? 'small', tokenizer as Tokenizer, settings.model);
  options.schedule = { ...options.schedule, dModel: config.dModel, totalSteps: options.steps };
  const data = await readTrainingData(files, tokenizer, config, init?.model ?? null);

  const record: RunRecord = {
    files,
    options,
    preset: saved === null ? (init === null ? (flags.preset ?? 'small') : undefined) : saved.preset,
    vocabSize:
      saved === null
        ? flags.tokenizer === undefined && init === null
          ? (flags.vocabSize ?? 8000)
          : null
        : saved.vocabSize,
    ...(init === null ? {} : { init: init.dir }),
  };
  if (saved === null) {
    if (init !== null) await saveInitTokenizer(init, run);
    else {
      const tokenizerPath = join(run, TOKENIZER_FILE);
      await namingTarget(tokenizerPath, () => (tokenizer as Tokenizer).save(tokenizerPath));
    }
    writeConfig(run, config);
  }
  record.fingerprint = fingerprint ?? (await fingerprintRun(run, files, flags.tokenizer ?? null));
  writeRunRecord(run, record); // last: from here on the folder is a run that resumes

  const reporter = new TrainingReporter(run, process.stderr.isTTY === true, options);
  if (saved !== null) reporter.changedOptions(saved.options, options);
  reporter.start(data.model, data.train, data.valid?.corpus ?? null, saved !== null);
  const trainer = new Trainer(data.model, data.train, data.valid?.corpus ?? null, run, options, {
    onStep: (p) => reporter.step(p),
    onValidation: (step, v, best) => reporter.validation(step, v, best),
    onWarning: (message) => reporter.note(message),
    bleu: data.valid === null || bleuSentences === 0 ? undefined : validationBleu(data.valid, tokenizer, bleuSentences),
  });
  const stopHandlers = onInterrupt(
    () => trainer.requestStop(),
    (signal) => reporter.note(`${signal}: stopping after this update (${signal} again to abort without saving)`),
  );
  try {
    const outcome = await trainer.run();
    reporter.finish(outcome.state, outcome.reason);
    return outcome;
  } catch (error) {
    if (!(error instanceof TrainingDiverged)) throw error;
    reporter.note(error.message);
    return 1;
  } finally {
    stopHandlers();
  }
}

/** argv without its --task flag. */
function withoutTask(argv: string[]): string[] {
  return argv.filter((a, i) => a !== '--task' && argv[i - 1] !== '--task' && !a.startsWith('--task='));
}

/** --task T (translation when absent): classify, tag and mlm train encoder-only models (train-encoder.ts), lm a language model (lm.ts). */
function taskOf(argv: string[]): string {
  const i = argv.findIndex((a) => a === '--task' || a.startsWith('--task='));
  if (i < 0) return 'translation';
  return argv[i].startsWith('--task=') ? argv[i].slice('--task='.length) : (argv[i + 1] ?? '');
}

function runFlags(values: Record<string, string | boolean | string[] | undefined>): RunFlags {
  const get = (flag: string) => values[flag] as string | undefined;
  const preset = get('preset');
  if (preset !== undefined && !PRESETS.includes(preset))
    throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got "${preset}"`);
  const vocabSize = get('vocab-size');
  if (vocabSize !== undefined && get('tokenizer') !== undefined)
    throw new UsageError('give --vocab-size (to learn a tokenizer) or --tokenizer FILE, not both');
  if (get('init') !== undefined)
    checkInitFlags({ '--preset': preset, '--vocab-size': vocabSize, '--tokenizer': get('tokenizer') });
  return {
    source: get('source'),
    target: get('target'),
    validSource: get('valid-source'),
    validTarget: get('valid-target'),
    preset,
    vocabSize: vocabSize === undefined ? undefined : integerFlag('--vocab-size', vocabSize, 1, 1 << 24),
    tokenizer: get('tokenizer'),
    init: get('init'),
  };
}

function requireFiles(flags: RunFlags): RunFiles {
  for (const flag of ['source', 'target'] as const) {
    if (flags[flag] === undefined) throw new UsageError(`--${flag} FILE is required for a new run`);
  }
  if ((flags.validSource === undefined) !== (flags.validTarget === undefined)) {
    throw new UsageError('give both --valid-source and --valid-target, or neither');
  }
  const named: [string, string | undefined][] = [
    ['--source', flags.source],
    ['--target', flags.target],
    ['--valid-source', flags.validSource],
    ['--valid-target', flags.validTarget],
    ['--tokenizer', flags.tokenizer],
  ];
  for (const [flag, path] of named) {
    if (path !== undefined && !existsSync(path)) throw new UsageError(`${flag}: ${path} does not exist`);
  }
  return {
    source: flags.source!,
    target: flags.target!,
    validSource: flags.validSource ?? null,
    validTarget: flags.validTarget ?? null,
  };
}

/** A folder holding trained weights but no train.json is not ours to overwrite. */
function refuseUnknownRun(run: string): void {
  const weights = [join(run, WEIGHTS_FILE), ...checkpointCandidates(lastCheckpoint(run))];
  const found = weights.find((path) => existsSync(path));
  if (found !== undefined)
    throw new UsageError(
      `--run ${run} holds ${found} but no train.json, so it is not a run that can resume; choose another --run`,
    );
}

function checkOptions(options: TrainOptions, saved: RunRecord | null, files: RunFiles, bleuSentences: number): void {
  for (const key of ['seed', 'maxTokens'] as const) {
    if (saved !== null && saved.options[key] !== undefined && saved.options[key] !== options[key])
      throw new UsageError(
        `--set train.${key}=${options[key]}: the run being resumed was started with ${saved.options[key]}, ` +
          'and its saved position in the data depends on it',
      );
  }
  if (options.targetBleu > 0 && (files.validSource === null || bleuSentences === 0))
    throw new UsageError(
      '--set train.targetBleu needs validation BLEU: --valid-source, --valid-target and --bleu-sentences > 0',
    );
}

function writeConfig(run: string, config: ModelConfig): void {
  const path = join(run, CONFIG_FILE);
  const json = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, ...config };
  namingTarget(path, () => writeFileAtomic(path, [Buffer.from(`${JSON.stringify(json, null, 2)}\n`)]));
}
