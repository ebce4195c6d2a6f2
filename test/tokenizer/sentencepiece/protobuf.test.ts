// The protobuf wire-format reader: varints up to 64 bits, fixed-width values, strings, skipping
// unknown fields and the byte offsets its errors name.

import test from 'node:test';
import assert from 'node:assert/strict';

import { ProtoReader, readMessage, WireType } from '../../../src/tokenizer/sentencepiece/protobuf.js';

const reader = (bytes: number[]) => new ProtoReader(Uint8Array.from(bytes));

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}

test('varints: one and several bytes, int32 negatives as ten bytes, the full 64 bits', () => {
  assert.equal(reader([0x08]).uint32(), 8);
  assert.equal(reader([0x96, 0x01]).uint32(), 150);
  assert.equal(reader([0xff, 0xff, 0xff, 0xff, 0x0f]).uint32(), 0xffffffff);
  const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(reader(minusOne).int32(), -1);
  assert.equal(reader(minusOne).uint64(), 0xffffffffffffffffn);
  assert.equal(reader(minusOne).int64(), -1n);
  assert.equal(reader(varint(-123456789n)).int32(), -123456789);
  for (const v of [0n, 1n << 32n, 1n << 63n, 0x123456789abcdef0n, (1n << 64n) - 2n]) {
    const r = reader(varint(v));
    assert.equal(r.uint64(), v);
    assert.ok(r.done, `all of ${v}'s varint is consumed`);
  }
  const r = reader([...varint(1n << 40n), 0x05]);
  assert.equal(r.uint32(), 0, 'uint32 keeps the low 32 bits and consumes the rest');
  assert.equal(r.uint32(), 5);
  assert.equal(reader([0x80, 0x01]).bool(), true);
  assert.equal(reader([0x00]).bool(), false);
});

test('fixed-width values are little-endian', () => {
  const f = new Uint8Array(new Float32Array([-2.931839]).buffer);
  assert.equal(reader([...f]).float(), Math.fround(-2.931839));
  const d = new Uint8Array(new Float64Array([Math.PI]).buffer);
  assert.equal(reader([...d]).double(), Math.PI);
  assert.equal(reader([1, 0, 0, 0, 0, 0, 0, 0x80]).fixed64(), (1n << 63n) + 1n);
});

test('strings and embedded messages are length-delimited', () => {
  const r = reader([0x03, 0xe2, 0x96, 0x81, 0x02, 0x08, 0x07, 0x09]);
  assert.equal(r.string(), '\u2581');
  const inner = r.message();
  assert.equal(inner.tag().field, 1);
  assert.equal(inner.uint32(), 7);
  assert.ok(inner.done);
  assert.equal(r.uint32(), 9, 'the outer reader continues after the embedded message');
});

test('unknown fields of every wire type are skipped, groups included', () => {
  const bytes = [
    ...[0x08, 0x96, 0x01], // 1: varint
    ...[0x11, 1, 2, 3, 4, 5, 6, 7, 8], // 2: fixed64
    ...[0x1a, 0x02, 0xff, 0xff], // 3: bytes
    ...[0x25, 1, 2, 3, 4], // 4: fixed32
    ...[0x2b, 0x08, 0x01, 0x2c], // 5: a group holding a varint
    ...[0x32, 0x02, 0x6f, 0x6b], // 6: "ok"
  ];
  const seen: string[] = [];
  readMessage(reader(bytes), 'Test', { 6: [WireType.LEN, (r) => seen.push(r.string())] });
  assert.deepEqual(seen, ['ok']);
});

test('malformed data fails with the byte offset where reading went wrong', () => {
  assert.throws(() => reader([0x80, 0x80]).uint32(), /truncated varint at byte 0/);
  const r = reader([0x08, 0x80]);
  r.tag();
  assert.throws(() => r.uint64(), /truncated varint at byte 1/);
  assert.throws(() => reader(Array(11).fill(0x80)).uint64(), /varint longer than 10 bytes at byte 0/);
  assert.throws(() => reader([0x05, 0x61, 0x62]).string(), /field at byte 0 needs 5 bytes, only 2 are left/);
  assert.throws(() => reader([0x01, 0x02, 0x03]).float(), /truncated fixed32 at byte 0/);
  assert.throws(() => reader([0x02, 0xc3, 0x28]).string(), /invalid UTF-8 in the string at byte 0/);
  assert.throws(() => reader([0x00]).tag(), /invalid field number 0 at byte 0/);
  assert.throws(() => reader([0x0f]).tag(), /invalid wire type 7 at byte 0/);
  assert.throws(() => readMessage(reader([0x08, 0x01, 0x2b, 0x08]), 'Test', {}), /truncated varint at byte 4/);
  assert.throws(
    () => readMessage(reader([0x08, 0x01, 0x0a, 0x00]), 'Test', { 1: [WireType.LEN, (r) => r.string()] }),
    /Test field 1 at byte 0 has wire type 0, expected 2/,
  );
  const inner = reader([0x0a, 0x02, 0x08, 0x80, 0x08]);
  inner.tag();
  const message = inner.message();
  message.tag();
  assert.throws(() => message.uint32(), /truncated varint at byte 3/, 'an embedded message ends where its length says');
});
