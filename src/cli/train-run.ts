// train.json: what a run was started with (data files, preset, vocabulary size, options) and the
// fingerprint of its data and tokenizer, so that a resumed run refuses, naming the flag or file, anything
// that would make it a different run than the one its checkpoints belong to.

import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { MARIAN_VOCAB_FILE } from '../tokenizer/marian-tokenizer.js';
import type { TrainOptions } from '../train/trainer.js';
import { describeChange, fingerprintFile, isFingerprint, type FileFingerprint } from '../train/fingerprint.js';
import { namingTarget, TRAIN_OPTIONS_FILE } from '../io/run-folder.js';
import { UsageError } from './flags.js';
import { systemErrorLine } from './report-error.js';
import { quote } from './settings.js';

export interface RunFiles {
  source: string;
  target: string;
  validSource: string | null;
  validTarget: string | null;
}

export interface RunFingerprint {
  data: Record<keyof RunFiles, FileFingerprint | null>;
  /** The run's own tokenizer.json. */
  tokenizer: FileFingerprint;
  /** The file --tokenizer named, or null when the run learned its tokenizer. */
  givenTokenizer: FileFingerprint | null;
}

/** The content of train.json. Runs started before fingerprints have neither preset nor fingerprint. */
export interface RunRecord {
  files: RunFiles;
  options: TrainOptions;
  preset?: string;
  /** --vocab-size of a learned tokenizer, null when --tokenizer gave one. */
  vocabSize?: number | null;
  fingerprint?: RunFingerprint;
  /** The model folder the run started from (train --init), as an absolute path. */
  init?: string;
}

/** What the command line says about the run's identity; undefined where a flag was not given. */
export interface RunFlags {
  source?: string;
  target?: string;
  validSource?: string;
  validTarget?: string;
  preset?: string;
  vocabSize?: number;
  tokenizer?: string;
  init?: string;
}

const FLAG_OF: Record<keyof RunFiles, string> = {
  source: '--source',
  target: '--target',
  validSource: '--valid-source',
  validTarget: '--valid-target',
};

/** train.json of `run`, or null for a new run. */
export function readRunRecord(run: string): RunRecord | null {
  const path = join(run, TRAIN_OPTIONS_FILE);
  if (!existsSync(path)) return null;
  let json: RunRecord;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch (error) {
    throw new InputError(`${path}: not a training run file (${(error as Error).message})`);
  }
  if (typeof json?.files?.source !== 'string' || typeof json.files.target !== 'string')
    throw new InputError(`${path}: not a training run file ("files" must name the source and target)`);
  if (typeof json.options !== 'object' || json.options === null)
    throw new InputError(`${path}: not a training run file ("options" must be an object)`);
  return json;
}

export function writeRunRecord(run: string, record: RunRecord): void {
  const path = join(run, TRAIN_OPTIONS_FILE);
  namingTarget(path, () => writeFileAtomic(path, [Buffer.from(`${JSON.stringify(record, null, 2)}\n`)]));
}

/** The run's tokenizer file: tokenizer.json, or the vocab.json of a run started from a Marian folder. */
export function runTokenizerFile(run: string): string {
  const ours = join(run, TOKENIZER_FILE);
  return !existsSync(ours) && existsSync(join(run, MARIAN_VOCAB_FILE)) ? join(run, MARIAN_VOCAB_FILE) : ours;
}

export async function fingerprintRun(run: string, files: RunFiles, givenTokenizer: string | null) {
  const data = {} as RunFingerprint['data'];
  for (const key of Object.keys(FLAG_OF) as (keyof RunFiles)[])
    data[key] = files[key] === null ? null : await fingerprintFile(files[key]!);
  return {
    data,
    tokenizer: await fingerprintFile(runTokenizerFile(run)),
    givenTokenizer: givenTokenizer === null ? null : await fingerprintFile(givenTokenizer),
  };
}

/** Refuses flags that name other data, another preset, vocabulary size or tokenizer than the run's. */
export function checkResumeFlags(record: RunRecord, flags: RunFlags): void {
  for (const [key, flag] of Object.entries(FLAG_OF) as [keyof RunFiles, string][]) {
    const given = flags[key];
    const saved = record.files[key];
    if (given !== undefined && (saved === null || resolve(given) !== resolve(saved)))
      throw new UsageError(
        `${flag} ${given}: the run being resumed was started with ${saved === null ? 'none' : saved}; ` +
          'give the same files or leave them out',
      );
  }
  const differs = (flag: string, given: unknown, saved: unknown) => {
    if (given !== undefined && saved !== undefined && given !== saved)
      throw new UsageError(
        `${flag} ${quote(given)}: the run being resumed was started with ${saved === null ? 'none' : quote(saved)}`,
      );
  };
  differs('--preset', flags.preset, record.preset);
  differs('--init', flags.init === undefined ? undefined : resolve(flags.init), record.init ?? null);
  differs('--vocab-size', flags.vocabSize, record.vocabSize);
  if (flags.tokenizer !== undefined && record.fingerprint?.givenTokenizer === null)
    throw new UsageError(`--tokenizer ${flags.tokenizer}: the run being resumed learned its own tokenizer`);
}

/**
 * Refuses data files, tokenizer.json or a --tokenizer file that differ from what the run started with.
 * Returns the fingerprint to keep: the saved one, or a new one for a run started before fingerprints.
 */
export async function checkUnchanged(run: string, record: RunRecord, tokenizer: string | undefined) {
  const now = await fingerprintRun(run, record.files, tokenizer ?? null);
  const saved = record.fingerprint;
  if (saved === undefined) return { ...now, givenTokenizer: null };
  for (const key of Object.keys(FLAG_OF) as (keyof RunFiles)[]) {
    const [before, after] = [saved.data?.[key], now.data[key]];
    const change = isFingerprint(before) && after !== null ? describeChange(before, after) : null;
    if (change !== null)
      throw new InputError(
        `${record.files[key]} (${FLAG_OF[key]}) changed since the run started (${change}); ` +
          'a resumed run needs the data it started with',
      );
  }
  const ownChange = isFingerprint(saved.tokenizer) ? describeChange(saved.tokenizer, now.tokenizer) : null;
  if (ownChange !== null) throw new InputError(`${runTokenizerFile(run)} changed since the run started (${ownChange})`);
  const given = saved.givenTokenizer;
  const givenChange =
    isFingerprint(given) && now.givenTokenizer !== null ? describeChange(given, now.givenTokenizer) : null;
  if (givenChange !== null)
    throw new UsageError(`--tokenizer ${tokenizer}: not the tokenizer the run started with (${givenChange})`);
  return saved;
}

/** Creates the run folder and checks that it can be written, naming --run when it cannot. */
export function makeRunFolder(run: string): void {
  try {
    if (existsSync(dirname(run)) && !existsSync(run)) mkdirSync(run);
    else mkdirSync(run, { recursive: true });
    accessSync(run, constants.W_OK);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const line = systemErrorLine(e.path === run ? { ...e, path: undefined } : e);
    if (line === null) throw error;
    throw new InputError(`--run ${run}: cannot create or write the run folder: ${line}`);
  }
}
