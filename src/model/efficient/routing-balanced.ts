// Balanced routing (Roy et al. 2021, section 4): instead of each token going to its nearest centroid,
// each cluster takes the same number of tokens, n / clusters, the most similar first, so that the
// clusters are equal dense blocks: a gather into (clusters, n / clusters) rows, one batched product per
// block, and a gather back. Queries and keys are split separately; each query also sees its own key.

import * as T from '../../tensor/index.js';
import { Tensor } from '../../tensor/tensor.js';
import type { AttendInputs } from './mechanism.js';

/**
 * Splits the rows of every (batch, head) group into `clusters` parts of at most ceil(n / clusters):
 * (row, cluster) pairs are taken in order of decreasing similarity to the cluster's centroid, a row
 * joining a cluster while the cluster has room and the row has none yet. Rows with `skip` (padding)
 * join none (-1). similarity (G * length * clusters): each row's dot product with each centroid.
 */
export function balancedClusters(
  similarity: ArrayLike<number>,
  o: { groups: number; length: number; clusters: number; skip?: (g: number, t: number) => boolean },
): Int32Array {
  const { groups, length, clusters } = o;
  const out = new Int32Array(groups * length).fill(-1);
  const order = new Int32Array(length * clusters);
  const taken = new Int32Array(clusters);
  for (let g = 0; g < groups; g++) {
    const base = g * length * clusters;
    let pairs = 0;
    let rows = 0;
    for (let t = 0; t < length; t++) {
      if (o.skip?.(g, t)) continue;
      rows++;
      for (let c = 0; c < clusters; c++) order[pairs++] = t * clusters + c;
    }
    const room = Math.ceil(rows / clusters);
    const sorted = order.subarray(0, pairs).sort((a, b) => similarity[base + b] - similarity[base + a] || a - b);
    taken.fill(0);
    for (const pair of sorted) {
      const [t, c] = [Math.floor(pair / clusters), pair % clusters];
      if (out[g * length + t] !== -1 || taken[c] === room) continue;
      out[g * length + t] = c;
      taken[c]++;
    }
  }
  return out;
}

/** (B, h, T, dK) vectors against (h, clusters, dK) centroids: the dot products (B * h * T * clusters). */
export function similarities(x: Tensor, centroids: Tensor): Float32Array | Float64Array {
  const [B, h, , dK] = x.shape;
  const C = centroids.shape[1];
  return T.noGrad(() => {
    const means = T.broadcastTo(T.reshape(centroids, [1, h, C, dK]), [B, h, C, dK]);
    return T.contiguous(T.matmul(x, means, { transB: true })).floats(); // (B, h, T, C)
  });
}

/** Each cluster's members in position order, padded with -1 to `size`: (groups * clusters * size). */
function slots(cluster: Int32Array, groups: number, length: number, clusters: number, size: number): Int32Array {
  const out = new Int32Array(groups * clusters * size).fill(-1);
  const filled = new Int32Array(groups * clusters);
  for (let g = 0; g < groups; g++)
    for (let t = 0; t < length; t++) {
      const c = cluster[g * length + t];
      if (c < 0) continue;
      const block = g * clusters + c;
      out[block * size + filled[block]++] = t;
    }
  return out;
}

/** The largest cluster of any group. */
function largest(cluster: Int32Array, groups: number, length: number, clusters: number): number {
  const counts = new Int32Array(groups * clusters);
  for (let r = 0; r < groups * length; r++)
    if (cluster[r] >= 0) counts[Math.floor(r / length) * clusters + cluster[r]]++;
  return Math.max(1, ...counts);
}

/**
 * Attention of every query over the keys of its cluster and its own key, on dense blocks; non-causal,
 * Tq = Tk. queryCluster and keyCluster (B * h * T), -1 for padding positions in no cluster: a padding
 * query's output is some real query's (finite, and masked as a key everywhere after).
 */
