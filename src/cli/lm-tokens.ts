// The text of a token-level language model (`lm --tokenizer F|--vocab-size N`): the tokenizer, given or
// learned (BPE) from the training text, and the stream of ids it trains and is scored on (`perplexity`):
// each line's tokens followed by EOS, so that a continuation ends where a line would.

import { Tokenizer, learnBpe } from '../tokenizer/index.js';
import { UsageError } from './flags.js';

/** Encodes text as ids, EOS appended when asked (a Tokenizer, or a pipeline's codec). */
interface Encoder {
  encode(text: string, options?: { addEos?: boolean }): Iterable<number>;
}

/** Each line's ids followed by EOS, one stream. */
export function lineTokenIds(lines: readonly string[], tokenizer: Encoder): Int32Array {
  const ids: number[] = [];
  for (const line of lines) for (const id of tokenizer.encode(line, { addEos: true })) ids.push(id);
  return Int32Array.from(ids);
}

/** The lines of a text without their line ends ("\n" or "\r\n"); a final line break adds no empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The tokenizer of --tokenizer FILE, or BPE with --vocab-size pieces learned from `lines` of `textName`. */
export async function lmTokenizer(
  given: string | undefined,
  vocabSize: number,
  lines: readonly string[],
  textName: string,
): Promise<Tokenizer> {
  if (given !== undefined) return Tokenizer.load(given);
  try {
    return learnBpe(lines, { vocabSize });
  } catch (error) {
    // The learner states the smallest vocabulary this text allows: its alphabet, bytes and special tokens.
    const base = /base vocabulary of (\d+) \((.*)\)/.exec((error as Error).message);
    if (base === null) throw error;
    throw new UsageError(
      `--vocab-size ${vocabSize} is too small for ${textName}: the minimum is ${base[1]} (${base[2]})`,
    );
  }
}
