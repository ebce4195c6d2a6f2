// `transformer export-marian --model DIR --out DIR`: an encoder-decoder model folder (ours, or a Marian
// folder again) written as a Hugging Face MarianMT folder that transformers' MarianMTModel and
// MarianTokenizer load: config.json, model.safetensors, and with a tokenizer vocab.json, source.spm
// and target.spm. The folder is built beside --out and renamed into place when complete.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { InputError } from '../errors.js';
import { isEmptyFolder, writeFolderAtomic } from '../io/atomic.js';
import { saveMarian, type MarianGeneration, type SaveMarianOptions } from '../io/marian.js';
import { marianTokenizerFromBpe } from '../io/marian-spm.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { openModelFolder } from '../io/open-folder.js';
import { EncoderDecoder } from '../model/index.js';
import { quoteList } from '../quote.js';
import { MarianTokenizer } from '../tokenizer/marian-tokenizer.js';
import { integerFlag, UsageError } from './flags.js';

export async function exportMarian(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      beam: { type: 'string' },
      'max-length': { type: 'string' },
    },
  });
  if (values.model === undefined || values.out === undefined)
    throw new UsageError('--model DIR and --out DIR are required (transformer export-marian --help)');
  const out = values.out;
  checkNewFolder(out);
  const beam = values.beam === undefined ? undefined : integerFlag('--beam', values.beam, 1);
  const maxLength =
    values['max-length'] === undefined ? undefined : integerFlag('--max-length', values['max-length'], 2);
  const { model, options } = await read(values.model);
  const generation: MarianGeneration = {
    beam: beam ?? options.generation?.beam ?? 4,
    maxLength: maxLength ?? options.generation?.maxLength ?? model.config.maxLength,
    bannedIds: options.generation?.bannedIds ?? [],
  };
  // The folder appears whole or not at all: a model Marian cannot express leaves nothing behind.
  await writeFolderAtomic(out, (temp) => saveMarian(temp, model, { ...options, generation }));
  const files = [
    'config.json',
    'model.safetensors',
    ...(options.tokenizer ? ['vocab.json', 'source.spm', 'target.spm'] : []),
  ];
  console.log(`${out}: ${files.join(', ')}`);
  if (options.tokenizer === undefined)
    console.error(
      `transformer export-marian: ${values.model} has no ${TOKENIZER_FILE}; the folder has no tokenizer files`,
    );
  return 0;
}

/**
 * --out must be a new folder (or an empty one): exporting never mixes with or replaces other files. Like
 * --output naming the --input file, a wrong --out is a mistake of the command line.
 */
export function checkNewFolder(out: string): void {
  if (!existsSync(out) || isEmptyFolder(out)) return;
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; give a new folder`);
  throw new UsageError(
    `--out ${out} already holds ${quoteList(readdirSync(out).sort(), 5)}; give a new or empty folder`,
  );
}

async function read(dir: string): Promise<{ model: EncoderDecoder; options: SaveMarianOptions }> {
  const opened = await openModelFolder(dir);
  const { model } = opened;
  if (!(model instanceof EncoderDecoder))
    throw new InputError(`export-marian needs an encoder-decoder model; ${dir} holds a ${model.config.kind} model`);
  if (opened.format === 'marian')
    return { model, options: { tokenizer: opened.tokenizer ?? undefined, generation: opened.marian } };
  const { tokenizer } = opened;
  if (tokenizer instanceof MarianTokenizer) {
    // A run started from a Marian folder (train --init): Marian again, whose decoding never emits the pad token.
    const generation = { beam: 4, maxLength: model.config.maxLength, bannedIds: [tokenizer.padId] };
    return { model, options: { tokenizer, generation } };
  }
  return { model, options: tokenizer === null ? {} : { tokenizer: marianTokenizerFromBpe(tokenizer) } };
}
