// The vocabulary layout: control tokens, user-defined special tokens, 256 byte tokens, characters, merges.

import { InputError } from '../errors.js';
import { quoteJson } from '../quote.js';
import type { Merge } from './learn-merges.js';

/** Stands for a space inside pieces, as in SentencePiece. */
export const META = '\u2581';

/** Fixed ids of the control tokens. */
export const PAD_ID = 0;
/** The id of <s>, begin of sequence. */
export const BOS_ID = 1;
/** The id of </s>, end of sequence. */
export const EOS_ID = 2;
/** The id of <unk>. */
export const UNK_ID = 3;
/** The special token masked-LM training adds to a tokenizer for the positions to fill (`train --task mlm`, `fill-mask`). */
export const MASK_TOKEN = '<mask>';
/** The pieces every tokenizer reserves, in id order. */
export const CONTROL_TOKENS = ['<pad>', '<s>', '</s>', '<unk>'] as const;

export function bytePiece(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** What a tokenizer is made of; everything else (ids, the merge table) follows from it. */
export interface TokenizerSpec {
  /** The four control tokens, then the user-defined special tokens. */
  specialTokens: string[];
  /** Single characters, each a piece; always holds META. */
  alphabet: string[];
  merges: Merge[];
}

/** A spec that contradicts itself; `field` names the offending part. */
export class SpecError extends InputError {
  constructor(
    readonly field: keyof TokenizerSpec,
    message: string,
  ) {
    super(message);
  }
}

export interface Vocabulary {
  pieces: string[];
  ids: Map<string, number>;
  /** Id of byte 0; bytes take ids byteBase..byteBase+255. */
  byteBase: number;
  /** Id of the first character piece; ids below it are special or byte tokens. */
  textBase: number;
}

/**
 * Ids follow the order of the spec: special tokens, bytes, the alphabet, then the result of each merge
 * that spells a piece not seen before.
 */
export function buildVocabulary(spec: TokenizerSpec): Vocabulary {
  CONTROL_TOKENS.forEach((piece, id) => {
    const got = spec.specialTokens[id];
    if (got !== piece)
      throw new SpecError('specialTokens', `special token ${id} must be "${piece}", got ${quoteJson(got)}`);
  });
  const pieces: string[] = [];
  const ids = new Map<string, number>();
  const byteBase = spec.specialTokens.length;
  const textBase = byteBase + 256;
  const add = (piece: string, field: keyof TokenizerSpec, what: string) => {
    if (ids.has(piece)) throw new SpecError(field, `${what} ${quoteJson(piece)} duplicates piece ${ids.get(piece)}`);
    ids.set(piece, pieces.length);
    pieces.push(piece);
  };
  for (const piece of spec.specialTokens) add(piece, 'specialTokens', 'special token');
  for (let b = 0; b < 256; b++) add(bytePiece(b), 'specialTokens', 'byte token');
  for (const ch of spec.alphabet) {
    if (Array.from(ch).length !== 1)
      throw new SpecError('alphabet', `entry ${quoteJson(ch)} is not a single character`);
    if (ch === ' ') throw new SpecError('alphabet', 'holds a space; spaces are written as U+2581');
    add(ch, 'alphabet', 'character');
  }
  if (!ids.has(META)) throw new SpecError('alphabet', 'lacks U+2581, the space symbol');
  spec.merges.forEach(([a, b], r) => {
    if (!((ids.get(a) ?? -1) >= textBase && (ids.get(b) ?? -1) >= textBase)) {
      throw new SpecError(
        'merges',
        `merge ${r} (${quoteJson(a)} ${quoteJson(b)}) uses a piece that no character or earlier merge makes`,
      );
    }
    const id = ids.get(a + b);
    if (id === undefined) add(a + b, 'merges', `merge ${r}`);
    else if (id < textBase) throw new SpecError('merges', `merge ${r} makes the reserved piece ${quoteJson(a + b)}`);
  });
  return { pieces, ids, byteBase, textBase };
}
