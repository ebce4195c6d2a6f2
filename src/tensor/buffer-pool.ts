// Recycles tensor buffers so that steady-state training allocates nothing: a training step inside
// `tidy` returns every buffer it used here, and the next step takes the same buffers back. Sizes are
// rounded up to one of four steps per power of two, so batches of varying shape still share buffers
// (at most 19% slack), and the pool's total is capped so a change of workload cannot hoard memory:
// it keeps no more free bytes than could be live at once on top of what is live now (the most ever
// live minus the live bytes, at least 64 MiB), giving the least recently used sizes to the GC first.
// A steady workload (training steps) never reaches that cap; a varying one (decoding batches of
// every length, whose buffer sizes change from batch to batch) no longer piles up sizes it won't use.
// While the wasm backend is active, float32 and int32 buffers are taken from the wasm heap, so its
// kernels read and write tensors in place (src/backend/wasm/heap.ts); they are pooled apart.

import type { DataArray } from '../backend/backend.js';
import { wasmHeapAllocator } from '../backend/registry.js';
import type { HeapAllocator } from '../backend/wasm/heap.js';

export type PooledDType = 'float32' | 'float64' | 'int32';

const constructors = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
} as const;

/** The capacity a request of n elements is served from. */
export function bucketCapacity(n: number): number {
  if (n <= 64) return 64;
  const pow = 2 ** Math.floor(Math.log2(n));
  const quarter = pow / 4;
  return pow + Math.ceil((n - pow) / quarter) * quarter;
}

/** Free bytes the pool may always keep, whatever is live. */
const MIN_SLACK = 64 * 1024 ** 2;

export class BufferPool {
  private readonly free = new Map<string, DataArray[]>();
  private pooledBytes = 0;
  // Bytes of tensors in use (taken and not yet given back), and their high-water mark: benchmarks read these.
  private live = 0;
  private peak = 0;
  // Whole capacities taken and not given back, and the most they have ever been (resetPeak() leaves it
  // alone): what bounds the free bytes worth keeping.
  private held = 0;
  private highWater = 0;

  constructor(
    private readonly maxBytes = 4 * 1024 ** 3,
    private readonly heap: () => HeapAllocator | null = () => null,
  ) {}

  /** A buffer of exactly n elements (a view of a pooled capacity); contents are arbitrary. */
  take(dtype: PooledDType, n: number): DataArray {
    const capacity = bucketCapacity(n);
    this.live += n * constructors[dtype].BYTES_PER_ELEMENT;
    if (this.live > this.peak) this.peak = this.live;
    this.held += capacity * constructors[dtype].BYTES_PER_ELEMENT;
    if (this.held > this.highWater) this.highWater = this.held;
    const heap = this.heap();
    const inHeap = heap !== null && heap.active && dtype !== 'float64';
    const list = this.recent(`${inHeap ? 'heap:' : ''}${dtype}:${capacity}`);
    const buffer = list?.pop();
    if (buffer !== undefined) {
      this.pooledBytes -= buffer.byteLength;
      return buffer.subarray(0, n);
    }
    if (inHeap) {
      // A heap that cannot grow may be full of pooled buffers of other sizes: give those back first.
      const array = heap.alloc(dtype, capacity) ?? (this.releaseHeap(heap), heap.alloc(dtype, capacity));
      if (array !== null) return array.subarray(0, n);
    }
    return new constructors[dtype](capacity).subarray(0, n);
  }

  /** Gives a buffer obtained from take() back to the pool. */
  give(dtype: PooledDType, view: DataArray): void {
    this.live -= view.byteLength;
    const whole = new constructors[dtype](view.buffer as ArrayBuffer, view.byteOffset, bucketCapacity(view.length));
    const heap = this.heap();
    const inHeap = heap !== null && heap.owns(whole);
    this.held -= whole.byteLength;
    if (this.pooledBytes + whole.byteLength > this.maxBytes) {
      if (inHeap) heap.free(whole); // else let the GC have it
      return;
    }
    const key = `${inHeap ? 'heap:' : ''}${dtype}:${whole.length}`;
    let list = this.recent(key);
    if (list === undefined) this.free.set(key, (list = []));
    list.push(whole);
    this.pooledBytes += whole.byteLength;
    this.trim(key);
  }

  /** The free list of `key`, moved to the most recently used end of the map. */
  private recent(key: string): DataArray[] | undefined {
    const list = this.free.get(key);
    if (list === undefined) return undefined;
    this.free.delete(key);
    this.free.set(key, list);
    return list;
  }

  /** Lets go of the least recently used free buffers (never those of `keep`) beyond the cap. */
  private trim(keep: string): void {
    const cap = Math.max(MIN_SLACK, this.highWater - this.held);
    for (const [key, list] of this.free) {
      if (this.pooledBytes <= cap || key === keep) return;
      while (list.length > 0 && this.pooledBytes > cap) {
        const buffer = list.pop()!;
        this.pooledBytes -= buffer.byteLength;
        if (key.startsWith('heap:')) this.heap()?.free(buffer); // else the GC has it
      }
      if (list.length === 0) this.free.delete(key);
    }
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.pooledBytes;
  }

  /** Bytes of the tensors taken and not yet given back. */
  get liveBytes(): number {
    return this.live;
  }

  /** The most liveBytes has been since the last resetPeak(). */
  get peakBytes(): number {
    return this.peak;
  }

  resetPeak(): void {
    this.peak = this.live;
  }

  clear(): void {
    const heap = this.heap();
    if (heap !== null) this.releaseHeap(heap);
    this.free.clear();
    this.pooledBytes = 0;
  }

  private releaseHeap(heap: HeapAllocator): void {
    for (const [key, list] of this.free) {
      if (!key.startsWith('heap:')) continue;
      for (const buffer of list) {
        heap.free(buffer);
        this.pooledBytes -= buffer.byteLength;
      }
      this.free.delete(key);
    }
  }
}

/** The pool that recycles the buffers of disposed tensors (in the wasm heap while wasm is active). */
export const bufferPool = new BufferPool(undefined, wasmHeapAllocator);
