// The safetensors format (huggingface/safetensors) read from bytes in memory: an 8-byte little-endian
// header length N, N bytes of JSON header {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {key: value}}, then the tensors' little-endian bytes back to back. Tensors are views
// of the bytes given. No Node here: pages read weights with it too; safetensors.ts reads files on disk.

import { InputError } from '../errors.js';
import { halfToFloat } from './half.js';
import { parseJson } from './json.js';
import { oneLine, quoteJson } from '../quote.js';

/** The dtypes we read; F16 and BF16 are widened to float32, the others are read as they are (I8: int8 weights). */
export type StoredDType = 'F32' | 'F64' | 'I32' | 'F16' | 'BF16' | 'I8';
export type TensorData = Float32Array | Float64Array | Int32Array | Int8Array;

export interface StoredTensor {
  /** The dtype in the file. */
  dtype: StoredDType;
  shape: number[];
  data: TensorData;
}

/** What the header says about one tensor; begin and end are offsets into the data after the header. */
export interface TensorEntry {
  name: string;
  dtype: StoredDType;
  shape: number[];
  begin: number;
  end: number;
}

/** A safetensors file's header: its tensors' entries, its metadata and where the data starts. */
export interface SafetensorsHeader {
  entries: TensorEntry[];
  metadata: Record<string, string>;
  /** Bytes before the data: 8 + the header length. */
  dataStart: number;
}

/** The tensors of a safetensors file by name, and its metadata. */
export interface SafetensorsContent {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** A tensor to write: its shape and values (float32, float64 or int32). */
export interface TensorToWrite {
  shape: readonly number[];
  /** A Uint16Array holds bf16 bits (stored as BF16). */
  data: TensorData | Uint16Array;
}

export class SafetensorsError extends InputError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

const BYTES: Record<StoredDType, number> = { F32: 4, F64: 8, I32: 4, F16: 2, BF16: 2, I8: 1 };
const OTHER_DTYPES = ['BOOL', 'U8', 'U16', 'I16', 'U32', 'I64', 'U64', 'F8_E4M3', 'F8_E5M2'];
/** The Rust reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER = 100_000_000;
export const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// As Node decodes a file's header: a byte-order mark stays, and JSON.parse refuses it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Parses a safetensors file already in memory (`name` is used in errors); tensors view `bytes`. */
export function parseSafetensors(bytes: Uint8Array, name: string): SafetensorsContent {
  const header = parseSafetensorsHeader(bytes, name);
  return { tensors: viewTensors(header.entries, bytes.subarray(header.dataStart)), metadata: header.metadata };
}

/** Parses and checks only the header of a safetensors file in memory (names, dtypes, shapes, layout). */
export function parseSafetensorsHeader(bytes: Uint8Array, name: string): SafetensorsHeader {
  const n = headerLength(bytes.subarray(0, 8), bytes.byteLength, name);
  const header = parseHeader(utf8.decode(bytes.subarray(8, 8 + n)), n, name);
  checkLayout(header.entries, bytes.byteLength - 8 - n, name);
  return header;
}

export function headerLength(prefix: Uint8Array, size: number, file: string): number {
  if (size < 8) throw new SafetensorsError(file, `truncated: ${size} bytes, shorter than the 8-byte header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER))
    throw new SafetensorsError(file, `header length ${n} is absurd (over 100 MB): not a safetensors file?`);
  if (8 + Number(n) > size) {
    throw new SafetensorsError(file, `header length ${n} runs past the end of the ${size}-byte file (truncated?)`);
  }
  return Number(n);
}

export function parseHeader(text: string, n: number, file: string): SafetensorsHeader {
  const json = parseJson(text, (problem) => new SafetensorsError(file, `the header is ${problem}`));
  if (!isObject(json)) throw new SafetensorsError(file, 'the header is not a JSON object');
  const entries: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(value, file);
    else entries.push(parseEntry(name, value, file));
  }
  return { entries, metadata, dataStart: 8 + n };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (!isObject(value)) throw new SafetensorsError(file, '"__metadata__" must be an object of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new SafetensorsError(file, `"__metadata__": ${quoteJson(key)} must be a string, got ${quoteJson(v)}`);
  }
  return value as Record<string, string>;
}

function parseEntry(name: string, value: unknown, file: string): TensorEntry {
  const fail = (problem: string): never => {
    throw new SafetensorsError(file, `tensor ${quoteJson(name)}: ${problem}`);
  };
  if (!isObject(value)) return fail('the header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !Object.hasOwn(BYTES, dtype)) {
    if (OTHER_DTYPES.includes(dtype as string))
      fail(`dtype ${dtype} is not supported (F32, F64, I32, F16, BF16, I8 are)`);
    fail(`unknown dtype ${quoteJson(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`"shape" must be a list of non-negative integers, got ${quoteJson(shape)}`);
  }
  const isOffset = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isOffset) || offsets[0] > offsets[1]) {
    fail(`"data_offsets" must be [begin, end], integers with 0 <= begin <= end, got ${quoteJson(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const bytes = product(shape as number[]) * BYTES[dtype as StoredDType];
  if (end - begin !== bytes) {
    fail(
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} ${shapeText(shape as number[])} needs ${bytes}`,
    );
  }
  return { name, dtype: dtype as StoredDType, shape: shape as number[], begin, end };
}

