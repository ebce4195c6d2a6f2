// `transformer lm`: a decoder-only language model trained on a text file, into a run folder that is also a
// model folder (config.json, model.safetensors) with its vocabulary: characters (vocabulary.json) by default,
// or subword tokens (tokenizer.json, given with --tokenizer or learned with --vocab-size; lm-tokens.ts), the
// options (lm.json) and one JSON line per update and per validation (metrics.jsonl).

import { isUtf8 } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backend } from '../backend/registry.js';
import { setNativeThreads } from '../backend/native/index.js';
import { CharacterVocabulary, VOCABULARY_FILE } from '../data/characters.js';
import { saveCharacterVocabulary } from '../data/character-file.js';
import { CorpusError } from '../data/lines.js';
import { firstInvalidUtf8 } from '../data/utf8.js';
import { writeFileAtomic } from '../io/atomic.js';
import { saveModel } from '../io/model-folder.js';
import { LM_OPTIONS_FILE } from '../io/run-folder.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { ConfigError, createModel, makeConfig, type DecoderOnly, type ModelConfig } from '../model/index.js';
import { LmTrainer, splitText, VALID_FRACTION, type LmOptions } from '../train/lm-trainer.js';
import { TrainingDiverged } from '../train/trainer.js';
import { METRICS_FILE } from '../io/metrics-file.js';
import { UsageError, integerFlag } from './flags.js';
import { LmReporter } from './lm-report.js';
import { lmModelDefaults, parseLmSettings } from './lm-options.js';
import { onInterrupt } from './interrupt.js';
import { makeRunFolder } from './train-run.js';
import { lineTokenIds, lmTokenizer, splitLines } from './lm-tokens.js';

const USAGE =
  'usage: transformer lm --text FILE --run DIR [--tokenizer FILE | --vocab-size N] [--minutes M] [--steps S]\n' +
  '  [--seq N] [--batch B] [--threads T]\n' +
  '  [--set model.KEY=VALUE]... [--set train.KEY=VALUE]...   e.g. --set \'model.attention={"kind":"local","window":64}\'';

interface LmFlags {
  text: string;
  run: string;
  options: LmOptions;
  /** --set model.* overrides. */
  model: Record<string, unknown>;
  /** A token-level model: the tokenizer.json to use, or the size of the one to learn. */
  tokenizer?: string;
  vocabSize?: number;
}

export async function lm(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === null) {
    console.log(USAGE);
    return 0;
  }
  const { run, options } = flags;
  const { vocabulary, tokenizer, train, valid, model } = await prepare(flags);
  makeRunFolder(run);
  if (tokenizer === null) saveCharacterVocabulary(join(run, VOCABULARY_FILE), vocabulary!);
  else await tokenizer.save(join(run, TOKENIZER_FILE));
  const about = { text: flags.text, tokenizer: flags.tokenizer, vocabSize: flags.vocabSize, options };
  writeFileAtomic(join(run, LM_OPTIONS_FILE), [Buffer.from(`${JSON.stringify(about, null, 2)}\n`)]);
  const report = new LmReporter(run, tokenizer === null ? 'char' : 'token');
  const parameters = model.parameterCount();
  report.start({
    parameters,
    chars: train.length + valid.length,
    trainChars: train.length,
    validChars: valid.length,
    options,
  });
  report.note(
    `${run}: ${parameters.toLocaleString('en-US')} parameters, ` +
      (tokenizer === null ? `${vocabulary!.chars.length} characters, ` : `${tokenizer.vocabSize} tokens, `) +
      `attention ${JSON.stringify(model.config.attention)}, ${options.batch} x ${options.seq} ${tokenizer === null ? 'characters' : 'tokens'} per update, ` +
      `backend ${backend().name}`,
  );
  const trainer = new LmTrainer(model, train, valid, options, {
    onStep: (s) => report.step(s),
    onValidation: (v) => report.validation(v),
  });
  const stopHandlers = onInterrupt(
    () => trainer.requestStop(),
    (signal) => report.note(`${signal}: stopping after this update (${signal} again to abort without saving)`),
  );
  try {
    const { steps, elapsedSeconds, reason } = await trainer.run();
    const tokenizerPath = tokenizer === null ? undefined : join(run, TOKENIZER_FILE);
    await saveModel(run, model, { metadata: { step: String(steps) }, tokenizerPath });
    report.end(reason, steps, elapsedSeconds);
  } catch (error) {
    if (!(error instanceof TrainingDiverged)) throw error;
    report.note(error.message);
    return 1;
  } finally {
    stopHandlers();
  }
  return 0;
}

