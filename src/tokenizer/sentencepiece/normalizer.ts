// SentencePiece's normalizer (normalizer.cc): the precompiled character map (a darts-clone double-array
// trie over UTF-8 bytes plus a pool of replacement strings), whitespace clean-up, the dummy prefix and
// the escaping of spaces as U+2581. Everything works on UTF-8 bytes, as sentencepiece does.

import { SentencePieceError } from './error.js';
import type { NormalizerSpec } from './model-proto.js';

/** U+2581 LOWER ONE EIGHTH BLOCK, which stands for a space inside pieces. */
export const SPACE_SYMBOL = '\u2581';
const SPACE_BYTES = [0xe2, 0x96, 0x81];
const SPACE = 0x20;

const encoder = new TextEncoder();

/**
 * The longest replacement a charsmap rule may have. NFKC's longest expansion (U+FDFA) is 33 bytes;
 * the cap bounds the normalized text at 256 bytes per input byte whatever the model file says.
 */
export const MAX_REPLACEMENT_BYTES = 256;
/** The most bytes a normalized text may take (256 MiB), whatever the text and the rules. */
export const MAX_NORMALIZED_BYTES = 2 ** 28;

/** The length of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte). */
export function utf8Length(lead: number): number {
  return lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/** A trie over UTF-8 bytes with a non-negative value per key; sentencepiece's piece and symbol tries. */
export class ByteTrie {
  private readonly children = new Map<number, number>(); // node * 256 + byte -> node
  private readonly values: number[] = [-1];

  constructor(keys: Iterable<[key: string, value: number]> = []) {
    for (const [key, value] of keys) this.insert(encoder.encode(key), value);
  }

  insert(key: Uint8Array, value: number): void {
    let node = 0;
    for (const b of key) {
      let next = this.children.get(node * 256 + b);
      if (next === undefined) {
        next = this.values.length;
        this.values.push(-1);
        this.children.set(node * 256 + b, next);
      }
      node = next;
    }
    this.values[node] = value;
  }

  /** The value of bytes[start, end), or -1. */
  get(bytes: Uint8Array, start: number, end: number): number {
    let node = 0;
    for (let i = start; i < end && node >= 0; i++) node = this.children.get(node * 256 + bytes[i]) ?? -1;
    return node >= 0 ? this.values[node] : -1;
  }

  /** Calls visit(end, value) for every key that is a prefix of bytes[start, limit), shortest first. */
  prefixes(bytes: Uint8Array, start: number, limit: number, visit: (end: number, value: number) => void): void {
    let node = 0;
    for (let i = start; i < limit; i++) {
      const next = this.children.get(node * 256 + bytes[i]);
      if (next === undefined) return;
      node = next;
      if (this.values[node] >= 0) visit(i + 1, this.values[node]);
    }
  }

  /** The end of the longest key that is a prefix of bytes[start, limit), or -1. */
  longest(bytes: Uint8Array, start: number, limit: number): number {
    let end = -1;
    this.prefixes(bytes, start, limit, (e) => (end = e));
    return end;
  }
}

/**
 * The precompiled charsmap: a little-endian uint32 trie size in bytes, the darts-clone units, then the
 * pool of NUL-terminated replacement strings. A unit holds a label byte, a has-leaf bit and an offset
 * to its children; a leaf's value is the replacement's offset in the pool. The longest match wins.
 */
export class CharsMap {
  private readonly units: Uint32Array;
  private readonly pool: Uint8Array;

  constructor(blob: Uint8Array) {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieSize = blob.length > 4 ? view.getUint32(0, true) : -1;
    if (trieSize < 0 || trieSize + 4 > blob.length || trieSize % 4 !== 0)
      throw new SentencePieceError(`the precompiled charsmap is broken (${blob.length} bytes, trie size ${trieSize})`);
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + 4 * i, true);
    this.pool = blob.subarray(4 + trieSize);
    // Every replacement starts somewhere in a NUL-terminated string of the pool: bounding those bounds them all.
    for (let start = 0, i = 0; i <= this.pool.length; i++) {
      if (i < this.pool.length && this.pool[i] !== 0) continue;
      if (i - start > MAX_REPLACEMENT_BYTES)
        throw new SentencePieceError(
          `the precompiled charsmap has a ${i - start}-byte replacement at byte ${start} of its pool; at most ${MAX_REPLACEMENT_BYTES} are allowed`,
        );
      start = i + 1;
    }
  }

  /** The longest rule matching bytes[start, limit): the bytes it consumes and its replacement. */
  match(bytes: Uint8Array, start: number, limit: number): { length: number; replacement: Uint8Array } | null {
    const units = this.units;
    let length = 0;
    let value = 0;
    if (units.length === 0) return null;
    let node = offset(units[0]);
    for (let i = start; i < limit; i++) {
      node ^= bytes[i];
      if (node >= units.length || (units[node] & 0x800000ff) !== bytes[i]) break;
      const unit = units[node];
      node ^= offset(unit);
      if (node >= units.length) break;
      if ((unit >>> 8) & 1) {
        length = i + 1 - start;
        value = units[node] & 0x7fffffff;
      }
    }
    if (length === 0) return null;
    let end = value;
    while (end < this.pool.length && this.pool[end] !== 0) end++;
    return { length, replacement: this.pool.subarray(value, end) };
  }
}

