// `transformer tokenizer learn|encode|decode`: learn a BPE tokenizer from text files, and apply it to
// standard input line by line (encode: text -> space-separated ids or pieces; decode: ids -> text).

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { learnBpe } from '../tokenizer/learn.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { integerFlag, UsageError } from './flags.js';

const USAGE = `usage:
  transformer tokenizer learn --input FILE [--input FILE ...] --vocab-size N --output tokenizer.json
      [--min-frequency N] [--character-coverage F] [--special TOKEN ...]
  transformer tokenizer encode --tokenizer tokenizer.json [--pieces] [--bos] [--eos] [--allow-special]  < text
  transformer tokenizer decode --tokenizer tokenizer.json  < ids`;

/** The lines of a UTF-8 file (a final newline ends the last line rather than starting an empty one). */
function utf8Lines(bytes: Uint8Array, name: string): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw new UsageError(`${name}: invalid UTF-8 on line ${line}`);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

async function readLines(path: string): Promise<string[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return utf8Lines(bytes, path);
}

async function stdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return utf8Lines(Buffer.concat(chunks), 'standard input');
}

async function loadTokenizer(path: string | undefined): Promise<Tokenizer> {
  if (path === undefined) throw new UsageError('--tokenizer FILE is required');
  try {
    return await Tokenizer.load(path);
  } catch (error) {
    throw new UsageError((error as Error).message);
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
  const coverage = Number(values['character-coverage']);
  if (!(coverage > 0 && coverage <= 1)) {
    throw new UsageError(`--character-coverage must be a number in (0, 1], got "${values['character-coverage']}"`);
  }
  const lines: string[] = [];
  for (const path of values.input) for (const line of await readLines(path)) lines.push(line);
  let tokenizer: Tokenizer;
  try {
    tokenizer = learnBpe(lines, {
      vocabSize,
      minFrequency,
      characterCoverage: coverage,
      specialTokens: values.special,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
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
  const out = (await stdinLines()).map((line) =>
    values.pieces ? tokenizer.encodePieces(line, options).join(' ') : tokenizer.encode(line, options).join(' '),
  );
  process.stdout.write(out.map((line) => `${line}\n`).join(''));
  return 0;
}

async function decode(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { tokenizer: { type: 'string' } } });
  const tokenizer = await loadTokenizer(values.tokenizer);
  const out = (await stdinLines()).map((line, i) => {
    const fields = line.split(/[ \t]+/).filter((f) => f !== '');
    const ids = fields.map((f) => {
      const id = Number(f);
      if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
        throw new UsageError(`standard input line ${i + 1}: "${f}" is not a token id (0..${tokenizer.vocabSize - 1})`);
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
  if (what === '--help' || what === '-h') {
    console.log(USAGE);
    return 0;
  }
  throw new UsageError(`unknown sub-command "${what ?? ''}"; expected learn, encode or decode\n${USAGE}`);
}
