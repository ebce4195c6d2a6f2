// SentencePiece models (Kudo & Richardson 2018) read from their .model files: normalization, unigram or
// BPE segmentation, byte fallback and decoding, conforming to the sentencepiece library.

import { BpeModel } from './bpe.js';
import { decodeModelProto, ModelType, PieceType, type ModelProto } from './model-proto.js';
import { ByteTrie, Normalizer, SPACE_SYMBOL } from './normalizer.js';
import { oneLine, quoteJson } from '../../quote.js';
import { SentencePieceError } from './error.js';
import { ProtobufError } from './protobuf.js';
import { UnigramModel, type Segment } from './unigram.js';

export { PieceType, ModelType, type ModelProto, type Piece } from './model-proto.js';
export { SentencePieceError } from './error.js';

// A leading U+FEFF is text here, not a byte-order mark to drop.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
/** Node's file reading, named through a variable that bundlers for the browser leave alone (load is Node only). */
const NODE_FS = 'node:fs/promises';

/** A SentencePiece model (a .model file): unigram or BPE, with its normalizer. */
export class SentencePieceModel {
  readonly type: 'unigram' | 'bpe';
  readonly unkId: number;
  /** -1 when the model has no such control piece. */
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly pieces: string[];
  private readonly types: Uint8Array;
  private readonly ids = new Map<string, number>();
  private readonly normalizer: Normalizer;
  private readonly denormalizer: Normalizer | null;
  private readonly model: { encode(text: Uint8Array): Segment[] };

  private constructor(readonly proto: ModelProto) {
    const { pieces, trainerSpec, normalizerSpec, denormalizerSpec } = proto;
    this.unkId = checkPieces(proto);
    this.pieces = pieces.map((p) => p.piece);
    this.types = Uint8Array.from(pieces, (p) => p.type);
    this.pieces.forEach((piece, id) => this.ids.set(piece, id));
    const control = (piece: string) => {
      const id = this.ids.get(piece);
      return id !== undefined && this.types[id] === PieceType.CONTROL ? id : -1;
    };
    this.bosId = control(trainerSpec.bosPiece);
    this.eosId = control(trainerSpec.eosPiece);
    this.padId = control(trainerSpec.padPiece);

    const symbols = pieces.flatMap((p, id) =>
      p.type === PieceType.USER_DEFINED ? [[p.piece, id] as [string, number]] : [],
    );
    const userDefined = symbols.length > 0 ? new ByteTrie(symbols) : null;
    this.normalizer = new Normalizer(normalizerSpec, trainerSpec.treatWhitespaceAsSuffix, userDefined);
    const denormalize = denormalizerSpec !== null && denormalizerSpec.precompiledCharsmap.length > 0;
    this.denormalizer = denormalize ? new Normalizer(denormalizerSpec) : null;
    if (trainerSpec.modelType === ModelType.UNIGRAM) {
      this.type = 'unigram';
      this.model = new UnigramModel(pieces, this.unkId);
    } else if (trainerSpec.modelType === ModelType.BPE) {
      this.type = 'bpe';
      this.model = new BpeModel(pieces, this.unkId, userDefined);
    } else {
      const name = Object.entries(ModelType).find(([, v]) => v === trainerSpec.modelType)?.[0] ?? 'unknown';
      throw new SentencePieceError(
        `unsupported model type ${name.toLowerCase()} (${trainerSpec.modelType}): only unigram and bpe`,
      );
    }
  }

