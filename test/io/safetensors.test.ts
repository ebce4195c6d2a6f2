// The safetensors reader and writer: bit-exact round trips, half-precision reading, and one clear error
// (naming the file and the tensor or field) for each way a file can be corrupt.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
  type TensorToWrite,
} from '../../src/io/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'safetensors-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** A file from a header object (or its text) and raw data bytes; `pad` adds spaces after the JSON. */
function rawFile(name: string, header: unknown, data: Uint8Array = new Uint8Array(0), pad = 0): string {
  const json = Buffer.from((typeof header === 'string' ? header : JSON.stringify(header)) + ' '.repeat(pad));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, json, data]));
  return path;
}

function sample(): Map<string, TensorToWrite> {
  const special = new Float32Array([0, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, Math.PI]);
  const nanBits = new Uint32Array([0x7fc00001, 0xffa00000]); // NaNs with payloads
  const withNaN = new Float32Array(9);
  withNaN.set(special);
  withNaN.set(new Float32Array(nanBits.buffer), 7);
  return new Map<string, TensorToWrite>([
    ['z.last', { shape: [3, 3], data: withNaN }],
    ['a.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6], (x) => x / 7) }],
    ['ids', { shape: [5], data: Int32Array.from([0, -1, 2147483647, -2147483648, 42]) }],
    ['doubles', { shape: [2, 1], data: Float64Array.from([Math.E, -1e-300]) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
    ['scalar', { shape: [], data: Float32Array.from([7.5]) }],
    ['odd', { shape: [3], data: Float32Array.from([1, 2, 3]) }], // 12 bytes: the next tensor starts 4-aligned only
  ]);
}

test('a written file reads back bit for bit, and rewriting what was read gives the identical file', () => {
  const tensors = sample();
  const first = join(dir, 'first.safetensors');
  writeSafetensors(first, tensors, { producer: 'test', note: 'ünïcode' });
  const read = readSafetensors(first);
  assert.deepEqual(read.metadata, { producer: 'test', note: 'ünïcode' });
  assert.deepEqual([...read.tensors.keys()].sort(), [...tensors.keys()].sort());
  for (const [name, t] of tensors) {
    const back = read.tensors.get(name)!;
    assert.deepEqual(back.shape, [...t.shape], name);
    assert.equal(back.data.constructor, t.data.constructor, name);
    assert.ok(bytesOf(back.data).equals(bytesOf(t.data)), `${name}: bytes differ`);
  }
  const second = join(dir, 'second.safetensors');
  writeSafetensors(second, read.tensors, read.metadata);
  assert.ok(readFileSync(first).equals(readFileSync(second)), 'rewritten file differs');
});

test('the layout: header padded to 8 bytes, tensors sorted by name without gaps, views of one buffer', () => {
  const path = join(dir, 'layout.safetensors');
  writeSafetensors(path, sample());
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal(n % 8, 0);
  assert.match(bytes.subarray(8, 8 + n).toString(), /^\{.*\} *$/);
  const { entries, dataStart } = readSafetensorsHeader(path);
  assert.equal(dataStart, 8 + n);
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end).map((e) => e.name);
  assert.deepEqual(byOffset, ['a.weight', 'doubles', 'empty', 'ids', 'odd', 'scalar', 'z.last']);
  const { tensors } = readSafetensors(path);
  const buffers = new Set([...tensors.values()].filter((t) => t.data.length > 0).map((t) => t.data.buffer));
  assert.equal(buffers.size, 1, 'aligned tensors are views of one buffer, not copies');
});

test('F16 and BF16 are widened to float32 exactly; unaligned tensors are copied correctly', () => {
  const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x8000, 0x3555, 0x7e00];
  const f16Want = [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, Infinity, -Infinity, -0, 0.333251953125, NaN];
  const bf16 = [0x3f80, 0xc049, 0x7f80, 0x0001, 0x4780];
  const bf16Want = [1, -3.140625, Infinity, 2 ** -133, 65536];
  const data = Buffer.alloc(2 * (f16.length + bf16.length) + 8);
  [...f16, ...bf16].forEach((h, i) => data.writeUInt16LE(h, 2 * i));
  data.writeFloatLE(0.1, 30); // an F32 at data offset 30: not 4-aligned
  data.writeFloatLE(-2.5, 34);
  const header = {
    h: { dtype: 'F16', shape: [2, 5], data_offsets: [0, 20] },
    b: { dtype: 'BF16', shape: [5], data_offsets: [20, 30] },
    f: { dtype: 'F32', shape: [2], data_offsets: [30, 38] },
  };
  const { tensors } = readSafetensors(rawFile('half.safetensors', header, data, 3));
  assert.equal(tensors.get('h')!.dtype, 'F16');
  assert.ok(tensors.get('h')!.data instanceof Float32Array);
  assert.deepEqual(
    [...tensors.get('h')!.data],
    f16Want.map((x) => Math.fround(x)),
  );
  assert.ok(Object.is(tensors.get('h')!.data[7], -0));
  assert.deepEqual([...tensors.get('b')!.data], bf16Want);
  assert.deepEqual([...tensors.get('f')!.data], [Math.fround(0.1), -2.5]);
});

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

test('each kind of corruption gives a clear error naming the file and the tensor or field', () => {
  const good = join(dir, 'good.safetensors');
  writeSafetensors(good, new Map([['w', { shape: [4], data: Float32Array.from([1, 2, 3, 4]) }]]));
  const bytes = readFileSync(good);
  const cases: [string, () => string, RegExp][] = [
    [
      'truncated data',
      () => (writeFileSync(join(dir, 't1'), bytes.subarray(0, -3)), join(dir, 't1')),
      /tensor "w".*truncated/,
    ],
    [
      'truncated header',
      () => (writeFileSync(join(dir, 't2'), bytes.subarray(0, 20)), join(dir, 't2')),
      /runs past the end.*truncated/,
    ],
    [
      'shorter than 8 bytes',
      () => (writeFileSync(join(dir, 't3'), bytes.subarray(0, 5)), join(dir, 't3')),
      /truncated: 5 bytes/,
    ],
    [
      'absurd header length',
      () => {
        const copy = Buffer.from(bytes);
        copy.writeBigUInt64LE(1n << 40n);
        writeFileSync(join(dir, 'big'), copy);
        return join(dir, 'big');
      },
      /header length 1099511627776 is absurd/,
    ],
    ['invalid JSON', () => rawFile('json', '{"w": {"dtype": '), /header is not valid JSON/],
    ['not an object', () => rawFile('array', [1, 2]), /header is not a JSON object/],
    [
      'unknown dtype',
      () => rawFile('dtype', { w: { ...f32([1], 0, 4), dtype: 'F33' } }, new Uint8Array(4)),
      /tensor "w": unknown dtype "F33"/,
    ],
    [
      'unsupported dtype',
      () => rawFile('i64', { w: { ...f32([1], 0, 8), dtype: 'I64' } }, new Uint8Array(8)),
      /tensor "w": dtype I64 is not supported/,
    ],
    [
      'negative dimension',
      () => rawFile('shape1', { w: f32([2, -1], 0, 0) }),
      /tensor "w": "shape" must be a list of non-negative integers, got \[2,-1\]/,
    ],
    ['fractional dimension', () => rawFile('shape2', { w: f32([2.5], 0, 0) }), /tensor "w": "shape"/],
    [
      'offsets not a pair',
      () => rawFile('offs', { w: { dtype: 'F32', shape: [1], data_offsets: [0] } }),
      /tensor "w": "data_offsets" must be \[begin, end\]/,
    ],
    ['offsets reversed', () => rawFile('rev', { w: f32([1], 4, 0) }, new Uint8Array(4)), /tensor "w": "data_offsets"/],
    [
      'offsets mismatch the shape',
      () => rawFile('size', { w: f32([2], 0, 12) }, new Uint8Array(12)),
      /tensor "w": data_offsets \[0, 12\] hold 12 bytes, but F32 \[2\] needs 8/,
    ],
    [
      'offsets out of range',
      () => rawFile('range', { a: f32([1], 0, 4), w: f32([1], 100, 104) }, new Uint8Array(8)),
      /tensor "w": data_offsets \[100, 104\] lie outside the 8 bytes/,
    ],
    [
      'overlapping tensors',
      () => rawFile('overlap', { a: f32([2], 0, 8), w: f32([2], 4, 12) }, new Uint8Array(12)),
      /tensor "w".*overlap tensor "a"/,
    ],
    [
      'a hole',
      () => rawFile('hole', { a: f32([1], 0, 4), w: f32([1], 8, 12) }, new Uint8Array(12)),
      /tensor "w".*hole: data bytes 4..8/,
    ],
    [
      'trailing bytes',
      () => rawFile('tail', { w: f32([1], 0, 4) }, new Uint8Array(6)),
      /2 bytes after the last tensor/,
    ],
    ['bad metadata', () => rawFile('meta', { __metadata__: { n: 3 } }), /"__metadata__": "n" must be a string/],
  ];
  for (const [what, make, message] of cases) {
    const path = make();
    assert.throws(
      () => readSafetensors(path),
      (error: Error) => {
        assert.ok(error.message.startsWith(`${path}: `), `${what}: the error names the file: ${error.message}`);
        assert.match(error.message, message, what);
        return true;
      },
    );
  }
  assert.throws(() => readSafetensors(join(dir, 'nothing-here')), /nothing-here: cannot open it/);
});

test('writing refuses data that does not fill its shape and leaves no file behind', () => {
  const path = join(dir, 'refused.safetensors');
  assert.throws(
    () => writeSafetensors(path, new Map([['w', { shape: [2, 2], data: new Float32Array(3) }]])),
    /tensor "w": 3 values do not fill shape \[2, 2\]/,
  );
  assert.throws(() => readFileSync(path), /ENOENT/);
});
