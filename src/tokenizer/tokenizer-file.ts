// Node's part of the tokenizer file: reading it from disk and writing it atomically. Tokenizer.load and
// Tokenizer.save reach it only when called, so that a page can import the tokenizer without Node.

import { readFile } from 'node:fs/promises';

import { writeFileAtomic } from '../io/atomic.js';
import { formatTokenizer, parseTokenizer, unreadableTokenizer } from './format.js';
import type { TokenizerSpec } from './vocab.js';

export async function readTokenizerFile(path: string): Promise<TokenizerSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadableTokenizer(path, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  return parseTokenizer(text, path);
}

/** Writes to a temporary file beside `path`, then renames it over `path`; errors name `path`. */
export async function writeTokenizerFile(path: string, spec: TokenizerSpec, pieces: readonly string[]): Promise<void> {
  writeFileAtomic(path, [Buffer.from(formatTokenizer(spec, pieces), 'utf8')]);
}
