// `transformer tokenizer learn|encode|decode`: learn a BPE tokenizer from text files, and apply it to
// standard input line by line (encode: text -> space-separated ids or pieces; decode: ids -> text).

import { parseArgs } from 'node:util';

import { allLines, textLines } from '../data/lines.js';
import { InputError, isInputError } from '../errors.js';
import { readFileNamed } from '../io/files.js';
import { quote } from '../quote.js';
import { learnBpe } from '../tokenizer/learn.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { integerFlag, numberFlag, UsageError } from './flags.js';

async function loadTokenizer(path: string | undefined): Promise<Tokenizer> {
  if (path === undefined) throw new UsageError('--tokenizer FILE is required');
  try {
    return await Tokenizer.load(path);
  } catch (error) {
    // The reader's messages name the file and field; like a model folder's, they are the user's problem.
    if (isInputError(error) || (error as Error).message?.startsWith('tokenizer file '))
      throw new InputError((error as Error).message);
    throw error;
  }
}

async function learn(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      input: { type: 'string', multiple: true },
      'vocab-size': { type: 'string' },
      output: { type: 'string' },
      'min-frequency': { type: 'string', default: '2' },
      'character-coverage': { type: 'string', default: '0.9995' },
      special: { type: 'string', multiple: true },
    },
  });
  if (values.input === undefined) throw new UsageError('--input FILE is required');
  if (values.output === undefined) throw new UsageError('--output FILE is required');
  const vocabSize = integerFlag('--vocab-size', values['vocab-size'], 1);
  const minFrequency = integerFlag('--min-frequency', values['min-frequency'], 1);
  const coverage = numberFlag('--character-coverage', values['character-coverage'], { above: 0, max: 1 });
  if (values.special?.includes('')) throw new UsageError('--special needs a token, got an empty one');
  const lines: string[] = [];
  for (const path of values.input) for (const line of textLines(readFileNamed(path), path)) lines.push(line);
  let tokenizer: Tokenizer;
  try {
    tokenizer = learnBpe(lines, {
      vocabSize,
      minFrequency,
      characterCoverage: coverage,
      specialTokens: values.special,
    });
  } catch (error) {
    // learnBpe checks its options with RangeError: here they are the flags' values.
    if (!(error instanceof RangeError)) throw error;
    throw new UsageError(`--vocab-size ${error.message.replace(/^vocabSize /, '')}`);
  }
  await tokenizer.save(values.output);
  console.log(
    `${values.output}: ${tokenizer.vocabSize} pieces (${tokenizer.spec.alphabet.length} characters, ${tokenizer.spec.merges.length} merges)`,
  );
  return 0;
}

async function encode(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      tokenizer: { type: 'string' },
      pieces: { type: 'boolean', default: false },
      bos: { type: 'boolean', default: false },
      eos: { type: 'boolean', default: false },
      'allow-special': { type: 'boolean', default: false },
    },
  });
  const tokenizer = await loadTokenizer(values.tokenizer);
  const options = { addBos: values.bos, addEos: values.eos, allowSpecial: values['allow-special'] };
  const out = (await allLines(process.stdin)).map((line) =>
    values.pieces ? tokenizer.encodePieces(line, options).join(' ') : tokenizer.encode(line, options).join(' '),
  );
  process.stdout.write(out.map((line) => `${line}\n`).join(''));
  return 0;
}

async function decode(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { tokenizer: { type: 'string' } } });
  const tokenizer = await loadTokenizer(values.tokenizer);
  const out = (await allLines(process.stdin)).map((line, i) => {
    const fields = line.split(/[ \t]+/).filter((f) => f !== '');
    const ids = fields.map((f) => {
      const id = Number(f);
      if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
        throw new InputError(`stdin:${i + 1}: ${quote(f)} is not a token id (0..${tokenizer.vocabSize - 1})`);
      }
      return id;
    });
    return tokenizer.decode(ids);
  });
  process.stdout.write(out.map((line) => `${line}\n`).join(''));
  return 0;
}

export async function tokenizer(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'learn') return learn(rest);
  if (what === 'encode') return encode(rest);
  if (what === 'decode') return decode(rest);
  throw new UsageError(
    `${what === undefined ? 'which one?' : `unknown sub-command ${quote(what)};`} learn, encode or decode (transformer tokenizer --help)`,
  );
}
