// The Tensor: a typed view (shape, strides, offset) of a shared storage, plus its place in the
// autograd graph. Storages come from the buffer pool and go back to it when their last tensor is
// disposed, which `tidy` does for every tensor a scope created and did not return.

import type { DataArray, FloatArray } from '../backend/backend.js';
import { bufferPool } from './buffer-pool.js';
import { checkShape, denseStrides, formatShape, sizeOf, type Shape } from './shape.js';

/** The element types: float32, float64, int32. */
export type DType = 'float32' | 'float64' | 'int32';

/** One step of the graph: how to turn the gradient of an op's output into its inputs' gradients. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** One gradient per input (null where the input needs none), each freshly computed or a view of g. */
  backward(g: Tensor): (Tensor | null)[];
}

export class Storage {
  private refs = 0;
  constructor(
    private array: DataArray | null,
    readonly dtype: DType,
    private readonly pooled: boolean,
  ) {}

  get data(): DataArray {
    if (this.array === null) throw new Error('this tensor has been disposed (used after its tidy scope ended?)');
    return this.array;
  }

  get disposed(): boolean {
    return this.array === null;
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs > 0 || this.array === null) return;
    if (this.pooled) bufferPool.give(this.dtype, this.array);
    this.array = null;
  }
}

// Tensors created while a tidy scope is open are recorded in the innermost scope.
const scopes: Set<Tensor>[] = [];

/** An n-dimensional array on the active backend, with autograd (requireGrad, backward, grad). */
export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  gradNode: GradNode | null = null;
  private isDisposed = false;
  private isKept = false;

  constructor(
    readonly storage: Storage,
    shape: Shape,
    strides: Shape = denseStrides(shape),
    readonly offset = 0,
  ) {
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...strides]);
    this.size = sizeOf(shape);
    storage.retain();
    scopes.at(-1)?.add(this);
  }

  /** An uninitialised tensor from the buffer pool. */
  static empty(shape: Shape, dtype: DType = 'float32'): Tensor {
    checkShape(shape);
    return new Tensor(new Storage(bufferPool.take(dtype, sizeOf(shape)), dtype, true), shape);
  }

  /** Wraps (without copying) a typed array, or copies a plain array. */
  static from(values: ArrayLike<number>, shape?: Shape, dtype?: DType): Tensor {
    const fullShape = shape ?? [values.length];
    checkShape(fullShape);
    if (sizeOf(fullShape) !== values.length) {
      throw new RangeError(`${values.length} values do not fill shape ${formatShape(fullShape)}`);
    }
    const kind = dtype ?? dtypeOf(values);
    const array = isDataArray(values) && dtypeOf(values) === kind ? values : makeArray(kind, values);
    return new Tensor(new Storage(array, kind, false), fullShape);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this.isDisposed || this.storage.disposed;
  }

  /** True when the elements lie densely in row-major order (the offset may be anything). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.rank - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  /** The elements of a contiguous tensor as a typed array view (no copy). */
  dense(): DataArray {
    if (!this.isContiguous()) throw new Error('dense() needs a contiguous tensor; call contiguous() first');
    return this.storage.data.subarray(this.offset, this.offset + this.size);
  }

  /** dense() for float tensors, with a clear error for int32. */
  floats(what = 'operand'): FloatArray {
    if (this.dtype === 'int32') throw new TypeError(`${what} must be a float tensor, got int32`);
    return this.dense() as FloatArray;
  }

  /** dense() for int32 tensors. */
  ints(what = 'operand'): Int32Array {
    if (this.dtype !== 'int32') throw new TypeError(`${what} must be an int32 tensor, got ${this.dtype}`);
    return this.dense() as Int32Array;
  }

  /** A view of the same storage with another shape, strides and offset. */
  view(shape: Shape, strides: Shape, offset: number): Tensor {
    return new Tensor(this.storage, shape, strides, offset);
  }

  /** The single element of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item() needs one element, the tensor has ${this.size}`);
    return this.storage.data[this.offset];
  }

  /** The elements in row-major order, as a new plain array. */
  toArray(): number[] {
    const out = new Array<number>(this.size);
    const data = this.storage.data;
    const index = new Array<number>(this.rank).fill(0);
    for (let n = 0; n < this.size; n++) {
      let at = this.offset;
      for (let d = 0; d < this.rank; d++) at += index[d] * this.strides[d];
      out[n] = data[at];
      for (let d = this.rank - 1; d >= 0; d--) {
        if (++index[d] < this.shape[d]) break;
        index[d] = 0;
      }
    }
    return out;
  }

  /** Marks the tensor as a leaf whose gradient backward() accumulates in .grad. */
  requireGrad(flag = true): this {
    if (flag && this.dtype === 'int32') throw new TypeError('an int32 tensor cannot require a gradient');
    this.requiresGrad = flag;
    return this;
  }

  /** Exempts the tensor from disposal by enclosing tidy scopes (parameters, optimizer state). */
  keep(): this {
    this.isKept = true;
    for (const scope of scopes) scope.delete(this);
    return this;
  }

  get kept(): boolean {
    return this.isKept;
  }

  /** Returns the storage to the pool once no other view holds it. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.gradNode = null;
    this.storage.release();
  }

  /** A short description: shape and dtype. */
  toString(): string {
    return `Tensor(${this.dtype}, ${formatShape(this.shape)})`;
  }
}

/** Anything tidy can find tensors in: a tensor, or arrays and plain objects holding them. */
export type TensorContainer = Tensor | readonly TensorContainer[] | { [key: string]: unknown } | unknown;

function collect(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, into);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into);
  }
}

/**
 * Runs fn and then disposes every tensor it created, except those it returns (which move to the
 * enclosing scope) and those marked keep(). This is how a training step gives its activations and
 * gradients' buffers back to the pool for the next step.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const survivors = new Set<Tensor>();
  collect(result, survivors);
  for (const t of scope) {
    if (survivors.has(t)) scopes.at(-1)?.add(t);
    else t.dispose();
  }
  return result;
}

function dtypeOf(values: ArrayLike<number>): DType {
  if (values instanceof Int32Array) return 'int32';
  if (values instanceof Float64Array) return 'float64';
  return 'float32';
}

function isDataArray(values: ArrayLike<number>): values is DataArray {
  return values instanceof Float32Array || values instanceof Float64Array || values instanceof Int32Array;
}

function makeArray(dtype: DType, values: ArrayLike<number>): DataArray {
  if (dtype === 'int32') {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isInteger(values[i]))
        throw new TypeError(`int32 tensor: value ${values[i]} at ${i} is not an integer`);
      out[i] = values[i];
    }
    return out;
  }
  return dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}
