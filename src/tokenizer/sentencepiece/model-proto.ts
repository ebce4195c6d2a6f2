// sentencepiece's ModelProto (sentencepiece_model.proto): the pieces, trainer_spec and normalizer_spec
// of a .model file, with the proto2 defaults the file leaves out.

import { ProtoReader, readMessage, WireType } from './protobuf.js';

const { VARINT, LEN, I32 } = WireType;

export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

/** One piece of a SentencePiece model: text, score and type. */
export interface Piece {
  piece: string;
  /** Log probability (unigram) or merge priority (BPE). */
  score: number;
  type: number;
}

export interface TrainerSpec {
  modelType: number;
  vocabSize: number;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
  /** What <unk> decodes to. */
  unkSurface: string;
  byteFallback: boolean;
  splitByWhitespace: boolean;
  treatWhitespaceAsSuffix: boolean;
  splitDigits: boolean;
  maxSentencepieceLength: number;
  userDefinedSymbols: string[];
  controlSymbols: string[];
}

export interface NormalizerSpec {
  /** The rule set's name, e.g. "nmt_nfkc" or "identity". */
  name: string;
  /** The compiled rules (see normalizer.ts); empty for the identity. */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

/** A SentencePiece .model file, decoded: its pieces and specs. */
export interface ModelProto {
  pieces: Piece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
  /** Applied to decoded text when present (rare). */
  denormalizerSpec: NormalizerSpec | null;
}

export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const proto: ModelProto = {
    pieces: [],
    trainerSpec: trainerSpec(null),
    normalizerSpec: normalizerSpec(null),
    denormalizerSpec: null,
  };
  readMessage(new ProtoReader(bytes), 'ModelProto', {
    1: [LEN, (r) => proto.pieces.push(piece(r.message()))],
    2: [LEN, (r) => (proto.trainerSpec = trainerSpec(r.message()))],
    3: [LEN, (r) => (proto.normalizerSpec = normalizerSpec(r.message()))],
    5: [LEN, (r) => (proto.denormalizerSpec = normalizerSpec(r.message()))],
  });
  return proto;
}

function piece(reader: ProtoReader): Piece {
  const p: Piece = { piece: '', score: 0, type: PieceType.NORMAL };
  readMessage(reader, 'SentencePiece', {
    1: [LEN, (r) => (p.piece = r.string())],
    2: [I32, (r) => (p.score = r.float())],
    3: [VARINT, (r) => (p.type = r.int32())],
  });
  return p;
}

function trainerSpec(reader: ProtoReader | null): TrainerSpec {
  const s: TrainerSpec = {
    modelType: ModelType.UNIGRAM,
    vocabSize: 8000,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkPiece: '<unk>',
    bosPiece: '<s>',
    eosPiece: '</s>',
    padPiece: '<pad>',
    unkSurface: ' \u2047 ',
    byteFallback: false,
    splitByWhitespace: true,
    treatWhitespaceAsSuffix: false,
    splitDigits: false,
    maxSentencepieceLength: 16,
    userDefinedSymbols: [],
    controlSymbols: [],
  };
  if (reader === null) return s;
  readMessage(reader, 'TrainerSpec', {
    3: [VARINT, (r) => (s.modelType = r.int32())],
    4: [VARINT, (r) => (s.vocabSize = r.int32())],
    20: [VARINT, (r) => (s.maxSentencepieceLength = r.int32())],
    22: [VARINT, (r) => (s.splitByWhitespace = r.bool())],
    24: [VARINT, (r) => (s.treatWhitespaceAsSuffix = r.bool())],
    25: [VARINT, (r) => (s.splitDigits = r.bool())],
    30: [LEN, (r) => s.controlSymbols.push(r.string())],
    31: [LEN, (r) => s.userDefinedSymbols.push(r.string())],
    35: [VARINT, (r) => (s.byteFallback = r.bool())],
    40: [VARINT, (r) => (s.unkId = r.int32())],
    41: [VARINT, (r) => (s.bosId = r.int32())],
    42: [VARINT, (r) => (s.eosId = r.int32())],
    43: [VARINT, (r) => (s.padId = r.int32())],
    44: [LEN, (r) => (s.unkSurface = r.string())],
    45: [LEN, (r) => (s.unkPiece = r.string())],
    46: [LEN, (r) => (s.bosPiece = r.string())],
    47: [LEN, (r) => (s.eosPiece = r.string())],
    48: [LEN, (r) => (s.padPiece = r.string())],
  });
  return s;
}

function normalizerSpec(reader: ProtoReader | null): NormalizerSpec {
  const s: NormalizerSpec = {
    name: '',
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  if (reader === null) return s;
  readMessage(reader, 'NormalizerSpec', {
    1: [LEN, (r) => (s.name = r.string())],
    2: [LEN, (r) => (s.precompiledCharsmap = r.bytesField())],
    3: [VARINT, (r) => (s.addDummyPrefix = r.bool())],
    4: [VARINT, (r) => (s.removeExtraWhitespaces = r.bool())],
    5: [VARINT, (r) => (s.escapeWhitespaces = r.bool())],
  });
  return s;
}
