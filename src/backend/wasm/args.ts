// Argument checking for the wasm kernels, the same checks and messages as the addon's
// (native/napi/args.h): a wrong type is a TypeError, a bad size or value a RangeError, each naming
// the kernel and the argument. The C functions behind them trust their arguments, and a short array
// would let a kernel write over other tensors in the heap.

import type { HeapArray } from './heap.js';

const TWO_40 = 2 ** 40;
// The C functions take int sizes; an array in a wasm32 heap holds fewer than 2^31 elements.
const TWO_31 = 2 ** 31;

export class Args {
  constructor(
    private readonly kernel: string,
    private readonly values: readonly unknown[],
  ) {}

  fail(range: boolean, name: string, what: string): never {
    const message = `${this.kernel}: argument '${name}' ${what}`;
    throw range ? new RangeError(message) : new TypeError(message);
  }

  value(i: number): unknown {
    return this.values[i];
  }

  /** A Float32Array with at least `need` elements. */
  f32(i: number, name: string, need: number): Float32Array {
    const v = this.values[i];
    if (!(v instanceof Float32Array)) {
      if (v instanceof Float64Array) this.fail(false, name, 'is a Float64Array, but the wasm backend is float32 only');
      this.fail(false, name, 'must be a Float32Array');
    }
    return this.long(v, name, need);
  }

  f32OrNull(i: number, name: string, need: number): Float32Array | null {
    return this.values[i] === null || this.values[i] === undefined ? null : this.f32(i, name, need);
  }

  /** A Float32Array or a Uint16Array (bf16 bits) with at least `need` elements. */
  f32OrBf16(i: number, name: string, need: number): Float32Array | Uint16Array {
    const v = this.values[i];
    if (v instanceof Uint16Array) return this.long(v, name, need);
    if (!(v instanceof Float32Array)) this.fail(false, name, 'must be a Float32Array or a Uint16Array');
    return this.long(v, name, need);
  }

  /** A Uint16Array (bf16 bits) with at least `need` elements. */
  u16(i: number, name: string, need: number): Uint16Array {
    const v = this.values[i];
    if (!(v instanceof Uint16Array)) this.fail(false, name, 'must be a Uint16Array');
    return this.long(v, name, need);
  }

  /** An Int8Array (int8 weights) with at least `need` elements. */
  i8(i: number, name: string, need: number): Int8Array {
    const v = this.values[i];
    if (!(v instanceof Int8Array)) this.fail(false, name, 'must be an Int8Array');
    return this.long(v, name, need);
  }

  /** An Int32Array with at least `need` elements. */
  i32(i: number, name: string, need: number): Int32Array {
    const v = this.values[i];
    if (!(v instanceof Int32Array)) this.fail(false, name, 'must be an Int32Array');
    return this.long(v, name, need);
  }

  i32OrNull(i: number, name: string, need: number): Int32Array | null {
    return this.values[i] === null || this.values[i] === undefined ? null : this.i32(i, name, need);
  }

  /** The element type of an argument that may be float32 or int32. */
  isInt32(i: number, name: string): boolean {
    const v = this.values[i];
    if (!ArrayBuffer.isView(v) || v instanceof DataView) this.fail(false, name, 'must be a typed array');
    return v instanceof Int32Array;
  }

  number(v: unknown, name: string): number {
    if (typeof v !== 'number') this.fail(false, name, 'must be a number');
    return v;
  }

  /** A non-negative integer, below 2^31 here (the addon allows 2^40, which no wasm array reaches). */
  count(v: unknown, name: string): number {
    const x = this.number(v, name);
    if (!(x >= 0 && x < TWO_40) || !Number.isInteger(x))
      this.fail(true, name, `must be a non-negative integer, got ${x}`);
    if (x >= TWO_31) this.fail(true, name, `must be below 2^31 on the wasm backend, got ${x}`);
    return x;
  }

  int32(v: unknown, name: string): number {
    const x = this.number(v, name);
    if (!Number.isInteger(x) || x < -TWO_31 || x >= TWO_31) this.fail(true, name, 'must be an int32');
    return x;
  }

  /** An integer taken modulo 2^32, as JavaScript's `>>> 0` does. */
  uint32(v: unknown, name: string): number {
    const x = this.number(v, name);
    if (!Number.isSafeInteger(x)) this.fail(true, name, 'must be an integer');
    return x >>> 0;
  }

  flag(v: unknown, name: string): boolean {
    if (typeof v !== 'boolean') this.fail(false, name, 'must be a boolean');
    return v;
  }

  /** A shape struct's fields, read with the same checks; errors name `struct.field`. */
  fields(i: number, name: string): Fields {
    const v = this.values[i];
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || Array.isArray(v))
      this.fail(false, name, 'must be an object');
    return new Fields(this, v as Record<string, unknown>, name);
  }

  /** x * y, refused when the product stops being an exact integer. */
  mul(name: string, x: number, y: number): number {
    const r = x * y;
    if (!Number.isSafeInteger(r)) this.fail(true, name, 'describes too many elements');
    return r;
  }

  /** An op code of an enum with `count` ops. */
  op(i: number, count: number): number {
    const op = this.int32(this.values[i], 'op');
    if (op < 0 || op >= count) this.fail(true, 'op', `is not a valid op code: ${op}`);
    return op;
  }

  /** Indices the kernel follows lie in [0, limit) or equal `skip`: a stray one would write outside an array. */
  indices(name: string, ids: Int32Array, n: number, limit: number, skip = -TWO_40, start = 0): void {
    for (let i = 0; i < n; i++) {
      const id = ids[start + i];
      if ((id < 0 || id >= limit) && id !== skip) this.fail(true, name, `has ${id} at ${i}, outside [0, ${limit})`);
    }
  }

  private long<T extends HeapArray | Uint16Array | Int8Array>(v: T, name: string, need: number): T {
    if (v.length < need) this.fail(true, name, `has ${v.length} elements, needs ${need}`);
    return v;
  }
}

export class Fields {
  constructor(
    private readonly args: Args,
    private readonly object: Record<string, unknown>,
    private readonly name: string,
  ) {}

  number(field: string): number {
    return this.args.number(this.get(field), `${this.name}.${field}`);
  }
  count(field: string): number {
    return this.args.count(this.get(field), `${this.name}.${field}`);
  }
  uint32(field: string): number {
    return this.args.uint32(this.get(field), `${this.name}.${field}`);
  }
  flag(field: string): boolean {
    return this.args.flag(this.get(field), `${this.name}.${field}`);
  }

  private get(field: string): unknown {
    try {
      return this.object[field];
    } catch {
      return this.args.fail(false, `${this.name}.${field}`, 'cannot be read');
    }
  }
}