export function balancedRoutingAttention(
  x: AttendInputs,
  queryCluster: Int32Array,
  keyCluster: Int32Array,
  clusters: number,
): Tensor {
  const [B, h, n, dK] = x.q.shape;
  const dV = x.v.shape[3];
  const G = B * h;
  const [kq, kk] = [largest(queryCluster, G, n, clusters), largest(keyCluster, G, n, clusters)];
  const [qSlots, kSlots] = [slots(queryCluster, G, n, clusters, kq), slots(keyCluster, G, n, clusters, kk)];
  const rowOf = (slotsOf: Int32Array, size: number) => {
    const ids = new Int32Array(slotsOf.length);
    for (let s = 0; s < slotsOf.length; s++) {
      const g = Math.floor(s / (clusters * size));
      ids[s] = g * n + Math.max(0, slotsOf[s]); // empty slots read row 0 of their group, then are ignored
    }
    return Tensor.from(ids, [G * clusters, slotsOf.length / (G * clusters)]);
  };
  const [qIds, kIds] = [rowOf(qSlots, kq), rowOf(kSlots, kk)];
  const table = (t: Tensor, width: number) => T.reshape(T.contiguous(t), [G * n, width]);
  const q = T.mulScalar(x.q, 1 / Math.sqrt(dK)); // scaled before the products: no (n^2 / C) copy for it
  const Qc = T.embedding(table(q, dK), qIds); // (G * C, kq, dK)
  const Kc = T.embedding(table(x.k, dK), kIds); // (G * C, kk, dK)
  const Vc = T.embedding(table(x.v, dV), kIds); // (G * C, kk, dV)
  // The own key of each query slot: its score and value, in the same slot order.
  const ownScore = T.embedding(table(T.sum(T.mul(q, x.k), -1, true), 1), qIds); // (G * C, kq, 1)
  const ownValue = T.embedding(table(x.v, dV), qIds); // (G * C, kq, dV)
  const scores = T.concat([T.matmul(Qc, Kc, { transB: true }), ownScore], -1); // (G * C, kq, kk + 1)
  const blocked = blockedPairs(x.keyPadding, { qSlots, kSlots, keyCluster, G, h, n, clusters, kq, kk });
  const w = T.softmax(T.maskedFill(scores, blocked, -1e9), -1); // (G * C, kq, kk + 1)
  // A zero value under the own key's column lets the product take w whole, without a copy of its keys' part.
  const VcAndNothing = T.pad(Vc, [
    [0, 1],
    [0, 0],
  ]); // (G * C, kk + 1, dV)
  const blocks = T.add(T.matmul(w, VcAndNothing), T.mul(T.slice(w, 2, kk), ownValue)); // (G * C, kq, dV)
  // Back to positions: query t of group g is in slot `where` of the flattened blocks.
  const where = new Int32Array(G * n);
  qSlots.forEach((t, s) => {
    if (t >= 0) where[Math.floor(s / (clusters * kq)) * n + t] = s;
  });
  return T.reshape(T.embedding(T.reshape(blocks, [G * clusters * kq, dV]), Tensor.from(where, [G * n])), [B, h, n, dV]);
}

/**
 * (G * C, kq, kk + 1) int32, 1 where a pair is not attended: empty key slots, padded keys, and the own
 * key's column when that key is already in the query's cluster (or padded).
 */
function blockedPairs(
  keyPadding: Tensor | null,
  o: {
    qSlots: Int32Array;
    kSlots: Int32Array;
    keyCluster: Int32Array;
    G: number;
    h: number;
    n: number;
    clusters: number;
    kq: number;
    kk: number;
  },
): Tensor {
  const { qSlots, kSlots, keyCluster, G, h, n, clusters, kq, kk } = o;
  const padding = keyPadding === null ? null : T.contiguous(keyPadding).ints('keyPadding'); // (B, n)
  const out = new Int32Array(G * clusters * kq * (kk + 1));
  const keys = new Int32Array(kk + 1); // one block's row: its keys' slots, then the own key's
  for (let block = 0; block < G * clusters; block++) {
    const [g, c] = [Math.floor(block / clusters), block % clusters];
    const real = padding === null ? null : padding.subarray(Math.floor(g / h) * n, Math.floor(g / h) * n + n);
    for (let j = 0; j < kk; j++) {
      const key = kSlots[block * kk + j];
      keys[j] = key < 0 || (real !== null && real[key] === 0) ? 1 : 0;
    }
    for (let i = 0; i < kq; i++) {
      const own = qSlots[block * kq + i];
      keys[kk] = own < 0 || keyCluster[g * n + own] === c || (real !== null && real[own] === 0) ? 1 : 0;
      out.set(keys, (block * kq + i) * (kk + 1));
    }
  }
  return Tensor.from(out, [G * clusters, kq, kk + 1]);
}