/** The checked flags, or null for --help; --threads takes effect here. */
function parseFlags(argv: string[]): LmFlags | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      text: { type: 'string' },
      run: { type: 'string' },
      minutes: { type: 'string' },
      steps: { type: 'string' },
      seq: { type: 'string' },
      batch: { type: 'string' },
      threads: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      tokenizer: { type: 'string' },
      'vocab-size': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  if (values.text === undefined) throw new UsageError('--text FILE is required (the text to learn)');
  if (values.run === undefined) throw new UsageError('--run DIR is required (the run folder)');
  const settings = parseLmSettings(values.set);
  const options: LmOptions = { ...settings.train };
  if (values.minutes !== undefined) options.minutes = minutesFlag(values.minutes);
  if (values.steps !== undefined) options.steps = integerFlag('--steps', values.steps, 0);
  if (values.seq !== undefined) options.seq = integerFlag('--seq', values.seq, 1, 1 << 20);
  if (values.batch !== undefined) options.batch = integerFlag('--batch', values.batch, 1, 65536);
  if (options.minutes === 0 && options.steps === 0)
    throw new UsageError('give a limit: --minutes M or --steps S (or both)');
  if (options.schedule === 'cosine' && options.steps === 0)
    throw new UsageError('train.schedule=cosine decays over the steps; give --steps');
  if (values.threads !== undefined && backend().name === 'native')
    setNativeThreads(integerFlag('--threads', values.threads, 1, 1024));
  if (existsSync(join(values.run, METRICS_FILE)))
    throw new UsageError(`${values.run} already holds a run (${METRICS_FILE}); choose another --run or remove it`);
  if (values.tokenizer !== undefined && values['vocab-size'] !== undefined)
    throw new UsageError('give --tokenizer FILE or --vocab-size N, not both');
  const vocabSize =
    values['vocab-size'] === undefined ? undefined : integerFlag('--vocab-size', values['vocab-size'], 1, 1 << 20);
  return { text: values.text, run: values.run, options, model: settings.model, tokenizer: values.tokenizer, vocabSize };
}

/** The text as ids, split; its vocabulary (characters, or a tokenizer); the model. */
async function prepare(flags: LmFlags) {
  const text = readText(flags.text);
  const byTokens = flags.tokenizer !== undefined || flags.vocabSize !== undefined;
  const lines = byTokens ? splitLines(text) : [];
  const tokenizer = byTokens ? await lmTokenizer(flags.tokenizer, flags.vocabSize ?? 0, lines, flags.text) : null;
  const vocabulary = tokenizer === null ? CharacterVocabulary.fromText(text) : null;
  const ids = tokenizer === null ? vocabulary!.encode(text) : lineTokenIds(lines, tokenizer);
  const { train, valid } = splitText(ids);
  const { seq } = flags.options;
  if (valid.length < 2 || train.length < seq + 1)
    throw new UsageError(
      `--text ${flags.text} has ${ids.length} ${tokenizer === null ? 'characters' : 'tokens'}: too few for ` +
        `windows of --seq ${seq} and a held-out ${VALID_FRACTION * 100}%`,
    );
  const size = tokenizer === null ? vocabulary!.size : tokenizer.vocabSize;
  const model = createModel(modelConfig(size, seq, flags.model)) as DecoderOnly;
  return { vocabulary, tokenizer, train, valid, model };
}

function minutesFlag(value: string): number {
  const m = Number(value);
  if (value.trim() === '' || !(m >= 0 && m <= 100_000))
    throw new UsageError(`--minutes must be a number >= 0, got "${value}"`);
  return m;
}

function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `--text ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  // Decoding alone would turn a bad byte into U+FFFD and learn it as a character.
  const at = isUtf8(bytes) ? -1 : firstInvalidUtf8(bytes);
  if (at >= 0) {
    const lineStart = at === 0 ? 0 : bytes.lastIndexOf(0x0a, at - 1) + 1;
    const line = bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length + 1;
    const hex = bytes[at].toString(16).padStart(2, '0');
    throw new CorpusError(`${path}:${line}: invalid UTF-8 byte 0x${hex} at byte column ${at - lineStart + 1}`);
  }
  return bytes.toString('utf8');
}

/** The small defaults of lm-options.ts, the vocabulary and window length, then the --set model.* overrides. */
function modelConfig(vocabSize: number, seq: number, overrides: Record<string, unknown>): ModelConfig {
  let config: ModelConfig;
  try {
    config = makeConfig(null, { ...lmModelDefaults, vocabSize, maxLength: seq, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--set model.*: ${error.message}`);
    throw error;
  }
  if (config.kind !== 'decoder-only') throw new UsageError('--set model.kind: a language model is decoder-only');
  if (config.maxLength < seq)
    throw new UsageError(`--set model.maxLength ${config.maxLength} is shorter than a window (--seq ${seq})`);
  if (config.vocabSize < vocabSize)
    throw new UsageError(`--set model.vocabSize ${config.vocabSize} is smaller than the text's ${vocabSize} ids`);
  return config;
}
