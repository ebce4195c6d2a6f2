// Routing attention (Roy et al. 2021, "Efficient Content-Based Sparse Attention with Routing
// Transformers"): per head, `clusters` centroids on the unit sphere, kept by online k-means (an
// exponential moving average of the unit-length queries and keys assigned to them, while training).
// Each query attends only the keys of its own cluster, and its own position, so the cost grows with
// the pairs inside clusters (n^2 / clusters when they are balanced), not with n^2. With `balanced`
// (non-causal layers), every cluster takes the same number of queries and of keys, the most similar
// first, and is computed as a dense block (routing-balanced.ts); causal layers take each token's nearest
// centroid, since a balanced split would let later tokens push earlier ones out of a cluster (a query
// would depend on the future, and decoding step by step would not give the full pass). The centroids
// are stored as a parameter so that model folders keep them; no gradient reaches them.

import * as T from '../../tensor/index.js';
import { Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { sparseAttention, sparseAttentionWeights, type SparsePattern } from '../../tensor/ops/sparse-attention.js';
import { defineKind, flag, integer, type SpecOf, type WrittenSpecOf } from './kind.js';
import { balancedClusters, balancedRoutingAttention, similarities } from './routing-balanced.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';

/** `clusters`: the number of k-means clusters per head; `balanced`: equal clusters in non-causal layers. */
export const routing = defineKind({
  name: 'routing',
  fields: { clusters: integer(1, 8), balanced: flag(true) },
  causal: true,
  kvCache: true,
  create: (spec, context): AttentionMechanism => new RoutingAttention(spec, context),
});

/** How much of a centroid survives each update (the moving average's decay). */
const DECAY = 0.99;

export class RoutingAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof routing>;
  readonly kind = routing;
  /** (h, clusters, dK) unit vectors. */
  readonly centroids: Tensor;
  readonly clusters: number;

  constructor(
    spec: WrittenSpecOf<typeof routing>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = routing.settle(spec);
    const { h, dModel, dtype = 'float32' } = context;
    const dK = dModel / h;
    this.clusters = this.spec.clusters;
    const g = new Generator(1234);
    const values =
      dtype === 'float64' ? new Float64Array(h * this.clusters * dK) : new Float32Array(h * this.clusters * dK);
    for (let i = 0; i < values.length; i++) values[i] = g.normal();
    for (let c = 0; c < h * this.clusters; c++) normalize(values, c * dK, dK);
    this.centroids = this.parameter('centroids', Tensor.from(values, [h, this.clusters, dK]));
  }

  attend(x: AttendInputs): AttendResult {
    const [B, h, Tq, dK] = x.q.shape;
    const Tk = x.k.shape[2];
    if (x.training && x.dropout > 0)
      throw new Error('routing attention applies no attention dropout; set attentionDropout to 0');
    const q = T.noGrad(() => T.contiguous(x.q)).floats();
    const k = T.noGrad(() => T.contiguous(x.k)).floats();
    const padding = x.keyPadding === null ? null : T.contiguous(x.keyPadding).ints('keyPadding');
    const [queryCluster, keyCluster] = this.clustersOf(x, q, k, padding);
    if (x.training) this.update(q, queryCluster, Tq, k, keyCluster, Tk, B, h, dK);
    if (this.isBalanced(x)) {
      const output = balancedRoutingAttention(x, queryCluster, keyCluster, this.clusters);
      if (!x.needWeights) return { output, weights: null };
      const pattern = routingPattern(queryCluster, keyCluster, { B, h, Tq, Tk, causal: false, padding });
      return { output, weights: T.noGrad(() => sparseAttentionWeights(x.q, x.k, pattern)) };
    }
    const pattern = routingPattern(queryCluster, keyCluster, { B, h, Tq, Tk, causal: x.causal, padding });
    const output = sparseAttention(x.q, x.k, x.v, pattern);
    return { output, weights: x.needWeights ? T.noGrad(() => sparseAttentionWeights(x.q, x.k, pattern)) : null };
  }

  /** Whether this call splits the clusters evenly (dense blocks) rather than by nearest centroid. */
  isBalanced(x: Pick<AttendInputs, 'q' | 'k' | 'causal'>): boolean {
    return this.spec.balanced && !x.causal && x.q.shape[2] === x.k.shape[2];
  }

  /** Each query's and key's cluster, per (batch, head) row; -1 for a padding position left out of a balanced split. */
  clustersOf(x: AttendInputs, q: ArrayLike<number>, k: ArrayLike<number>, padding: Int32Array | null): Int32Array[] {
    const [B, h, Tq, dK] = x.q.shape;
    const Tk = x.k.shape[2];
    const centroids = this.centroids.floats();
    if (!this.isBalanced(x))
      return [this.assign(q, B * h * Tq, Tq, dK, centroids), this.assign(k, B * h * Tk, Tk, dK, centroids)];
    const shape = { groups: B * h, clusters: this.clusters };
    const skip = padding === null ? undefined : (g: number, t: number) => padding[Math.floor(g / h) * Tk + t] === 0;
    // Padding positions take no slots, as queries (Tq = Tk here) or keys: padding then changes nothing.
    return [
      balancedClusters(similarities(x.q, this.centroids), { ...shape, length: Tq, skip }),
      balancedClusters(similarities(x.k, this.centroids), { ...shape, length: Tk, skip }),
    ];
  }

  /** The nearest centroid (largest cosine) of each of n vectors, rows of `length` per (batch, head). */
  private assign(
    vectors: ArrayLike<number>,
    n: number,
    length: number,
    dK: number,
    centroids: ArrayLike<number>,
  ): Int32Array {
    const h = this.context.h;
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const head = Math.floor(r / length) % h;
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < this.clusters; c++) {
        const base = (head * this.clusters + c) * dK;
        let dot = 0;
        for (let d = 0; d < dK; d++) dot += vectors[r * dK + d] * centroids[base + d];
        if (dot > bestScore) [best, bestScore] = [c, dot];
      }
      out[r] = best;
    }
    return out;
  }

  /** Online k-means: each centroid moves towards the mean unit vector assigned to it, then back to unit length. */
  private update(
    q: ArrayLike<number>,
    queryCluster: Int32Array,
    Tq: number,
    k: ArrayLike<number>,
    keyCluster: Int32Array,
    Tk: number,
    B: number,
    h: number,
    dK: number,
  ): void {
    const sums = new Float64Array(h * this.clusters * dK);
    const counts = new Float64Array(h * this.clusters);
    const add = (vectors: ArrayLike<number>, cluster: Int32Array, length: number) => {
      for (let r = 0; r < B * h * length; r++) {
        if (cluster[r] < 0) continue;
        const head = Math.floor(r / length) % h;
        const slot = head * this.clusters + cluster[r];
        let norm = 0;
        for (let d = 0; d < dK; d++) norm += vectors[r * dK + d] ** 2;
        const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
        for (let d = 0; d < dK; d++) sums[slot * dK + d] += vectors[r * dK + d] * scale;
        counts[slot]++;
      }
    };
    add(q, queryCluster, Tq);
    add(k, keyCluster, Tk);
    const centroids = this.centroids.floats();
    for (let slot = 0; slot < h * this.clusters; slot++) {
      if (counts[slot] === 0) continue;
      for (let d = 0; d < dK; d++)
        centroids[slot * dK + d] =
          DECAY * centroids[slot * dK + d] + ((1 - DECAY) * sums[slot * dK + d]) / counts[slot];
      normalize(centroids, slot * dK, dK);
    }
  }
}