  /** A model from the bytes of a .model file; `source` names it in error messages. */
  static fromBytes(bytes: Uint8Array, source = 'sentencepiece model'): SentencePieceModel {
    try {
      return new SentencePieceModel(decodeModelProto(bytes));
    } catch (e) {
      if (e instanceof ProtobufError)
        throw new SentencePieceError(`${source}: not a sentencepiece model: ${e.message}`, { cause: e });
      if (e instanceof SentencePieceError) throw new SentencePieceError(`${source}: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /** Reads a .model file (Node only; a page uses fromBytes). */
  static async load(path: string): Promise<SentencePieceModel> {
    const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS)) as {
      readFile(path: string): Promise<Uint8Array>;
    };
    return SentencePieceModel.fromBytes(await fs.readFile(path), path);
  }

  get size(): number {
    return this.pieces.length;
  }

  /** The piece of an id. */
  idToPiece(id: number): string {
    const piece = this.pieces[id];
    if (piece === undefined) throw new RangeError(`piece id ${id} is outside the vocabulary (0..${this.size - 1})`);
    return piece;
  }

  /** The id of a piece, or undefined. */
  pieceToId(piece: string): number | undefined {
    return this.ids.get(piece);
  }

  /** The text as the model sees it: normalized, spaces as U+2581, with the dummy prefix. */
  normalize(text: string): string {
    return utf8.decode(this.normalizer.normalize(text));
  }

  /** The ids of a text, as SentencePiece segments it. */
  encode(text: string): number[] {
    return this.encodeBoth(text).ids;
  }

  /** Unknown characters appear as themselves (a run of them as one piece), or as <0xNN> bytes. */
  encodePieces(text: string): string[] {
    return this.encodeBoth(text).pieces;
  }

  /** The text of ids. */
  decode(ids: ArrayLike<number>): string {
    const list = Array.from(ids);
    return this.decodeBoth(
      list.map((id) => this.idToPiece(id)),
      list,
    );
  }

  /** Pieces outside the vocabulary decode as themselves. */
  decodePieces(pieces: readonly string[]): string {
    return this.decodeBoth(
      pieces,
      pieces.map((p) => this.ids.get(p) ?? this.unkId),
    );
  }

  private encodeBoth(text: string): { ids: number[]; pieces: string[] } {
    const normalized = this.normalizer.normalize(text);
    const ids: number[] = [];
    const pieces: string[] = [];
    const byteFallback = this.proto.trainerSpec.byteFallback;
    let prevUnknown = false;
    for (const { start, end, id } of this.model.encode(normalized)) {
      const unknown = id === this.unkId;
      if (unknown && byteFallback) {
        for (let i = start; i < end; i++) {
          const piece = byteToPiece(normalized[i]);
          ids.push(this.ids.get(piece) ?? this.unkId);
          pieces.push(piece);
        }
      } else if (unknown && prevUnknown) {
        pieces[pieces.length - 1] += utf8.decode(normalized.subarray(start, end));
      } else {
        ids.push(id);
        pieces.push(unknown ? utf8.decode(normalized.subarray(start, end)) : this.pieces[id]);
      }
      prevUnknown = unknown;
    }
    return { ids, pieces };
  }

  /**
   * Control pieces vanish, <unk> becomes the unknown surface, runs of byte pieces become UTF-8 text
   * (U+FFFD per malformed byte), U+2581 becomes a space, and the dummy prefix is dropped: the leading
   * U+2581 of the first piece, or of every piece before any text when extra whitespace is removed
   * (as sentencepiece does now; 0.1.97 always did the latter).
   */
  private decodeBoth(pieces: readonly string[], ids: readonly number[]): string {
    const { addDummyPrefix, removeExtraWhitespaces } = this.proto.normalizerSpec;
    let text = '';
    let bytes: number[] = [];
    let atStart = true;
    let prefixSeen = false;
    pieces.forEach((piece, i) => {
      const type = this.types[ids[i]];
      if (type === PieceType.BYTE) {
        bytes.push(pieceToByte(piece));
        return;
      }
      text += decodeBytes(bytes);
      bytes = [];
      if (prefixSeen || text !== '') atStart = false;
      prefixSeen = false;
      if (type === PieceType.CONTROL) return;
      if (type === PieceType.UNKNOWN) {
        text += piece === this.pieces[ids[i]] ? this.proto.trainerSpec.unkSurface : piece;
        return;
      }
      if (atStart && (addDummyPrefix || removeExtraWhitespaces) && piece.startsWith(SPACE_SYMBOL)) {
        piece = piece.slice(SPACE_SYMBOL.length);
        prefixSeen = !removeExtraWhitespaces;
      }
      text += piece.replaceAll(SPACE_SYMBOL, ' ');
    });
    text += decodeBytes(bytes);
    return this.denormalizer === null ? text : utf8.decode(this.denormalizer.normalize(text));
  }
}

/** What sentencepiece checks of the pieces on loading; returns the unknown piece's id. */
function checkPieces({ pieces, trainerSpec }: ModelProto): number {
  const fail = (message: string): never => {
    throw new SentencePieceError(message);
  };
  if (pieces.length === 0) fail('not a sentencepiece model: it has no pieces');
  const seen = new Set<string>();
  pieces.forEach(({ piece, type }, id) => {
    if (piece === '') fail(`piece ${id} is empty`);
    if (seen.has(piece)) fail(`piece ${id} (${quoteJson(piece)}) is defined twice`);
    if (!(type >= PieceType.NORMAL && type <= PieceType.BYTE)) fail(`piece ${id} has unknown type ${type}`);
    if (type === PieceType.BYTE && (!trainerSpec.byteFallback || pieceToByte(piece) < 0))
      fail(`byte piece ${id} (${oneLine(piece, 80)}) is invalid or the model has no byte fallback`);
    seen.add(piece);
  });
  const unknown = pieces.flatMap((p, id) => (p.type === PieceType.UNKNOWN ? [id] : []));
  if (unknown.length !== 1) fail(`the model has ${unknown.length} unknown pieces, not one`);
  return unknown[0];
}

function byteToPiece(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

function pieceToByte(piece: string): number {
  return /^<0x[0-9A-F]{2}>$/.test(piece) ? parseInt(piece.slice(3, 5), 16) : -1;
}

/** UTF-8 as sentencepiece decodes byte pieces: each byte that starts no valid character is one U+FFFD. */
function decodeBytes(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = validSequenceLength(bytes, i);
    out += n === 0 ? '\ufffd' : utf8.decode(Uint8Array.from(bytes.slice(i, i + n)));
    i += n === 0 ? 1 : n;
  }
  return out;
}

function validSequenceLength(bytes: readonly number[], i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  const n = b >= 0xc0 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf8 ? 4 : 0;
  if (n === 0 || i + n > bytes.length) return 0;
  let cp = b & (0x7f >> n);
  for (let k = 1; k < n; k++) {
    if ((bytes[i + k] & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (bytes[i + k] & 0x3f);
  }
  const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
  return cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? n : 0;
}
