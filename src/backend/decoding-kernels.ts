// The kernels of fast decoding: products on weights packed once, and attention over a key/value cache
// that does not move. They are part of the Backend contract: the declaration below merges them into
// the Backend interface of backend.ts (which is over its size budget), so every backend must have them.

/** Columns per panel of packed weights (packPanels); the C++ gemm::kPanel. */
export const PANEL = 16;

/** Elements of the packed panels of a K x N operand. */
export function packedSize(K: number, N: number): number {
  return Math.ceil(N / PANEL) * PANEL * K;
}

/** Sizes of an attentionCached call: N query rows over a cache of `slots` rows of `capacity` positions. */
export interface CachedAttentionShape {
  N: number;
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  slots: number;
  capacity: number;
  scale: number;
}

declare module './backend.js' {
  interface Backend {
    /**
     * Packs op(B) (K x N; b stored N x K when transB, as a Linear weight) once for gemmPacked: panels of
     * PANEL columns, panel q holding op(B)[p][j] at packed[q * PANEL * K + p * PANEL + (j - q * PANEL)],
     * the last panel zero-padded; packed has packedSize(K, N) elements.
     */
    packPanels(transB: boolean, K: number, N: number, b: FloatArray, packed: FloatArray): void;

    /**
     * c (M x N) = a (M x K) @ op(B) (+ bias (N) on every row), op(B) given as packPanels packed it:
     * decoding's skinny products. The bias is one float32 addition to each float32 sum.
     */
    gemmPacked(
      M: number,
      N: number,
      K: number,
      a: FloatArray,
      packed: FloatArray,
      c: FloatArray,
      bias?: FloatArray | null,
    ): void;

    /**
     * Attention over a decoding cache that does not move, no gradient. q (N, H, Tq, D) dense; k and v
     * (slots, H, capacity, D) dense; key j (j < Tk <= capacity) of query row n lives in cache row
     * c = index[n * capacity + j] (index is N x capacity, 0 <= c < slots):
     *   S[j] = scale * q[n, h, i] . k[c, h, j] + (mask ? mask[c * capacity + j] : 0)
     *   S[j] = -inf where causal and j > i + (Tk - Tq)
     *   P = softmax(S) over j < Tk (all -inf gives P = 0);  out[n, h, i] = sum_j P[j] v[c, h, j]
     * weights (N, H, Tq, Tk) receives P when not null. mask is additive float32 (slots x capacity).
     */
    attentionCached(
      out: FloatArray,
      weights: FloatArray | null,
      q: FloatArray,
      k: FloatArray,
      v: FloatArray,
      index: Int32Array,
      mask: FloatArray | null,
      shape: CachedAttentionShape,
      causal: boolean,
    ): void;
  }
}
