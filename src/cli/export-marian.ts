// `transformer export-marian --model DIR --out DIR`: an encoder-decoder model folder (ours, or a Marian
// folder again) written as a Hugging Face MarianMT folder that transformers' MarianMTModel and
// MarianTokenizer load: config.json, model.safetensors, and with a tokenizer vocab.json, source.spm
// and target.spm.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { isMarianFolder, loadMarian, saveMarian, type MarianGeneration, type SaveMarianOptions } from '../io/marian.js';
import { marianTokenizerFromBpe } from '../io/marian-spm.js';
import { loadModel, loadTokenizer, ModelFolderError, TOKENIZER_FILE } from '../io/model-folder.js';
import { EncoderDecoder } from '../model/index.js';
import { integerFlag, UsageError } from './flags.js';

const USAGE = `usage: transformer export-marian --model DIR --out DIR [--beam K] [--max-length N]
  --beam K          num_beams recorded for generation (default 4, or the Marian folder's)
  --max-length N    max_length recorded for generation (default the model's maxLength, or the folder's)`;

export async function exportMarian(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      beam: { type: 'string' },
      'max-length': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.model === undefined || values.out === undefined)
    throw new UsageError(`--model DIR and --out DIR are required\n${USAGE}`);
  if (existsSync(join(values.out, 'config.json')))
    throw new UsageError(`${values.out} already holds a config.json; choose a new folder`);
  try {
    const { model, options } = await read(values.model);
    const generation: MarianGeneration = {
      beam: values.beam === undefined ? (options.generation?.beam ?? 4) : integerFlag('--beam', values.beam, 1),
      maxLength:
        values['max-length'] === undefined
          ? (options.generation?.maxLength ?? model.config.maxLength)
          : integerFlag('--max-length', values['max-length'], 2),
      bannedIds: options.generation?.bannedIds ?? [],
    };
    saveMarian(values.out, model, { ...options, generation });
    const files = [
      'config.json',
      'model.safetensors',
      ...(options.tokenizer ? ['vocab.json', 'source.spm', 'target.spm'] : []),
    ];
    console.log(`${values.out}: ${files.join(', ')}`);
    if (options.tokenizer === undefined)
      console.error(
        `transformer export-marian: ${values.model} has no ${TOKENIZER_FILE}; the folder has no tokenizer files`,
      );
    return 0;
  } catch (error) {
    if (error instanceof ModelFolderError) throw new UsageError(error.message);
    throw error;
  }
}

async function read(dir: string): Promise<{ model: EncoderDecoder; options: SaveMarianOptions }> {
  if (isMarianFolder(dir)) {
    const { model, tokenizer, generation } = await loadMarian(dir);
    return { model, options: { tokenizer, generation } };
  }
  const model = await loadModel(dir);
  if (!(model instanceof EncoderDecoder))
    throw new UsageError(`export-marian needs an encoder-decoder model; ${dir} holds a ${model.config.kind} model`);
  const tokenizer = await loadTokenizer(dir);
  return { model, options: tokenizer === null ? {} : { tokenizer: marianTokenizerFromBpe(tokenizer) } };
}