function offset(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}

export class Normalizer {
  private readonly charsMap: CharsMap | null;

  /** `userDefined` symbols are matched first and copied as they are. */
  constructor(
    private readonly spec: NormalizerSpec,
    private readonly treatWhitespaceAsSuffix = false,
    private readonly userDefined: ByteTrie | null = null,
  ) {
    this.charsMap = spec.precompiledCharsmap.length > 0 ? new CharsMap(spec.precompiledCharsmap) : null;
  }

  /** The normalized UTF-8 bytes of `text`; empty when it is empty or all whitespace. */
  normalize(text: string): Uint8Array {
    const { addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces } = this.spec;
    const input = encoder.encode(text);
    const out = new ByteBuffer(input.length);
    const addSpace = () => (escapeWhitespaces ? out.pushAll(SPACE_BYTES) : out.push(SPACE));
    let pos = 0;
    while (removeExtraWhitespaces && pos < input.length) {
      const p = this.prefix(input, pos);
      if (!isSpace(p.normalized)) break;
      pos += p.consumed;
    }
    if (pos === input.length) return new Uint8Array(0);

    if (!this.treatWhitespaceAsSuffix && addDummyPrefix) addSpace();
    let prevSpace = removeExtraWhitespaces;
    while (pos < input.length) {
      const { normalized, consumed } = this.prefix(input, pos);
      let i = 0;
      if (prevSpace) while (i < normalized.length && normalized[i] === SPACE) i++;
      if (i < normalized.length) {
        for (; i < normalized.length; i++) {
          if (escapeWhitespaces && normalized[i] === SPACE) out.pushAll(SPACE_BYTES);
          else out.push(normalized[i]);
        }
        prevSpace = normalized[normalized.length - 1] === SPACE;
      }
      pos += consumed;
      if (!removeExtraWhitespaces) prevSpace = false;
    }

    if (removeExtraWhitespaces) {
      const space = escapeWhitespaces ? SPACE_BYTES : [SPACE];
      while (out.length >= space.length && space.every((b, k) => out.at(out.length - space.length + k) === b))
        out.length -= space.length;
    }
    if (this.treatWhitespaceAsSuffix && addDummyPrefix) addSpace();
    return out.bytes();
  }

  /** What the text at `pos` normalizes to, and how many input bytes that consumes. */
  private prefix(input: Uint8Array, pos: number): { normalized: Uint8Array; consumed: number } {
    const symbolEnd = this.userDefined?.longest(input, pos, input.length) ?? -1;
    if (symbolEnd > 0) return { normalized: input.subarray(pos, symbolEnd), consumed: symbolEnd - pos };
    const rule = this.charsMap?.match(input, pos, input.length);
    if (rule) return { normalized: rule.replacement, consumed: rule.length };
    // TextEncoder output is valid UTF-8, so sentencepiece's U+FFFD for malformed bytes never arises.
    const consumed = Math.min(utf8Length(input[pos]), input.length - pos);
    return { normalized: input.subarray(pos, pos + consumed), consumed };
  }
}

/** A growing byte array that refuses to pass MAX_NORMALIZED_BYTES. */
class ByteBuffer {
  private data: Uint8Array;
  length = 0;

  constructor(expected: number) {
    this.data = new Uint8Array(Math.min(MAX_NORMALIZED_BYTES, Math.max(64, expected + (expected >> 1) + 8)));
  }

  push(b: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = b;
  }

  pushAll(bytes: readonly number[]): void {
    for (const b of bytes) this.push(b);
  }

  at(i: number): number {
    return this.data[i];
  }

  bytes(): Uint8Array {
    return this.data.slice(0, this.length);
  }

  private grow(): void {
    if (this.data.length >= MAX_NORMALIZED_BYTES)
      throw new SentencePieceError(`the normalized text would take more than ${MAX_NORMALIZED_BYTES} bytes`);
    const next = new Uint8Array(Math.min(MAX_NORMALIZED_BYTES, 2 * this.data.length));
    next.set(this.data);
    this.data = next;
  }
}

function isSpace(normalized: Uint8Array): boolean {
  return normalized.length === 1 && normalized[0] === SPACE;
}
