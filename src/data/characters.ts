// A character vocabulary for character language models: every distinct character (Unicode code point) of a
// text, in code point order, after the three ids a model config reserves (padding, begin, end of sequence).
// Saved as vocabulary.json: {"format": "transformer-ts/characters", "version": 1, "chars": [...]}
// (character-file.ts reads and writes it on disk; pages parse fetched text with fromJson).

import { InputError } from '../errors.js';

/** The file of a character language model's folder that holds its vocabulary. */
export const VOCABULARY_FILE = 'vocabulary.json';
export const VOCABULARY_FORMAT = 'transformer-ts/characters';
const VERSION = 1;
/** Ids 0, 1, 2: padding, begin and end of sequence (ModelConfig's padId, bosId, eosId); unused in the text. */
export const RESERVED_IDS = 3;

/** A character language model's vocabulary: one id per character after the three reserved ids. */
export class CharacterVocabulary {
  private readonly ids = new Map<string, number>();

  constructor(readonly chars: readonly string[]) {
    chars.forEach((c, i) => this.ids.set(c, RESERVED_IDS + i));
  }

  /** The characters of `text`, sorted by code point. */
  static fromText(text: string): CharacterVocabulary {
    const seen = new Set<string>(text);
    return new CharacterVocabulary([...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  /** The vocabulary of vocabulary.json's text; `path` names the file in errors. */
  static fromJson(text: string, path: string): CharacterVocabulary {
    let json: { format?: unknown; version?: unknown; chars?: unknown } | null;
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = null;
    }
    const chars = json?.chars;
    if (
      json?.format !== VOCABULARY_FORMAT ||
      json.version !== VERSION ||
      !Array.isArray(chars) ||
      !chars.every((c) => typeof c === 'string' && [...c].length === 1)
    )
      throw new InputError(`${path}: not a ${VOCABULARY_FORMAT} version ${VERSION} file`);
    return new CharacterVocabulary(chars as string[]);
  }

  /** vocabulary.json's text. */
  toJson(): string {
    return `${JSON.stringify({ format: VOCABULARY_FORMAT, version: VERSION, chars: this.chars })}\n`;
  }

  /** Ids for the model's vocabulary: the reserved ones and one per character. */
  get size(): number {
    return RESERVED_IDS + this.chars.length;
  }

  /** One id per character; a character the vocabulary lacks is an error naming it. */
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length); // code units: at least as many as characters
    let n = 0;
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) throw new RangeError(`character ${JSON.stringify(c)} is not in the vocabulary`);
      out[n++] = id;
    }
    return out.slice(0, n);
  }

  /** The text of ids (reserved ids are skipped). */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    for (let i = 0; i < ids.length; i++)
      text += ids[i] >= RESERVED_IDS ? (this.chars[ids[i] - RESERVED_IDS] ?? '') : '';
    return text;
  }
}
