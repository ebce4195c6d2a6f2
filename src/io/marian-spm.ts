// Our BPE tokenizer as the source.spm / target.spm of an exported Marian folder: a SentencePiece BPE
// model (sentencepiece_model.proto) with our pieces under our ids, each merged piece scored by its merge
// rank (the first merge scores highest), byte fallback over our <0xNN> pieces, and no normalization
// besides spaces as U+2581 with a dummy prefix.
//
// Where the segmentations can differ: BPE applies the merges it learnt, in rank order; SentencePiece
// merges any adjacent pair whose concatenation is a piece, best score first. A piece that our merges
// build one way (ab + c) can be reached by SentencePiece another way (a + bc) when both halves are
// pieces, so a few words segment differently (see docs/marian.md). Text is also not NFC-
// normalized by the .spm (ours normalizes it), and a literal U+2581 reads as a space there.

import { SentencePieceModel } from '../tokenizer/sentencepiece/index.js';
import { marianTokenizer, type MarianTokenizer } from '../tokenizer/marian-tokenizer.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { BOS_ID, CONTROL_TOKENS, EOS_ID, PAD_ID, UNK_ID } from '../tokenizer/vocab.js';

const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;
const BPE = 2;

/** The protobuf wire format, just what a ModelProto needs. */
class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(n: number): void {
    for (; n >= 0x80; n = Math.floor(n / 128)) this.bytes.push((n % 128) | 0x80);
    this.bytes.push(n);
  }

  int(field: number, value: number): this {
    if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`field ${field}: ${value} is not a varint here`);
    this.varint(field * 8);
    this.varint(value);
    return this;
  }

  bytesField(field: number, value: Uint8Array): this {
    this.varint(field * 8 + 2);
    this.varint(value.length);
    for (const b of value) this.bytes.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  float(field: number, value: number): this {
    this.varint(field * 8 + 5);
    const b = new Uint8Array(new Float32Array([value]).buffer);
    this.bytes.push(b[0], b[1], b[2], b[3]); // little-endian on every host Node runs on
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** The .model bytes of a SentencePiece BPE model with our tokenizer's pieces, ids and merge priorities. */
export function sentencePieceBytes(tokenizer: Tokenizer): Uint8Array {
  const n = tokenizer.vocabSize;
  const rank = new Map<string, number>();
  tokenizer.spec.merges.forEach(([a, b], r) => {
    if (!rank.has(a + b)) rank.set(a + b, r);
  });
  const special = new Set(tokenizer.spec.specialTokens);
  const model = new ProtoWriter();
  for (let id = 0; id < n; id++) {
    const piece = tokenizer.idToPiece(id);
    let type = NORMAL;
    let score = -(rank.get(piece) ?? tokenizer.spec.merges.length + id); // characters rank below every merge
    if (id === UNK_ID) type = UNKNOWN;
    else if (special.has(piece)) type = CONTROL;
    else if (id >= special.size && id < special.size + 256) type = BYTE; // byteBase.. (see vocab.ts)
    if (type !== NORMAL) score = 0;
    const entry = new ProtoWriter().string(1, piece).float(2, score).int(3, type).finish();
    model.bytesField(1, entry);
  }
  const trainer = new ProtoWriter()
    .int(3, BPE)
    .int(4, n)
    .int(35, 1) // byte_fallback
    .int(40, UNK_ID)
    .int(41, BOS_ID)
    .int(42, EOS_ID)
    .int(43, PAD_ID)
    .string(45, CONTROL_TOKENS[UNK_ID])
    .string(46, CONTROL_TOKENS[BOS_ID])
    .string(47, CONTROL_TOKENS[EOS_ID])
    .string(48, CONTROL_TOKENS[PAD_ID])
    .finish();
  const normalizer = new ProtoWriter()
    .string(1, 'identity')
    .int(3, 1) // add_dummy_prefix
    .int(4, 0) // remove_extra_whitespaces: off, as ours keeps every space
    .int(5, 1) // escape_whitespaces
    .finish();
  model.bytesField(2, trainer).bytesField(3, normalizer);
  return model.finish();
}

/** Our tokenizer as a MarianTokenizer (both sides share it): vocab.json is our ids, the .spm files sentencePieceBytes. */
export function marianTokenizerFromBpe(tokenizer: Tokenizer): MarianTokenizer {
  const bytes = sentencePieceBytes(tokenizer);
  const spm = { model: SentencePieceModel.fromBytes(bytes, 'exported tokenizer'), bytes };
  const vocab: Record<string, number> = {};
  for (let id = 0; id < tokenizer.vocabSize; id++) vocab[tokenizer.idToPiece(id)] = id;
  return marianTokenizer(spm, spm, vocab);
}
