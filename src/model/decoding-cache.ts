// The decoder's keys and values while translating, in caches that do not move (masked self-attention and
// encoder-decoder attention of section 3.2.3, decoded one position at a time):
// - self-attention: one cache per layer of (slots, h, capacity, dK), preallocated and grown by doubling.
//   At position t batch row n writes its key into cache row n, and DecodingRows.index says which cache
//   row holds each earlier position of each batch row: a beam takes over its parent's keys by copying
//   one row of integers, and a finished sentence leaves the batch the same way.
// - encoder-decoder attention: the keys and values of the encoder output, projected once per sentence;
//   a batch row reads those of its sentence, so the beams of a sentence share them.

import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';

/** Positions a self-attention cache starts with when the caller gives no hint. */
const FIRST_CAPACITY = 32;

/** The batch rows of a decoding state and where their keys are; one for every layer. */
export class DecodingRows {
  /** Batch rows now. */
  n: number;
  /** (n) The sentence (row of the encoder output) each batch row translates. */
  sentence: Int32Array;
  /** Positions decoded so far. */
  length = 0;
  /** Rows and positions of the self-attention caches. */
  slots = 0;
  capacity = 0;
  /** (slots, capacity): the cache row holding position j of batch row n, at n * capacity + j. */
  index = new Int32Array(0);
  /** (n, S): the same for encoder-decoder attention, the batch row's sentence at every position. */
  crossIndex: Int32Array;
  /** (B, S) additive mask of the source padding (0, or -Infinity at a pad). */
  readonly crossMask: Tensor;
  /**
   * (slots, capacity) additive mask of the self-attention keys, read where the keys are: -Infinity
   * where a row wrote a pad (a left-padded prompt), else 0; null while no pad was written.
   */
  private selfPadding: Float32Array | null = null;
  private selfMaskTensor: Tensor | null = null;

  constructor(
    // (B, 1, 1, S) int32, non-zero = a real token; or the batch size B of a model without a memory (a language model)
    memoryMask: Tensor | number,
    private readonly capacityHint = FIRST_CAPACITY,
  ) {
    const [B, , , S] = typeof memoryMask === 'number' ? [memoryMask, 1, 1, 0] : memoryMask.shape;
    const allowed = typeof memoryMask === 'number' ? new Int32Array(0) : memoryMask.ints('memory mask');
    this.crossMask = Tensor.from(
      Float32Array.from(allowed, (a) => (a !== 0 ? 0 : -Infinity)),
      [B, S],
    ).keep();
    this.n = B;
    this.sentence = Int32Array.from({ length: B }, (_, b) => b);
    this.crossIndex = this.sentenceIndex();
  }

  /**
   * Makes room for `positions` more positions of every row and records that row n writes them into
   * cache row n. padding (n, positions), non-zero = a real token, marks the pads no query may attend.
   */
  begin(positions: number, padding?: Int32Array): void {
    this.reserve(Math.max(this.slots, this.n), this.length + positions);
    for (let r = 0; r < this.n; r++)
      this.index.fill(r, r * this.capacity + this.length, r * this.capacity + this.length + positions);
    if (this.selfPadding === null && padding?.includes(0))
      this.selfPadding = new Float32Array(this.slots * this.capacity);
    const mask = this.selfPadding;
    if (mask === null) return;
    for (let r = 0; r < this.n; r++)
      for (let j = 0; j < positions; j++)
        mask[r * this.capacity + this.length + j] = padding === undefined || padding[r * positions + j] ? 0 : -Infinity;
    this.dropSelfMask();
  }

  /** The self-attention mask (slots, capacity) for attentionCached, or null when no row has a pad. */
  get selfMask(): Tensor | null {
    if (this.selfPadding === null) return null;
    this.selfMaskTensor ??= Tensor.from(this.selfPadding, [this.slots, this.capacity]).keep();
    return this.selfMaskTensor;
  }

  end(positions: number): void {
    this.length += positions;
  }

