// Reading .model files: ModelProto fields and their defaults, small hand-written models for the rarer
// paths (ties, unused BPE pieces, user-defined symbols), and clear errors for files that are not models.
// The hand-written models' expected encodings are what sentencepiece 0.1.97 gives for the same bytes.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { decodeModelProto, PieceType } from '../../../src/tokenizer/sentencepiece/model-proto.js';
import { SentencePieceModel } from '../../../src/tokenizer/sentencepiece/index.js';
import { thirdPartyBytes } from '../../helpers/third-party.js';

// A protobuf writer just big enough for ModelProto.
function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}
const num = (field: number, value: number | boolean) => [...varint(field << 3), ...varint(Number(value))];
const str = (field: number, value: string | number[]) => {
  const payload = typeof value === 'string' ? [...new TextEncoder().encode(value)] : value;
  return [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
};
const f32 = (field: number, value: number) => [
  ...varint((field << 3) | 5),
  ...new Uint8Array(new Float32Array([value]).buffer),
];

type P = [piece: string, score: number, type?: number];
function modelBytes(pieces: P[], trainer: number[] = [], normalizer: number[] = str(1, 'identity')): Uint8Array {
  const bytes = pieces.flatMap(([piece, score, type = PieceType.NORMAL]) =>
    str(1, [...str(1, piece), ...f32(2, score), ...num(3, type)]),
  );
  return Uint8Array.from([...bytes, ...str(2, trainer), ...str(3, normalizer)]);
}
const CONTROL: P[] = [
  ['<unk>', 0, PieceType.UNKNOWN],
  ['<s>', 0, PieceType.CONTROL],
  ['</s>', 0, PieceType.CONTROL],
];

test('ModelProto fields, proto2 defaults, negative ids and unknown fields', () => {
  const trainer = [...num(3, 2), ...num(4, 5), ...num(43, -1), ...num(35, true), ...num(99, 7), ...str(98, 'x')];
  const proto = decodeModelProto(modelBytes([...CONTROL, ['\u2581a', -1.5]], trainer, str(1, 'nmt_nfkc')));
  assert.deepEqual(proto.pieces[3], { piece: '\u2581a', score: -1.5, type: PieceType.NORMAL });
  assert.equal(proto.pieces[1].type, PieceType.CONTROL);
  const t = proto.trainerSpec;
  assert.deepEqual([t.modelType, t.vocabSize, t.unkId, t.bosId, t.eosId, t.padId], [2, 5, 0, 1, 2, -1]);
  assert.equal(t.byteFallback, true);
  assert.equal(t.unkSurface, ' \u2047 ');
  const n = proto.normalizerSpec;
  assert.deepEqual(
    [n.name, n.addDummyPrefix, n.removeExtraWhitespaces, n.escapeWhitespaces],
    ['nmt_nfkc', true, true, true],
  );
  assert.equal(n.precompiledCharsmap.length, 0);
  assert.equal(proto.denormalizerSpec, null);
});

test('a hand-written unigram model: ids of the control pieces, the lattice, unknowns merged', () => {
  const pieces: P[] = [...CONTROL, ['<pad>', 0, PieceType.CONTROL], ['\u2581', -2], ['a', -3], ['b', -3], ['ab', -5]];
  const model = SentencePieceModel.fromBytes(modelBytes(pieces, num(3, 1)));
  assert.deepEqual(
    [model.type, model.size, model.unkId, model.bosId, model.eosId, model.padId],
    ['unigram', 8, 0, 1, 2, 3],
  );
  assert.deepEqual(model.encodePieces('ab ba'), ['\u2581', 'ab', '\u2581', 'b', 'a']);
  assert.deepEqual(model.encodePieces('axyb'), ['\u2581', 'a', 'xy', 'b'], 'a run of unknown characters is one piece');
  assert.deepEqual(model.encode('axyb'), [4, 5, 0, 6]);
  assert.equal(model.decode([1, 4, 5, 0, 6, 2]), 'a \u2047 b', 'control pieces vanish; <unk> has a surface');
  assert.equal(model.decodePieces(['\u2581', 'a', 'xy', 'b']), 'axyb');
  assert.equal(model.pieceToId('xy'), undefined);
  assert.throws(() => model.idToPiece(8), /outside the vocabulary \(0\.\.7\)/);
});

test('unigram ties keep the path found first; unknowns cost 10 below the least likely piece', () => {
  const pieces: P[] = [
    ...CONTROL,
    ['\u2581', -1],
    ['a', -1],
    ['b', -1],
    ['ab', -2],
    ['xy', -10.5],
    ['z', -10.5],
    ['yz', -1],
  ];
  const model = SentencePieceModel.fromBytes(modelBytes(pieces, num(3, 1)));
  assert.deepEqual(model.encodePieces('ab'), ['\u2581', 'ab'], 'ab and a+b both score -3');
  assert.deepEqual(model.encodePieces('xyz'), ['\u2581', 'xy', 'z'], 'xy+z (-21) beats <unk>+yz (-10.5-10-1)');
});

test('a hand-written BPE model: the best-scoring merge first, unused pieces split again, symbols frozen', () => {
  const pieces: P[] = [
    ...CONTROL,
    ['<sep>', 0, PieceType.USER_DEFINED],
    ['\u2581', -1],
    ['a', -1],
    ['b', -1],
    ['c', -1],
    ['bc', -2],
    ['ab', -1.5, PieceType.UNUSED],
    ['abc', -3],
    ['\u2581a', -4],
  ];
  const model = SentencePieceModel.fromBytes(modelBytes(pieces, num(3, 2)));
  assert.equal(model.type, 'bpe');
  assert.deepEqual(model.encodePieces('abc'), ['\u2581', 'abc'], 'ab (unused) merges before bc, then abc');
  assert.deepEqual(model.encodePieces('ab'), ['\u2581', 'a', 'b'], 'an unused piece is split back');
  assert.deepEqual(model.encodePieces('a<sep>bc'), ['\u2581a', '<sep>', 'bc'], 'a user-defined symbol is one piece');
  assert.deepEqual(model.encodePieces('ab<sep>c'), ['\u2581', 'a', 'b', '<sep>', 'c']);
  assert.equal(model.decode(model.encode('a<sep>bc  cab')), 'a<sep>bc cab');
});

test('not a model, a truncated model and an unsupported type: errors name the file and the fault', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = modelBytes([...CONTROL, ['a', -1]], num(3, 1));
  const file = path.join(dir, 'truncated.model');
  writeFileSync(file, good.subarray(0, good.length - 3));
  return assert.rejects(SentencePieceModel.load(file), (e: Error) => {
    assert.ok(e.message.startsWith(`${file}: not a sentencepiece model: `), e.message);
    assert.match(e.message, /needs \d+ bytes, only \d+ are left|truncated/);
    return true;
  });
});

