// .model files built to hurt: groups nested 100,000 deep, charsmap replacements longer than any rule
// needs. Each is a one-line SentencePieceError naming the file, never a stack overflow.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { InputError } from '../../../src/errors.js';
import { SentencePieceModel, SentencePieceError } from '../../../src/tokenizer/sentencepiece/index.js';
import { decodeModelProto } from '../../../src/tokenizer/sentencepiece/model-proto.js';
import { CharsMap, MAX_REPLACEMENT_BYTES } from '../../../src/tokenizer/sentencepiece/normalizer.js';
import { ProtoReader, ProtobufError, readMessage } from '../../../src/tokenizer/sentencepiece/protobuf.js';

const BPE_MODEL = fileURLToPath(new URL('../../../../test/fixtures/spm/bpe.model', import.meta.url));

const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
const tag = (field: number, wireType: number) => varint((field << 3) | wireType);
const len = (field: number, payload: Uint8Array | number[]) => [
  ...tag(field, 2),
  ...varint(payload.length),
  ...payload,
];

function expectModelError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => SentencePieceModel.fromBytes(bytes, 'hostile.model'),
    (error: Error) => {
      assert.ok(error instanceof SentencePieceError && error instanceof InputError, String(error.stack));
      assert.ok(error.message.startsWith('hostile.model: '), error.message);
      assert.ok(!error.message.includes('\n'));
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('groups nested 100,000 deep are skipped without recursion, or reported when left open', () => {
  const depth = 100_000;
  const open = Array.from({ length: depth }, () => tag(99, 3)).flat();
  const close = Array.from({ length: depth }, () => tag(99, 4)).flat();
  const seen: number[] = [];
  readMessage(new ProtoReader(Uint8Array.from([...open, ...close, ...tag(1, 0), 7])), 'Test', {
    1: [0, (r) => seen.push(r.uint32())],
  });
  assert.deepEqual(seen, [7], 'the field after the groups is read');
  expectModelError(Uint8Array.from(open), /not a sentencepiece model: unterminated group 99 at byte \d+/);
  expectModelError(Uint8Array.from([...open, ...close]), /it has no pieces/);
  const crossed = [...tag(5, 3), ...tag(6, 3), ...tag(5, 4)];
  assert.throws(
    () => new ProtoReader(Uint8Array.from(crossed)).skip(3, 99),
    (e: Error) => e instanceof ProtobufError && /group 6 ends as group 5/.test(e.message),
  );
});

test('a charsmap replacement longer than 256 bytes is refused; one of 256 bytes is read', () => {
  const charsmap = decodeModelProto(readFileSync(BPE_MODEL)).normalizerSpec.precompiledCharsmap;
  const withPool = (extra: number) => Uint8Array.from([...charsmap, ...new Array<number>(extra).fill(0x61), 0]);
  assert.doesNotThrow(() => new CharsMap(charsmap), 'the real charsmap fits');
  assert.doesNotThrow(() => new CharsMap(withPool(MAX_REPLACEMENT_BYTES)));
  assert.throws(
    () => new CharsMap(withPool(MAX_REPLACEMENT_BYTES + 1)),
    /the precompiled charsmap has a 257-byte replacement at byte \d+ of its pool; at most 256 are allowed/,
  );
  // The same inside a model file: the error names the file.
  const pieces = [
    len(1, [...len(1, new TextEncoder().encode('<unk>')), ...tag(3, 0), 2]),
    len(1, [...len(1, new TextEncoder().encode('a')), ...tag(3, 0), 1]),
  ].flat();
  const normalizer = len(3, len(2, withPool(1000)));
  expectModelError(Uint8Array.from([...pieces, ...normalizer]), /a 1000-byte replacement/);
  const fine = SentencePieceModel.fromBytes(Uint8Array.from([...pieces, ...len(3, len(2, charsmap))]), 'fine.model');
  assert.equal(fine.normalize('\uff41'), fine.normalize('a'), 'the charsmap maps a fullwidth a to a');
});
