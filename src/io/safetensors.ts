// safetensors files on disk (Node): reading a file's header alone or the whole file, and writing one
// atomically. The format itself is parsed in safetensors-format.ts, which pages use too.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { writeFileAtomic } from './atomic.js';
import { encodeSafetensors } from './safetensors-encode.js';
import {
  checkLayout,
  headerLength,
  parseHeader,
  SafetensorsError,
  viewTensors,
  type SafetensorsContent,
  type SafetensorsHeader,
  type TensorToWrite,
} from './safetensors-format.js';

export * from './safetensors-format.js';
export { encodeSafetensors } from './safetensors-encode.js';

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
