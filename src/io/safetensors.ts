// safetensors files on disk (Node): reading a file's header alone or the whole file, and writing one
// atomically. The format itself is parsed in safetensors-format.ts, which pages use too.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { writeFileAtomic } from './atomic.js';
import {
  checkLayout,
  headerLength,
  littleEndianHost,
  parseHeader,
  product,
  SafetensorsError,
  viewTensors,
  type SafetensorsContent,
  type SafetensorsHeader,
  type StoredDType,
  type TensorData,
  type TensorToWrite,
} from './safetensors-format.js';

export * from './safetensors-format.js';

/** Reads a safetensors file: the header, then the whole data region into one buffer that the tensors view. */
export function readSafetensors(path: string): SafetensorsContent {
  const fd = openOrFail(path);
  try {
    const size = fstatSync(fd).size;
    const header = readHeader(fd, size, path);
    const data = readExactly(fd, size - header.dataStart, header.dataStart, path);
    return { tensors: viewTensors(header.entries, data), metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}

/** Reads and checks only the header (names, dtypes, shapes, layout), not the tensors' bytes. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openOrFail(path);
  try {
    return readHeader(fd, fstatSync(fd).size, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes tensors sorted by name, without gaps, the header padded with spaces to a multiple of 8 bytes
 * (so every tensor starts 8-byte aligned), atomically. The dtype follows the array: F32, F64, I32, BF16 (Uint16Array) or I8 (Int8Array).
 */
export function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata, path));
}

/** The chunks of a safetensors file: length prefix, header, then each tensor's bytes. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite>,
  metadata: Record<string, string> = {},
  file = 'safetensors',
): Uint8Array[] {
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new SafetensorsError(file, `metadata "${key}" must be a string`);
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of [...tensors.keys()].sort()) {
    const { shape, data } = tensors.get(name)!;
    if (name === '__metadata__') throw new SafetensorsError(file, 'a tensor cannot be named "__metadata__"');
    const dtype = dtypeOf(data);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || product(shape) !== data.length) {
      throw new SafetensorsError(
        file,
        `tensor "${name}": ${data.length} values do not fill shape [${shape.join(', ')}]`,
      );
    }
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    chunks.push(littleEndianBytes(data));
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const text = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.byteLength));
  return [prefix, text, ...chunks];
}

function openOrFail(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new SafetensorsError(path, `cannot open it (${(error as Error).message})`);
  }
}

/** Reads `count` bytes at `position` into a buffer of its own (aligned for every element type). */
function readExactly(fd: number, count: number, position: number, path: string): Buffer {
  const out = Buffer.allocUnsafeSlow(count);
  for (let done = 0; done < count;) {
    const got = readSync(fd, out, done, count - done, position + done);
    if (got === 0) throw new SafetensorsError(path, `the file ended after ${position + done} bytes while reading it`);
    done += got;
  }
  return out;
}

function readHeader(fd: number, size: number, path: string): SafetensorsHeader {
  const n = headerLength(size >= 8 ? readExactly(fd, 8, 0, path) : new Uint8Array(0), size, path);
  const header = parseHeader(readExactly(fd, n, 8, path).toString('utf8'), n, path);
  checkLayout(header.entries, size - 8 - n, path);
  return header;
}

function littleEndianBytes(data: TensorData | Uint16Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndianHost) return bytes;
  const out = new Uint8Array(data.byteLength);
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < out.length; i++) out[i] = bytes[i - (i % size) + size - 1 - (i % size)];
  return out;
}

function dtypeOf(data: TensorData | Uint16Array): StoredDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Uint16Array) return 'BF16';
  if (data instanceof Int8Array) return 'I8';
  return 'I32';
}