function normalize(values: { [i: number]: number }, offset: number, length: number): void {
  let norm = 0;
  for (let d = 0; d < length; d++) norm += values[offset + d] ** 2;
  const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
  for (let d = 0; d < length; d++) values[offset + d] *= scale;
}

/**
 * One group per (batch row, head): query i attends the keys of its cluster and its own position
 * (i + Tk - Tq), keeping causal order and dropping padded keys.
 */
export function routingPattern(
  queryCluster: Int32Array,
  keyCluster: Int32Array,
  o: { B: number; h: number; Tq: number; Tk: number; causal: boolean; padding: Int32Array | null },
): SparsePattern {
  const { B, h, Tq, Tk } = o;
  const shift = Tk - Tq;
  const groups = B * h;
  const offsets = new Int32Array(groups * (Tq + 1));
  const indices = new GrowingInts(); // long sequences hold more pairs than a JavaScript array may
  const members: number[][] = [];
  for (let g = 0; g < groups; g++) {
    const b = Math.floor(g / h);
    members.length = 0;
    for (let j = 0; j < Tk; j++) {
      if (o.padding !== null && o.padding[b * Tk + j] === 0) continue;
      (members[keyCluster[g * Tk + j]] ??= []).push(j);
    }
    for (let i = 0; i < Tq; i++) {
      offsets[g * (Tq + 1) + i] = indices.length;
      const position = i + shift;
      const own = position >= 0 && position < Tk && (o.padding === null || o.padding[b * Tk + position] !== 0);
      let placedOwn = !own;
      for (const j of members[queryCluster[g * Tq + i]] ?? []) {
        if (o.causal && j > position) break;
        if (!placedOwn && j >= position) {
          if (j !== position) indices.push(position);
          placedOwn = true;
        }
        indices.push(j);
      }
      if (!placedOwn) indices.push(position);
    }
    offsets[g * (Tq + 1) + Tq] = indices.length;
  }
  return { rows: Tq, cols: Tk, groups, offsets, indices: indices.values() };
}

/** An Int32Array that doubles as it fills. */
class GrowingInts {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  values(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}
