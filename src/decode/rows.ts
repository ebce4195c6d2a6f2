// Reordering a decoding batch between steps: beam search keeps the rows of the hypotheses it
// extends, and finished sentences leave the batch. Every per-row tensor (key/value caches, encoder
// memory and its mask) is gathered along its first axis by the same row index.

import type { DecodingState } from '../model/encoder-decoder.js';
import type { LanguageModelState } from '../model/decoder-only.js';
import type { KVCache } from '../model/attention.js';
import type { DecoderLayerCache } from '../model/layers.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';

/** x (N, ...rest) -> (rows.length, ...rest) with out[i] = x[rows[i]]: a dense copy of any dtype. */
export function gatherRows(x: Tensor, rows: Int32Array): Tensor {
  const [N, ...rest] = x.shape;
  const source = T.contiguous(x).dense();
  const out = Tensor.empty([rows.length, ...rest], x.dtype);
  const target = out.dense();
  const width = N === 0 ? 0 : x.size / N;
  rows.forEach((r, i) => {
    if (!(r >= 0 && r < N)) throw new RangeError(`gatherRows: row ${r} is outside [0, ${N})`);
    target.set(source.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

/** True when rows keeps every one of n rows in place. */
export function isIdentity(rows: Int32Array, n: number): boolean {
  return rows.length === n && rows.every((r, i) => r === i);
}

function reorderCache(cache: KVCache, rows: Int32Array): void {
  const state = cache.state;
  if (state !== null)
    return tidy(() =>
      cache.setState(
        state.map((t) => gatherRows(t, rows)),
        cache.length,
      ),
    );
  if (cache.k === null || cache.v === null) return;
  const [k, v] = [cache.k, cache.v];
  tidy(() => cache.set(gatherRows(k, rows), gatherRows(v, rows)));
}

/**
 * Keeps row rows[i] of the batch as its row i. On growing caches, the cross-attention caches, the memory and its mask
 * only change when the batch shrinks: beams of one sentence share them, so reordering within a
 * sentence leaves them valid.
 */
export function reorderTranslation(state: DecodingState, rows: Int32Array, batchSize: number): void {
  if (isIdentity(rows, batchSize)) return;
  // On caches that do not move, rows change by index: nothing is copied but integers.
  if (state.rows !== null) return state.rows.reorder(rows);
  const caches = state.caches as DecoderLayerCache[];
  for (const c of caches) reorderCache(c.self, rows);
  if (rows.length === batchSize) return;
  for (const c of caches) reorderCache(c.cross, rows);
  const [memory, memoryMask] = [state.memory, state.memoryMask];
  state.memory = tidy(() => gatherRows(memory, rows)).keep();
  state.memoryMask = tidy(() => gatherRows(memoryMask, rows)).keep();
  memory.dispose();
  memoryMask.dispose();
}

/** The same for a language model: its caches (by index when they do not move), and each row's positions and padding. */
export function reorderLanguageModel(state: LanguageModelState, rows: Int32Array, batchSize: number): void {
  if (isIdentity(rows, batchSize)) return;
  if (state.layout === 'growing') for (const c of state.caches as KVCache[]) reorderCache(c, rows);
  else state.rows?.reorder(rows); // null before the first step: nothing to move
  if (state.counts !== null) state.counts = Int32Array.from(rows, (r) => state.counts![r]);
  const padding = state.keyPadding;
  if (padding !== null) {
    const width = state.position;
    state.keyPadding = new Int32Array(rows.length * width);
    rows.forEach((r, i) => state.keyPadding!.set(padding.subarray(r * width, (r + 1) * width), i * width));
  }
}