/** The tensors must tile the data exactly: inside it, no overlaps, no holes, nothing after the last. */
export function checkLayout(entries: readonly TensorEntry[], dataLength: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: TensorEntry | null = null;
  for (const e of sorted) {
    const where = `tensor ${quoteJson(e.name)}: data_offsets [${e.begin}, ${e.end}]`;
    if (e.end > dataLength) {
      throw new SafetensorsError(file, `${where} lie outside the ${dataLength} bytes of data (truncated file?)`);
    }
    if (e.begin < cursor) {
      throw new SafetensorsError(
        file,
        `${where} overlap tensor ${quoteJson(previous!.name)} [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (e.begin > cursor)
      throw new SafetensorsError(file, `${where} leave a hole: data bytes ${cursor}..${e.begin} belong to no tensor`);
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(file, `${dataLength - cursor} bytes after the last tensor belong to no tensor`);
  }
}

export function viewTensors(entries: readonly TensorEntry[], data: Uint8Array): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const e of entries) {
    out.set(e.name, { dtype: e.dtype, shape: e.shape, data: decode(e.dtype, data.subarray(e.begin, e.end)) });
  }
  return out;
}

/**
 * Refuses a float tensor holding a NaN or an infinity: weights like that come from corruption or a
 * diverged run, and a model built on them computes nothing but NaN. The error names the tensor and
 * the first bad value.
 */
export function requireFinite(tensors: ReadonlyMap<string, StoredTensor>, file: string): void {
  for (const [name, t] of tensors) {
    if (t.dtype === 'I32' || t.dtype === 'I8') continue;
    const data = t.data;
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (x - x !== 0)
        // NaN and +-Infinity only
        throw new SafetensorsError(
          file,
          `tensor ${quoteJson(name)} holds ${x} at index ${i}; weights must be finite numbers`,
        );
    }
  }
}

/** A view of the bytes when they are aligned for the element type; otherwise (or widening halves) a copy. */
function decode(dtype: StoredDType, bytes: Uint8Array): TensorData {
  const count = bytes.byteLength / BYTES[dtype];
  const aligned = littleEndianHost && bytes.byteOffset % BYTES[dtype] === 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    if (aligned) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    return Float32Array.from({ length: count }, (_, i) => dv.getFloat32(4 * i, true));
  }
  if (dtype === 'F64') {
    if (aligned) return new Float64Array(bytes.buffer, bytes.byteOffset, count);
    return Float64Array.from({ length: count }, (_, i) => dv.getFloat64(8 * i, true));
  }
  if (dtype === 'I8') return new Int8Array(bytes.buffer, bytes.byteOffset, count);
  if (dtype === 'I32') {
    if (aligned) return new Int32Array(bytes.buffer, bytes.byteOffset, count);
    return Int32Array.from({ length: count }, (_, i) => dv.getInt32(4 * i, true));
  }
  const out = new Float32Array(count);
  if (dtype === 'F16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
  } else {
    // bfloat16 is the upper half of a float32
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = dv.getUint16(2 * i, true) << 16;
  }
  return out;
}

/** True when two shapes are the same list of dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** "[a, b, c]", cut short for messages. */
export function shapeText(shape: readonly number[]): string {
  return oneLine(`[${shape.join(', ')}]`, 80);
}

export function product(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
