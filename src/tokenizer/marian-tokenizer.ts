// The tokenizer of a Hugging Face MarianMT folder: text -> source.spm pieces -> ids through vocab.json
// (a piece it lacks is <unk>), EOS appended; ids -> pieces through vocab.json (target_vocab.json when the
// vocabularies are separate) -> target.spm's decoding, special tokens dropped, as MarianTokenizer does.

import { InputError } from '../errors.js';
import { parseJson } from '../io/json.js';
import { quoteJson } from '../quote.js';
import { SentencePieceModel } from './sentencepiece/index.js';
import type { EncodeOptions } from './tokenizer.js';

export const MARIAN_VOCAB_FILE = 'vocab.json';
export const MARIAN_TARGET_VOCAB_FILE = 'target_vocab.json';
export const MARIAN_SOURCE_SPM = 'source.spm';
export const MARIAN_TARGET_SPM = 'target.spm';
export const MARIAN_TOKENIZER_CONFIG = 'tokenizer_config.json';

/** What translate and serve ask of a tokenizer: ours (Tokenizer) and MarianTokenizer both have it. */
export interface TextTokenizer {
  readonly vocabSize: number;
  /** The ids of a text. */
  encode(text: string, options?: EncodeOptions): Int32Array;
  /** Target-side text to ids, when the target side has a tokenizer of its own (Marian's target.spm). */
  encodeTarget?(text: string, options?: EncodeOptions): Int32Array;
  /** The text of ids. */
  decode(ids: ArrayLike<number>): string;
  /** The piece of an id. */
  idToPiece(id: number): string;
}

/** Special-token names, as tokenizer_config.json may rename them. */
export interface MarianSpecialTokens {
  eos: string;
  unk: string;
  pad: string;
}

/**
 * Node's reading of Marian folders on disk, named through a variable: bundlers for the browser leave it
 * alone, and a page never loads it unless it calls load with a path.
 */
const MARIAN_FOLDER_MODULE = '../io/marian.js';

export const DEFAULT_SPECIAL_TOKENS: MarianSpecialTokens = { eos: '</s>', unk: '<unk>', pad: '<pad>' };

/** A folder's tokenizer files that cannot be read; the message names the file. */
export class MarianTokenizerError extends InputError {}

/**
 * One direction of the vocabulary: piece <-> id. The ids need not be 0..N-1: an id that no piece has
 * (a gap, or beyond the last piece but inside the model's vocabulary) decodes as the unknown piece,
 * as Hugging Face's MarianTokenizer does.
 */
export class MarianVocabulary {
  readonly ids: Map<string, number>;
  readonly pieces: Map<number, string>;

  constructor(entries: Record<string, unknown>, file: string) {
    this.ids = new Map();
    this.pieces = new Map();
    for (const [piece, id] of Object.entries(entries)) {
      if (!Number.isSafeInteger(id) || (id as number) < 0)
        throw new MarianTokenizerError(
          `${file}: the id of ${quoteJson(piece)} is ${quoteJson(id)}, not an integer >= 0`,
        );
      if (this.pieces.has(id as number))
        throw new MarianTokenizerError(
          `${file}: id ${id} is given to both ${quoteJson(this.pieces.get(id as number))} and ${quoteJson(piece)}`,
        );
      this.ids.set(piece, id as number);
      this.pieces.set(id as number, piece);
    }
  }

  /** The id of a piece; a piece the vocabulary (read from `file`) lacks is an error naming it. */
  id(piece: string, file: string): number {
    const id = this.ids.get(piece);
    if (id === undefined) throw new MarianTokenizerError(`${file} has no ${quoteJson(piece)}`);
    return id;
  }
}

/** A SentencePiece model with the bytes of its file (written again on export). */
export interface SpmFile {
  model: SentencePieceModel;
  bytes: Uint8Array;
}

export class MarianTokenizer implements TextTokenizer {
  readonly sourceSpm: SentencePieceModel;
  readonly targetSpm: SentencePieceModel;
  readonly sourceSpmBytes: Uint8Array;
  readonly targetSpmBytes: Uint8Array;
  readonly eosId: number;
  readonly unkId: number;
  readonly padId: number;
  private readonly special: Set<number>;

  constructor(
    source: SpmFile,
    target: SpmFile,
    private readonly sourceVocab: MarianVocabulary,
    private readonly targetVocab: MarianVocabulary,
    readonly specialTokens: MarianSpecialTokens = DEFAULT_SPECIAL_TOKENS,
    /** Where the vocabulary came from, for error messages. */
    readonly vocabFile = MARIAN_VOCAB_FILE,
  ) {
    [this.sourceSpm, this.sourceSpmBytes] = [source.model, source.bytes];
    [this.targetSpm, this.targetSpmBytes] = [target.model, target.bytes];
    this.eosId = sourceVocab.id(specialTokens.eos, vocabFile);
    this.unkId = sourceVocab.id(specialTokens.unk, vocabFile);
    this.padId = sourceVocab.id(specialTokens.pad, vocabFile);
    const names = Object.values(specialTokens);
    this.special = new Set(names.flatMap((p) => [targetVocab.ids.get(p) ?? -1]));
  }

  /**
   * Reads a folder's vocab.json (and target_vocab.json when tokenizer_config.json says separate_vocabs),
   * source.spm and target.spm (Node only; a page opens the folder with openModelFolderFrom).
   */
  static async load(dir: string): Promise<MarianTokenizer> {
    const folders = (await import(/* webpackIgnore: true */ /* @vite-ignore */ MARIAN_FOLDER_MODULE)) as {
      loadMarianTokenizer(dir: string): Promise<MarianTokenizer>;
    };
    return folders.loadMarianTokenizer(dir);
  }

