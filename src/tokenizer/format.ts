// The tokenizer file: versioned JSON (docs/tokenizer-format.md), as text. Reading and writing it on disk
// is Node's part, in tokenizer-file.ts.

import { InputError } from '../errors.js';
import { parseJson } from '../io/json.js';
import { quoteJson } from '../quote.js';
import { buildVocabulary, SpecError, type TokenizerSpec } from './vocab.js';

/** The format marker of tokenizer.json. */
export const FORMAT = 'transformer-ts/tokenizer';
/** The version of tokenizer.json this library writes. */
export const VERSION = 1;

/** One array item per line, so that files diff well and stay readable. */
function arrayLines(items: readonly unknown[]): string {
  return items.length === 0 ? '[]' : `[\n    ${items.map((x) => JSON.stringify(x)).join(',\n    ')}\n  ]`;
}

export function formatTokenizer(spec: TokenizerSpec, pieces: readonly string[]): string {
  const fields: [string, string][] = [
    ['format', JSON.stringify(FORMAT)],
    ['version', String(VERSION)],
    ['model', JSON.stringify('bpe')],
    ['normalization', JSON.stringify('NFC')],
    ['specialTokens', JSON.stringify(spec.specialTokens)],
    ['alphabet', arrayLines(spec.alphabet)],
    ['merges', arrayLines(spec.merges)],
    ['vocab', arrayLines(pieces)],
  ];
  return `{\n${fields.map(([k, v]) => `  "${k}": ${v}`).join(',\n')}\n}\n`;
}

/** A tokenizer file that cannot be read; the message names the file and the field. */
export class TokenizerFileError extends InputError {}

/** The message of a tokenizer file that cannot be read, for `reason` (an error code). */
export function unreadableTokenizer(path: string, reason: string): TokenizerFileError {
  return new TokenizerFileError(`tokenizer file ${path}: cannot read it (${reason})`);
}

/** The spec a tokenizer file's text holds; `path` names the file in errors. */
export function parseTokenizer(text: string, path: string): TokenizerSpec {
  const fail = (field: string, problem: string): never => {
    throw new TokenizerFileError(`tokenizer file ${path}: field "${field}" ${problem}`);
  };
  const parsed = parseJson(text, (problem) => new TokenizerFileError(`tokenizer file ${path}: ${problem}`));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new TokenizerFileError(`tokenizer file ${path}: not a JSON object`);
  const json = parsed as Record<string, unknown>;
  if (json.format !== FORMAT) fail('format', `is ${quoteJson(json.format)}, expected "${FORMAT}"`);
  if (json.version !== VERSION) fail('version', `is ${quoteJson(json.version)}; this reader knows version ${VERSION}`);
  if (json.model !== 'bpe') fail('model', `is ${quoteJson(json.model)}, expected "bpe"`);
  if (json.normalization !== 'NFC') fail('normalization', `is ${quoteJson(json.normalization)}, expected "NFC"`);
  const strings = (field: string): string[] => {
    const value = json[field];
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) fail(field, 'must be an array of strings');
    return value as string[];
  };
  const specialTokens = strings('specialTokens');
  const alphabet = strings('alphabet');
  const merges = json.merges;
  if (
    !Array.isArray(merges) ||
    !merges.every((m) => Array.isArray(m) && m.length === 2 && m.every((x) => typeof x === 'string'))
  ) {
    fail('merges', 'must be an array of [string, string] pairs');
  }
  const spec = { specialTokens, alphabet, merges: merges as [string, string][] };
  let pieces: string[] = [];
  try {
    pieces = buildVocabulary(spec).pieces;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    fail(error.field, error.message);
  }
  const vocab = strings('vocab');
  const bad = pieces.findIndex((piece, id) => vocab[id] !== piece);
  if (bad >= 0 || vocab.length !== pieces.length) {
    fail('vocab', `disagrees with the special tokens, alphabet and merges at id ${bad >= 0 ? bad : pieces.length}`);
  }
  return spec;
}
