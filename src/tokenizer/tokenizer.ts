// A lossless subword tokenizer: BPE over SentencePiece-style words, with byte fallback.

import { formatTokenizer, parseTokenizer } from './format.js';
import { MergeTable } from './merge-table.js';
import { utf8Bytes } from './unicode.js';
import { BOS_ID, buildVocabulary, CONTROL_TOKENS, EOS_ID, META, type TokenizerSpec } from './vocab.js';

/** Whether encode adds BOS and EOS, and matches special tokens. */
export interface EncodeOptions {
  /** Start with <s>. */
  addBos?: boolean;
  /** End with </s>. */
  addEos?: boolean;
  /** Match the user-defined special tokens in the text and give them their own ids. */
  allowSpecial?: boolean;
}

const CACHE_LIMIT = 1 << 20;
/**
 * Node's reading and writing of tokenizer files, named through a variable: bundlers for the browser
 * leave it alone, and a page never loads it unless it calls load or save with a path.
 */
const TOKENIZER_FILE_MODULE = './tokenizer-file.js';
type TokenizerFileModule = typeof import('./tokenizer-file.js');
const tokenizerFiles = async (): Promise<TokenizerFileModule> =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ TOKENIZER_FILE_MODULE) as Promise<TokenizerFileModule>;
const decoder = new TextDecoder('utf-8');

/**
 * Text is NFC-normalized; each line gets a dummy META prefix and each space becomes META, so that
 * every word starts with META. Characters outside the alphabet (and a literal U+2581, which would
 * read as a space) are written as their UTF-8 bytes. So decode(encode(x)) === x.normalize('NFC').
 */
export class Tokenizer {
  readonly spec: TokenizerSpec;
  private readonly pieces: string[];
  private readonly ids: Map<string, number>;
  private readonly byteBase: number;
  private readonly textBase: number;
  private readonly table: MergeTable;
  private readonly charId = new Map<string, number>();
  private readonly metaId: number;
  private readonly newlineId: number;
  private readonly special: RegExp | null;
  private readonly cache = new Map<string, Int32Array>();

  constructor(spec: TokenizerSpec) {
    const vocab = buildVocabulary(spec);
    this.spec = spec;
    this.pieces = vocab.pieces;
    this.ids = vocab.ids;
    this.byteBase = vocab.byteBase;
    this.textBase = vocab.textBase;
    this.table = new MergeTable(spec.merges, (piece) => this.ids.get(piece)!);
    for (const ch of spec.alphabet) this.charId.set(ch, this.ids.get(ch)!);
    this.metaId = this.ids.get(META)!;
    this.charId.delete(META); // in the input, U+2581 is a literal character, not a space
    this.newlineId = this.charId.get('\n') ?? this.byteBase + 0x0a;
    const user = spec.specialTokens.slice(CONTROL_TOKENS.length).sort((a, b) => b.length - a.length);
    this.special = user.length === 0 ? null : new RegExp(`(${user.map(escapeRegExp).join('|')})`, 'u');
  }

  /** Reads a tokenizer file (Node only; a page builds one with fromJson). */
  static async load(path: string): Promise<Tokenizer> {
    return new Tokenizer(await (await tokenizerFiles()).readTokenizerFile(path));
  }

  /** The tokenizer of a tokenizer file's text; `name` names the file in errors. */
  static fromJson(text: string, name: string): Tokenizer {
    return new Tokenizer(parseTokenizer(text, name));
  }

  /** Writes the tokenizer file atomically (Node only). */
  async save(path: string): Promise<void> {
    await (await tokenizerFiles()).writeTokenizerFile(path, this.spec, this.pieces);
  }

  /** The text of its tokenizer file (what save writes), e.g. for a page to offer as a download. */
  toJson(): string {
    return formatTokenizer(this.spec, this.pieces);
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** The piece of an id. */
  idToPiece(id: number): string {
    const piece = this.pieces[id];
    if (piece === undefined)
      throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.pieces.length - 1})`);
    return piece;
  }

  /** The id of a piece, or undefined. */
  pieceToId(piece: string): number | undefined {
    return this.ids.get(piece);
  }

  /** The ids of a text. */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const out: number[] = [];
    if (options.addBos) out.push(BOS_ID);
    const chunks =
      options.allowSpecial && this.special !== null
        ? text.normalize('NFC').split(this.special)
        : [text.normalize('NFC')];
    let atLineStart = true;
    chunks.forEach((chunk, i) => {
      if (i % 2 === 1) {
        out.push(this.ids.get(chunk)!);
        atLineStart = false;
        return;
      }
      chunk.split('\n').forEach((line, k) => {
        if (k > 0) {
          out.push(this.newlineId);
          atLineStart = true;
        }
        if (line === '') return;
        line.split(' ').forEach((word, j) => {
          const hasMeta = j > 0 || atLineStart;
          if (hasMeta || word !== '') for (const id of this.encodeWord(word, hasMeta)) out.push(id);
        });
        atLineStart = false;
      });
    });
    if (options.addEos) out.push(EOS_ID);
    return Int32Array.from(out);
  }

  /** The pieces of a text. */
  encodePieces(text: string, options: EncodeOptions = {}): string[] {
    return Array.from(this.encode(text, options), (id) => this.pieces[id]);
  }

  /** Control tokens decode to nothing; the META that starts a line is the dummy prefix and is dropped. */
  decode(ids: ArrayLike<number>): string {
    const parts: string[] = [];
    const bytes: number[] = [];
    const flush = () => {
      if (bytes.length > 0) parts.push(decoder.decode(Uint8Array.from(bytes)));
      bytes.length = 0;
    };
    let atLineStart = true;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      let piece = this.idToPiece(id);
      if (id >= this.byteBase && id < this.textBase) {
        bytes.push(id - this.byteBase);
        atLineStart = id - this.byteBase === 0x0a;
        continue;
      }
      flush();
      if (id < CONTROL_TOKENS.length) continue;
      if (id < this.byteBase) {
        parts.push(piece);
        atLineStart = false;
        continue;
      }
      if (atLineStart && piece.startsWith(META)) piece = piece.slice(1);
      parts.push(piece.replaceAll(META, ' '));
      atLineStart = piece === '\n';
    }
    flush();
    return parts.join('');
  }

  /** Ids of one word (no spaces, no newlines), with a leading META when `hasMeta`. Cached. */
  private encodeWord(word: string, hasMeta: boolean): Int32Array {
    const key = (hasMeta ? ' ' : '\n') + word;
    let ids = this.cache.get(key);
    if (ids !== undefined) return ids;
    const out: number[] = [];
    let run: number[] = hasMeta ? [this.metaId] : [];
    for (const ch of word) {
      const id = this.charId.get(ch);
      if (id !== undefined) {
        run.push(id);
        continue;
      }
      for (const m of this.table.apply(run)) out.push(m);
      run = [];
      for (const b of utf8Bytes(ch)) out.push(this.byteBase + b);
    }
    for (const m of this.table.apply(run)) out.push(m);
    ids = Int32Array.from(out);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, ids);
    return ids;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
