// The protobuf wire format, read-only: varints, 32/64-bit fixed values and length-delimited fields.
// Enough to decode sentencepiece's ModelProto without a schema compiler or a dependency.

import { InputError } from '../../errors.js';

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Malformed wire data; the message names the byte offset where reading went wrong. */
export class ProtobufError extends InputError {
  override name = 'ProtobufError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A cursor over one message: bytes [pos, end) of a buffer. Nested messages get their own reader. */
export class ProtoReader {
  pos: number;
  private view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wireType: number } {
    const at = this.pos;
    const tag = this.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) throw new ProtobufError(`invalid field number 0 at byte ${at}`);
    if (wireType > 5) throw new ProtobufError(`invalid wire type ${wireType} at byte ${at}`);
    return { field, wireType };
  }

  /** A varint as an unsigned 64-bit integer. */
  uint64(): bigint {
    const at = this.pos;
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new ProtobufError(`truncated varint at byte ${at}`);
      const b = this.bytes[this.pos++];
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, value);
    }
    throw new ProtobufError(`varint longer than 10 bytes at byte ${at}`);
  }

  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  /** The low 32 bits of a varint, unsigned; int32 fields hold negatives as 10-byte varints. */
  uint32(): number {
    const at = this.pos;
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError(`truncated varint at byte ${at}`);
      const b = this.bytes[this.pos++];
      if (i < 5) value |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return value >>> 0;
    }
    throw new ProtobufError(`varint longer than 10 bytes at byte ${at}`);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    return this.uint64() !== 0n;
  }

  float(): number {
    return this.view.getFloat32(this.take(4, 'fixed32'), true);
  }

  double(): number {
    return this.view.getFloat64(this.take(8, 'fixed64'), true);
  }

  fixed64(): bigint {
    return this.view.getBigUint64(this.take(8, 'fixed64'), true);
  }

  /** A length-delimited field's payload, as a view (not a copy). */
  bytesField(): Uint8Array {
    const at = this.pos;
    const length = this.uint32();
    const start = this.pos;
    if (length > this.end - start)
      throw new ProtobufError(
        `length-delimited field at byte ${at} needs ${length} bytes, only ${this.end - start} are left`,
      );
    this.pos += length;
    return this.bytes.subarray(start, this.pos);
  }

  string(): string {
    const at = this.pos;
    const payload = this.bytesField();
    try {
      return utf8.decode(payload);
    } catch {
      throw new ProtobufError(`invalid UTF-8 in the string at byte ${at}`);
    }
  }

  /** A reader over an embedded message. */
  message(): ProtoReader {
    const length = this.bytesField().length;
    return new ProtoReader(this.bytes, this.pos - length, this.pos);
  }

  /**
   * Skips a field whose tag has just been read. A group (wire types 3 and 4, long deprecated) is skipped
   * up to its matching end tag, nested groups included, with a list of open groups instead of
   * recursion: a file of nothing but start-group tags cannot overflow the stack.
   */
  skip(wireType: number, field = 0): void {
    const at = this.pos;
    if (wireType === WireType.EGROUP) throw new ProtobufError(`unexpected end of group at byte ${at}`);
    if (wireType !== WireType.SGROUP) {
      this.skipValue(wireType);
      return;
    }
    const open = [field];
    while (open.length > 0) {
      if (this.done) throw new ProtobufError(`unterminated group ${open.at(-1)} at byte ${at}`);
      const t = this.tag();
      if (t.wireType === WireType.SGROUP) open.push(t.field);
      else if (t.wireType !== WireType.EGROUP) this.skipValue(t.wireType);
      else {
        const inner = open.pop();
        if (t.field !== inner) throw new ProtobufError(`group ${inner} ends as group ${t.field} at byte ${at}`);
      }
    }
  }

  /** Skips the value of a field that is not a group. */
  private skipValue(wireType: number): void {
    if (wireType === WireType.VARINT) this.uint32();
    else if (wireType === WireType.I64) this.take(8, 'fixed64');
    else if (wireType === WireType.LEN) this.bytesField();
    else this.take(4, 'fixed32');
  }

  private take(n: number, what: string): number {
    const at = this.pos;
    if (n > this.end - at) throw new ProtobufError(`truncated ${what} at byte ${at}`);
    this.pos += n;
    return at;
  }
}

/** How to read one known field: its wire type and what to do with the value. */
export type FieldReaders = Record<number, readonly [wireType: number, read: (reader: ProtoReader) => void]>;

/** Reads a message field by field; unknown fields are skipped, a known one with the wrong wire type is an error. */
export function readMessage(reader: ProtoReader, what: string, fields: FieldReaders): void {
  while (!reader.done) {
    const at = reader.pos;
    const { field, wireType } = reader.tag();
    const known = fields[field];
    if (known === undefined) reader.skip(wireType, field);
    else if (known[0] !== wireType)
      throw new ProtobufError(`${what} field ${field} at byte ${at} has wire type ${wireType}, expected ${known[0]}`);
    else known[1](reader);
  }
}