  /** Entries of vocab.json (the source side, and the target side when shared). */
  get vocabSize(): number {
    return this.sourceVocab.ids.size;
  }

  get targetVocabSize(): number {
    return this.targetVocab.ids.size;
  }

  /** True when target_vocab.json holds the target side. */
  get separateVocabs(): boolean {
    return this.sourceVocab !== this.targetVocab;
  }

  /** The largest id of each side, plus one: what the model's embeddings must cover. */
  idLimits(): { source: number; target: number } {
    const limit = (v: MarianVocabulary) => {
      let top = -1;
      for (const id of v.pieces.keys()) top = Math.max(top, id);
      return top + 1;
    };
    return { source: limit(this.sourceVocab), target: limit(this.targetVocab) };
  }

  /** Source text -> ids. A leading language code such as ">>de<<" is one piece of its own, as in MarianTokenizer. */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    return this.encodeWith(text, this.sourceSpm, this.sourceVocab, options.addEos === true);
  }

  /** Target text -> ids (for scoring a reference translation), EOS appended when asked. */
  encodeTarget(text: string, options: EncodeOptions = {}): Int32Array {
    return this.encodeWith(text, this.targetSpm, this.targetVocab, options.addEos === true);
  }

  /** Source text -> the pieces encode() looks up. */
  encodePieces(text: string): string[] {
    const [code, rest] = splitLanguageCode(text);
    return [...code, ...this.sourceSpm.encodePieces(rest)];
  }

  /** Target ids -> text: special tokens are dropped, the rest decoded by target.spm and trimmed. */
  decode(ids: ArrayLike<number>): string {
    const pieces: string[] = [];
    for (let i = 0; i < ids.length; i++) if (!this.special.has(ids[i])) pieces.push(this.idToPiece(ids[i]));
    return this.targetSpm.decodePieces(pieces).replaceAll('\u2581', ' ').trim();
  }

  /**
   * The piece of a target id (the same vocabulary as the source unless they are separate); an id that
   * no piece has is the unknown piece.
   */
  idToPiece(id: number): string {
    return this.targetVocab.pieces.get(id) ?? this.specialTokens.unk;
  }

  /** The id of a piece in the vocabulary, or undefined. */
  pieceToId(piece: string): number | undefined {
    return this.sourceVocab.ids.get(piece);
  }

  /** The source vocabulary as vocab.json holds it. */
  vocabJson(): Record<string, number> {
    return Object.fromEntries(this.sourceVocab.ids);
  }

  private encodeWith(text: string, spm: SentencePieceModel, vocab: MarianVocabulary, addEos: boolean): Int32Array {
    const [code, rest] = splitLanguageCode(text);
    const pieces = [...code, ...spm.encodePieces(rest)];
    const ids = pieces.map((p) => vocab.ids.get(p) ?? this.unkId);
    if (addEos) ids.push(this.eosId);
    return Int32Array.from(ids);
  }
}

/** A MarianTokenizer from parts in memory (.spm file bytes, vocabularies as vocab.json objects). */
export function marianTokenizer(
  sourceSpm: SpmFile,
  targetSpm: SpmFile,
  vocab: Record<string, number>,
  targetVocab: Record<string, number> | null = null,
  special: MarianSpecialTokens = DEFAULT_SPECIAL_TOKENS,
): MarianTokenizer {
  const source = new MarianVocabulary(vocab, MARIAN_VOCAB_FILE);
  const target = targetVocab === null ? source : new MarianVocabulary(targetVocab, MARIAN_TARGET_VOCAB_FILE);
  return new MarianTokenizer(sourceSpm, targetSpm, source, target, special);
}

/** ">>de<< text" -> [[">>de<<"], " text"]: multilingual models choose the target language so. */
function splitLanguageCode(text: string): [string[], string] {
  if (!text.startsWith('>>')) return [[], text];
  const end = text.indexOf('<<');
  return end === -1 ? [[], text] : [[text.slice(0, end + 2)], text.slice(end + 2)];
}

/** What tokenizer_config.json (its JSON, or null when the folder has none) says about vocabularies and special tokens. */
export function marianTokenizerSettings(
  json: Record<string, unknown> | null,
  path: string,
): { separateVocabs: boolean; special: MarianSpecialTokens } {
  if (json === null) return { separateVocabs: false, special: DEFAULT_SPECIAL_TOKENS };
  const name = (key: string, fallback: string): string => {
    const value = json[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string') return value;
    // Added tokens may be saved as {"content": "</s>", ...}.
    const content = (value as { content?: unknown }).content;
    if (typeof content === 'string') return content;
    throw new MarianTokenizerError(`${path}: "${key}" must be a token string, got ${quoteJson(value)}`);
  };
  const separate = json.separate_vocabs ?? false;
  if (typeof separate !== 'boolean')
    throw new MarianTokenizerError(`${path}: "separate_vocabs" must be true or false, got ${quoteJson(separate)}`);
  return {
    separateVocabs: separate,
    special: {
      eos: name('eos_token', DEFAULT_SPECIAL_TOKENS.eos),
      unk: name('unk_token', DEFAULT_SPECIAL_TOKENS.unk),
      pad: name('pad_token', DEFAULT_SPECIAL_TOKENS.pad),
    },
  };
}

/** A JSON file's text as an object; `path` names it in errors. */
export function parseJsonObject(text: string, path: string): Record<string, unknown> {
  const json = parseJson(text, (problem) => new MarianTokenizerError(`${path}: ${problem}`));
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new MarianTokenizerError(`${path}: not a JSON object`);
  return json as Record<string, unknown>;
}