  /** Keeps batch row rows[i] as row i: its positions and its sentence, by index only. */
  reorder(rows: Int32Array): void {
    rows.forEach((r) => {
      if (!(r >= 0 && r < this.n)) throw new RangeError(`reorder: row ${r} is outside [0, ${this.n})`);
    });
    this.reserve(Math.max(this.slots, rows.length), this.capacity);
    const index = new Int32Array(this.index.length);
    rows.forEach((r, i) =>
      index.set(this.index.subarray(r * this.capacity, r * this.capacity + this.length), i * this.capacity),
    );
    this.index = index;
    this.sentence = Int32Array.from(rows, (r) => this.sentence[r]);
    this.n = rows.length;
    this.crossIndex = this.sentenceIndex();
  }

  dispose(): void {
    this.crossMask.dispose();
    this.dropSelfMask();
  }

  private dropSelfMask(): void {
    this.selfMaskTensor?.dispose();
    this.selfMaskTensor = null;
  }

  private sentenceIndex(): Int32Array {
    const S = this.crossMask.shape[1];
    const index = new Int32Array(this.n * S);
    this.sentence.forEach((b, r) => index.fill(b, r * S, (r + 1) * S));
    return index;
  }

  /** Grows the index to at least `slots` x `capacity` (capacity at least doubling); the caches follow. */
  private reserve(slots: number, capacity: number): void {
    if (slots <= this.slots && capacity <= this.capacity) return;
    const newCapacity =
      capacity <= this.capacity ? this.capacity : Math.max(capacity, 2 * this.capacity, this.capacityHint);
    const index = new Int32Array(slots * newCapacity);
    for (let r = 0; r < Math.min(this.n, this.slots); r++)
      index.set(this.index.subarray(r * this.capacity, r * this.capacity + this.length), r * newCapacity);
    if (this.selfPadding !== null) {
      // The mask goes with the cache rows (every slot), not with the batch rows.
      const mask = new Float32Array(slots * newCapacity);
      for (let r = 0; r < this.slots; r++)
        mask.set(this.selfPadding.subarray(r * this.capacity, r * this.capacity + this.length), r * newCapacity);
      this.selfPadding = mask;
      this.dropSelfMask();
    }
    [this.index, this.slots, this.capacity] = [index, slots, newCapacity];
  }
}

/** The keys and values of one attention layer, (slots, h, capacity, dK) each, written in place. */
export class FixedKVCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  /** Self-attention: this step's k, v (n, h, Tq, dK) go to cache rows 0..n-1 at position rows.length. */
  append(k: Tensor, v: Tensor, rows: DecodingRows): void {
    this.reserve(k.shape[1], k.shape[3], rows);
    T.copyInto(this.k!, k, [0, 0, rows.length, 0]);
    T.copyInto(this.v!, v, [0, 0, rows.length, 0]);
  }

  /** Makes the caches (rows.slots, h, rows.capacity, dK), keeping the positions written so far. */
  reserve(h: number, dK: number, rows: DecodingRows): void {
    this.k = grown(this.k, [rows.slots, h, rows.capacity, dK], rows.length);
    this.v = grown(this.v, [rows.slots, h, rows.capacity, dK], rows.length);
  }

  /** Encoder-decoder attention: the memory's keys and values (B, h, S, dK), set once. */
  fill(k: Tensor, v: Tensor): void {
    this.dispose();
    this.k = T.contiguous(k).keep();
    this.v = T.contiguous(v).keep();
  }

  dispose(): void {
    this.k?.dispose();
    this.v?.dispose();
    this.k = this.v = null;
  }
}

/** cache itself when it has `shape`, else a kept tensor of that shape holding its first `length` positions. */
function grown(cache: Tensor | null, shape: number[], length: number): Tensor {
  if (cache !== null && cache.shape.every((d, i) => d === shape[i])) return cache;
  const out = T.tidy(() => Tensor.empty(shape)).keep();
  if (cache !== null && length > 0) {
    const [slots, h, , dK] = cache.shape;
    if (slots > shape[0] || dK !== shape[3] || h !== shape[1]) throw new Error('a decoding cache cannot shrink');
    T.tidy(() => T.copyInto(out, T.slice(cache, 2, 0, length), [0, 0, 0, 0]));
  }
  cache?.dispose();
  return out;
}

/** What one decoder layer reads and writes while translating on caches that do not move. */
export interface FixedLayerCache {
  self: FixedKVCache;
  cross: FixedKVCache;
  rows: DecodingRows;
}
