// `train --init DIR`: a run that starts from a model folder, ours or a Hugging Face Marian folder (an
// opus-mt model), instead of from random weights: the folder's weights, its model config and its
// tokenizer are kept. The run folder stays ours (config.json, model.safetensors, checkpoints); a Marian
// folder's tokenizer files are copied into it, so that it translates, resumes and exports like any run.

import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { namingTarget } from '../io/run-folder.js';
import { openModelFolder } from '../io/open-folder.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { EncoderDecoder } from '../model/index.js';
import {
  MarianTokenizer,
  MARIAN_SOURCE_SPM,
  MARIAN_TARGET_SPM,
  MARIAN_TARGET_VOCAB_FILE,
  MARIAN_TOKENIZER_CONFIG,
  MARIAN_VOCAB_FILE,
} from '../tokenizer/marian-tokenizer.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { UsageError } from './flags.js';

/** A Marian folder's tokenizer files, each copied when present. */
const MARIAN_TOKENIZER_FILES = [
  MARIAN_VOCAB_FILE,
  MARIAN_TARGET_VOCAB_FILE,
  MARIAN_SOURCE_SPM,
  MARIAN_TARGET_SPM,
  MARIAN_TOKENIZER_CONFIG,
];

export interface InitFolder {
  /** The folder, as an absolute path (recorded in train.json). */
  dir: string;
  model: EncoderDecoder;
  tokenizer: Tokenizer | MarianTokenizer;
}

/** The folder --init names: an encoder-decoder model with its tokenizer, in training mode. */
export async function openInitFolder(dir: string): Promise<InitFolder> {
  if (!existsSync(dir)) throw new UsageError(`--init ${dir} does not exist`);
  const opened = await openModelFolder(dir);
  if (!(opened.model instanceof EncoderDecoder))
    throw new UsageError(
      `--init ${dir} holds a ${opened.model.config.kind} model; train continues translation (encoder-decoder) models`,
    );
  if (opened.tokenizer === null)
    throw new UsageError(`--init ${dir} has no ${TOKENIZER_FILE}: the run keeps the folder's tokenizer`);
  return { dir: resolve(dir), model: opened.model, tokenizer: opened.tokenizer };
}

/** Flags (by name, undefined when not given) that would make another model or tokenizer than the --init folder's. */
export function checkInitFlags(flags: Record<string, unknown>): void {
  const given = Object.keys(flags).find((flag) => flags[flag] !== undefined);
  if (given !== undefined)
    throw new UsageError(`${given} contradicts --init: the run keeps the model folder's config and tokenizer`);
}

/** Writes the tokenizer into the new run: tokenizer.json, or a Marian folder's tokenizer files. */
export async function saveInitTokenizer(init: InitFolder, run: string): Promise<void> {
  if (init.tokenizer instanceof Tokenizer) {
    const path = join(run, TOKENIZER_FILE);
    await namingTarget(path, () => (init.tokenizer as Tokenizer).save(path));
    return;
  }
  for (const file of MARIAN_TOKENIZER_FILES)
    if (existsSync(join(init.dir, file))) copyFileSync(join(init.dir, file), join(run, file));
}

/** The tokenizer of a run being resumed: tokenizer.json, or the Marian files of a run started from a Marian folder. */
export async function loadRunTokenizer(run: string): Promise<Tokenizer | MarianTokenizer> {
  if (!existsSync(join(run, TOKENIZER_FILE)) && existsSync(join(run, MARIAN_VOCAB_FILE)))
    return MarianTokenizer.load(run);
  return Tokenizer.load(join(run, TOKENIZER_FILE));
}
