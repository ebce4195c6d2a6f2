// What the readers' fuzz test asks of every read: a failure is an InputError in one line of bounded
// length naming the file; a success gives an object that works. A tally of the outcomes is printed
// after a long run, to see what the mutations reached.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { greedy, sample } from '../../src/decode/index.js';
import { InputError } from '../../src/errors.js';
import type { DecoderOnly, EncoderDecoder, EncoderOnly, Model } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import type { SentencePieceModel } from '../../src/tokenizer/sentencepiece/index.js';
import type { Tokenizer } from '../../src/tokenizer/tokenizer.js';

/** Rethrows anything but an InputError (the bug it is); an InputError must be one line naming a file. */
export function expectInputError(error: unknown, ...files: string[]): void {
  if (!(error instanceof InputError)) throw error;
  const message = error.message;
  if (message.includes('\n')) throw new Error(`a message of several lines: ${JSON.stringify(message)}`);
  if (message.length > 2000) throw new Error(`a message of ${message.length} characters: ${message.slice(0, 200)}`);
  if (!files.some((f) => message.includes(f))) throw new Error(`the message names none of ${files}: ${message}`);
}

/** How often each reader read or refused a file, refusals grouped by the shape of their message. */
export class Tally {
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(private readonly root: string) {}

  add(reader: string, outcome: string): void {
    const outcomes = this.counts.get(reader) ?? new Map<string, number>();
    this.counts.set(reader, outcomes);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }

  /** Paths, quoted parts and numbers replaced, so that refusals of one kind count together. */
  kindOf(message: string): string {
    return message
      .replaceAll(this.root, '')
      .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
      .replace(/\d+/g, 'N')
      .slice(0, 100);
  }

  print(): void {
    for (const [reader, outcomes] of this.counts) {
      console.log(`${reader}:`);
      for (const [outcome, n] of [...outcomes].sort((a, b) => b[1] - a[1]).slice(0, 20))
        console.log(`  ${n}  ${outcome}`);
    }
  }
}

/** Runs `read`: a success is checked by `use`, a failure by expectInputError; both are tallied. */
export async function readOrRefuse<R>(
  tally: Tally,
  reader: string,
  read: () => R | Promise<R>,
  use: (result: R) => void,
  ...files: string[]
): Promise<void> {
  let result: R;
  try {
    result = await read();
  } catch (error) {
    expectInputError(error, ...files);
    tally.add(reader, `refused: ${tally.kindOf((error as Error).message)}`);
    return;
  }
  use(result);
  tally.add(reader, 'read');
}

/** Runs `body` with `file` of the folder `dir` replaced by `edit(its bytes)`, then puts the file back. */
export async function withEdited(
  dir: string,
  file: string,
  edit: (bytes: Uint8Array) => Uint8Array,
  body: () => Promise<void>,
): Promise<void> {
  const path = join(dir, file);
  const original = readFileSync(path);
  writeFileSync(path, edit(new Uint8Array(original)));
  try {
    await body();
  } finally {
    writeFileSync(path, original);
  }
}

// What a loaded object must do.
export const TEXT = 'the cat sat on the mat. Ünïcödé ▁ 猫';

/** Our tokenizer's promise: decode(encode(x)) is x in NFC. */
export function useTokenizer(tokenizer: Tokenizer): void {
  assert.equal(tokenizer.decode(tokenizer.encode(TEXT)), TEXT.normalize('NFC'));
}

/** A few tokens decoded (or one forward pass), every id inside the vocabulary. */
export function useModel(model: Model): void {
  const V = model.config.vocabSize;
  const ids = [Math.min(5, V - 1), model.config.eosId];
  if (model.config.kind === 'encoder-decoder') {
    const [h] = greedy(model as EncoderDecoder, [ids], { maxLenA: 0, maxLenB: 3 });
    assert.ok(h.tokens.length <= 3 && h.tokens.every((t) => t >= 0 && t < V));
  } else if (model.config.kind === 'decoder-only') {
    const [s] = sample(model as DecoderOnly, [ids], { maxNewTokens: 3, seed: 1 });
    assert.ok(s.tokens.length <= 3 && s.tokens.every((t) => t >= 0 && t < V));
  } else {
    const shape = tidy(() =>
      T.noGrad(() => (model as EncoderOnly).forward(Tensor.from(Int32Array.from(ids), [1, ids.length])).shape),
    );
    assert.equal(shape[0], 1);
  }
}

export function useSentencePiece(model: SentencePieceModel): void {
  const ids = model.encode(TEXT);
  assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < model.size));
  assert.equal(typeof model.decode(ids), 'string');
}
