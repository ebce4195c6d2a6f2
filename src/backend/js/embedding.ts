// Embedding lookup (a row gather) and its gradient (a row scatter-add).

import type { FloatArray } from '../backend.js';

/** out[i, :] = table[ids[i], :] for i < n. */
export function embedding(out: FloatArray, table: FloatArray, ids: Int32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) out.set(table.subarray(ids[i] * dim, (ids[i] + 1) * dim), i * dim);
}

/** dtable[ids[i], :] += dy[i, :] for i < n; repeated ids add up. */
export function embeddingBackward(dtable: FloatArray, dy: FloatArray, ids: Int32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    const row = ids[i] * dim;
    for (let j = 0; j < dim; j++) dtable[row + j] += dy[i * dim + j];
  }
}