test('random bytes, text, type word, missing or doubled pieces are each reported', () => {
  let seed = 12345;
  const random = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  assert.throws(
    () => SentencePieceModel.fromBytes(random, 'random.bin'),
    /^SentencePieceError: random\.bin: not a sentencepiece model: /,
  );
  const text = new TextEncoder().encode('hello world\n');
  assert.throws(
    () => SentencePieceModel.fromBytes(text, 'hello.txt'),
    /^SentencePieceError: hello\.txt: not a sentencepiece model/,
  );
  assert.throws(
    () => SentencePieceModel.fromBytes(new Uint8Array(0), 'empty'),
    /empty: not a sentencepiece model: it has no pieces/,
  );
  const word = modelBytes([...CONTROL, ['a', -1]], num(3, 3));
  assert.throws(() => SentencePieceModel.fromBytes(word, 'w.model'), /w\.model: unsupported model type word \(3\)/);
  const noUnk = modelBytes([['a', -1]]);
  assert.throws(() => SentencePieceModel.fromBytes(noUnk, 'x'), /x: the model has 0 unknown pieces, not one/);
  const twice = modelBytes([...CONTROL, ['a', -1], ['a', -2]]);
  assert.throws(() => SentencePieceModel.fromBytes(twice, 'x'), /x: piece 4 \("a"\) is defined twice/);
  const bytePiece = modelBytes([...CONTROL, ['<0x41>', 0, PieceType.BYTE]]);
  assert.throws(
    () => SentencePieceModel.fromBytes(bytePiece, 'x'),
    /byte piece 3 \(<0x41>\) is invalid or the model has no byte fallback/,
  );
});

test('test_model.model cut short anywhere is reported, never a crash', () => {
  const bytes = thirdPartyBytes('sentencepiece/test_model.model');
  for (const cut of [1, 2, 100, 5000, bytes.length >> 1, bytes.length - 1]) {
    assert.throws(
      () => SentencePieceModel.fromBytes(bytes.subarray(0, cut), 'test_model.model'),
      (e: Error) => {
        assert.match(e.message, /^test_model\.model: not a sentencepiece model: .* at byte \d+/, `cut at ${cut}`);
        return true;
      },
    );
  }
});
