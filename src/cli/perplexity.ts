// `transformer perplexity --model DIR --input F`: the held-out perplexity of a text file under a decoder-only
// language model (src/eval/perplexity.ts), per character for a character model (vocabulary.json: the text
// as it is, line breaks included, as `transformer lm` reads it) and per token for a model with a tokenizer
// (tokenizer.json: each line's tokens followed by EOS).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VOCABULARY_FILE } from '../data/characters.js';
import { checkUtf8, textLines } from '../data/lines.js';
import { InputError } from '../errors.js';
import { perplexity } from '../eval/perplexity.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { pipeline } from '../pipeline/node.js';
import { PipelineError } from '../pipeline/options.js';
import type { TextCodec } from '../pipeline/source.js';
import { integerFlag, UsageError } from './flags.js';
import { lineTokenIds } from './lm-tokens.js';

export async function perplexityCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      stride: { type: 'string' },
      'batch-size': { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.model === undefined) throw new UsageError('--model DIR is required (transformer perplexity --help)');
  if (values.input === undefined) throw new UsageError('--input FILE is required (the text to score)');
  const batchSize = integerFlag('--batch-size', values['batch-size'], 1);
  const { model, tokenizer } = await openLanguageModel(values.model);
  const { maxLength } = model.config;
  const stride = values.stride === undefined ? maxLength : integerFlag('--stride', values.stride, 1, maxLength);
  const characters = !existsSync(join(values.model, TOKENIZER_FILE)) && existsSync(join(values.model, VOCABULARY_FILE));
  const bytes = readFileSync(values.input);
  const ids: ArrayLike<number> = characters
    ? characterIds(bytes, values.input, tokenizer)
    : tokenIds(bytes, values.input, tokenizer);
  const unit = characters ? 'character' : 'token';
  if (ids.length < 2) throw new InputError(`${values.input}: ${ids.length} ${unit}(s); perplexity needs at least 2`);
  const result = perplexity(model, ids, { stride, batchSize });
  const bits = result.nll / result.scored / Math.LN2;
  if (values.json) console.log(JSON.stringify({ ...result, unit, bitsPerUnit: bits, stride }));
  else
    console.log(
      `perplexity ${result.perplexity.toFixed(3)} per ${unit} (${bits.toFixed(4)} bits per ${unit}; ` +
        `${result.scored.toLocaleString('en-US')} ${unit}s scored, windows of ${maxLength}, stride ${stride})`,
    );
  return 0;
}

/** The folder's decoder-only model and its text codec, or a one-line error naming what the folder holds. */
async function openLanguageModel(dir: string) {
  try {
    const generator = await pipeline('text-generation', dir);
    return { model: generator.model, tokenizer: generator.tokenizer };
  } catch (error) {
    if (error instanceof PipelineError && error.message.startsWith('text-generation '))
      throw new InputError(error.message.replace('text-generation ', 'perplexity '));
    throw error;
  }
}

/** The text as it is (line breaks included) as character ids; an unknown character names its line. */
function characterIds(bytes: Buffer, name: string, codec: TextCodec): number[] {
  checkUtf8(bytes, name);
  const lines = bytes.toString('utf8').split('\n');
  const ids: number[] = [];
  lines.forEach((line, i) => {
    try {
      if (i > 0) ids.push(...codec.encode('\n'));
      ids.push(...codec.encode(line));
    } catch (error) {
      throw new InputError(`${name}:${i + 1}: ${(error as Error).message}`);
    }
  });
  return ids;
}

/** Each line's tokens followed by EOS, as `lm --tokenizer` trains on them. */
function tokenIds(bytes: Buffer, name: string, codec: TextCodec): ArrayLike<number> {
  return lineTokenIds(textLines(bytes, name), codec);
}
