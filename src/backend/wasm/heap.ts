// The wasm heap as the kernels see it. A kernel's arrays must lie in the module's memory. Tensors
// allocated while the wasm backend is active already do (the buffer pool takes its buffers here,
// see heapAllocator), so a kernel call passes their byte offsets and copies nothing. Any other
// array (a Tensor.from of user data, a test's Float32Array) is copied into a block of the heap for
// the call and, if the kernel writes it, copied back.

import type { DataArray } from '../backend.js';
import type { WasmModule } from './module.js';

export type HeapArray = Float32Array | Int32Array;

/** Where the buffer pool (src/tensor/buffer-pool.ts) takes tensor buffers while the wasm backend is active. */
export interface HeapAllocator {
  /** True while the wasm backend runs the kernels: new tensors then go to the heap. */
  readonly active: boolean;
  /** `capacity` elements in the heap, or null (float64, or no room): the pool then uses JS memory. */
  alloc(dtype: 'float32' | 'float64' | 'int32', capacity: number): HeapArray | null;
  owns(array: DataArray): boolean;
  free(array: DataArray): void;
}

export class Heap {
  // Every ArrayBuffer the memory has had: a shared memory that grows hands out a new
  // SharedArrayBuffer, and views of the old one stay valid.
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(
    readonly module: WasmModule,
    readonly memory: WebAssembly.Memory,
  ) {
    this.buffers.add(memory.buffer);
  }

  /** True when `array` is a view of the module's memory, so its byteOffset is its address. */
  owns(array: DataArray | Uint16Array | Int8Array): boolean {
    return this.buffers.has(array.buffer);
  }

  /** A new call: arrays are placed with in()/out(), then run() calls the kernel. */
  call(): HeapCall {
    return new HeapCall(this);
  }

  /** n elements of the heap as a typed array, or null when the heap is full. */
  alloc(dtype: 'float32' | 'int32', n: number): HeapArray | null {
    const pointer = this.module._malloc(Math.max(n, 1) * 4);
    if (pointer === 0) return null;
    const buffer = this.current();
    return dtype === 'float32' ? new Float32Array(buffer, pointer, n) : new Int32Array(buffer, pointer, n);
  }

  free(array: DataArray): void {
    this.module._free(array.byteOffset);
  }

  bytes(pointer: number, length: number): Uint8Array {
    return new Uint8Array(this.current(), pointer, length);
  }

  /** The NUL-terminated string at `pointer`. */
  string(pointer: number): string {
    const bytes = new Uint8Array(this.current(), pointer);
    return new TextDecoder().decode(bytes.slice(0, bytes.indexOf(0)));
  }

  private current(): ArrayBufferLike {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return buffer;
  }
}

/** What a kernel call may pass: tensors' arrays, bf16 bits (Uint16Array) and int8 weights (Int8Array). */
export type KernelArray = HeapArray | Uint16Array | Int8Array;

interface Copy {
  array: KernelArray;
  pointer: number;
  written: boolean;
}

export class HeapCall {
  private readonly copies: Copy[] = [];

  constructor(private readonly heap: Heap) {}

  /** The address of an array the kernel reads; 0 for null. */
  in(array: KernelArray | null): number {
    return this.place(array, false);
  }

  /** The address of an array the kernel writes (and may read). */
  out(array: KernelArray | null): number {
    return this.place(array, true);
  }

  /** Runs the kernel, copies written arrays back and frees the copies, even when it throws. */
  run(kernel: () => void): void {
    try {
      kernel();
      for (const c of this.copies) {
        if (!c.written) continue;
        const target = new Uint8Array(c.array.buffer, c.array.byteOffset, c.array.byteLength);
        target.set(this.heap.bytes(c.pointer, c.array.byteLength));
      }
    } finally {
      for (const c of this.copies) this.heap.module._free(c.pointer);
      this.copies.length = 0;
    }
  }

  private place(array: KernelArray | null, written: boolean): number {
    if (array === null) return 0;
    if (this.heap.owns(array)) return array.byteOffset;
    const pointer = this.heap.module._malloc(Math.max(array.byteLength, 4));
    if (pointer === 0) {
      for (const c of this.copies) this.heap.module._free(c.pointer);
      throw new RangeError(`the wasm heap has no room for a copy of a ${array.length}-element argument`);
    }
    this.heap.bytes(pointer, array.byteLength).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    this.copies.push({ array, pointer, written });
    return pointer;
  }
}

/**
 * The buffer pool's allocator while the wasm backend is active: float32 and int32 tensors live in
 * the heap (float64 ones run on js and stay in JS memory). A heap that cannot grow (the one-thread
 * build) keeps `reserve` bytes free for the kernels' own scratch; past that, tensors fall back to
 * JS memory and their kernel calls copy.
 */
export function heapAllocator(heap: Heap, reserve: number, fixedSize: boolean, isActive: () => boolean): HeapAllocator {
  let used = 0;
  const limit = heap.memory.buffer.byteLength - reserve;
  return {
    get active() {
      return isActive();
    },
    alloc(dtype, capacity) {
      if (dtype === 'float64') return null;
      if (fixedSize && used + capacity * 4 > limit) return null;
      const array = heap.alloc(dtype, capacity);
      if (array !== null) used += array.byteLength;
      return array;
    },
    owns: (array) => heap.owns(array),
    free(array) {
      used -= array.byteLength;
      heap.free(array);
    },
  };
}
