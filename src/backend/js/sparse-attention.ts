// Sparse scaled dot-product attention (section 3.2.1 restricted to listed query-key pairs, as in the
// Sparse Transformer, Longformer and BigBird): softmax(scale q_i K_J^T) V_J over each row's keys J.
// Only lse is kept; the backward pass recomputes P pair by pair, so memory stays O(pairs).

import type { FloatArray, SparseAttentionShape } from '../backend.js';

/** The first index of (b, h)'s block of Tq + 1 offsets. */
function groupBase(groups: number, B: number, H: number, b: number, h: number, Tq: number): number {
  const g = groups === 1 ? 0 : groups === B ? b : b * H + h;
  return g * (Tq + 1);
}

function dot(x: FloatArray, xStart: number, y: FloatArray, yStart: number, n: number): number {
  let sum = 0;
  for (let d = 0; d < n; d++) sum += x[xStart + d] * y[yStart + d];
  return sum;
}

export function sparseAttention(
  out: FloatArray,
  lse: FloatArray,
  weights: FloatArray | null,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  offsets: Int32Array,
  indices: Int32Array,
  shape: SparseAttentionShape,
): void {
  const { B, H, Tq, Tk, D, Dv, groups, scale } = shape;
  const acc = new Float64Array(Dv); // (Dv) one output row
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      const base = groupBase(groups, B, H, b, h, Tq);
      for (let i = 0; i < Tq; i++) {
        const row = bh * Tq + i; // this query's row in q, out and lse
        const [start, end] = [offsets[base + i], offsets[base + i + 1]];
        const scores = new Float64Array(end - start); // (pairs in this row)
        let max = -Infinity;
        for (let p = start; p < end; p++) {
          scores[p - start] = scale * dot(q, row * D, k, (bh * Tk + indices[p]) * D, D);
          max = Math.max(max, scores[p - start]);
        }
        let sum = 0;
        for (const s of scores) sum += Math.exp(s - max);
        lse[row] = end > start ? max + Math.log(sum) : -Infinity;
        acc.fill(0);
        for (let p = start; p < end; p++) {
          const prob = Math.exp(scores[p - start] - max) / sum;
          if (weights) weights[row * Tk + indices[p]] = prob;
          const key = bh * Tk + indices[p];
          for (let e = 0; e < Dv; e++) acc[e] += prob * v[key * Dv + e];
        }
        out.set(acc, row * Dv);
      }
    }
  }
}

export function sparseAttentionBackward(
  dq: FloatArray,
  dk: FloatArray,
  dv: FloatArray,
  dout: FloatArray,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  lse: FloatArray,
  offsets: Int32Array,
  indices: Int32Array,
  shape: SparseAttentionShape,
): void {
  const { B, H, Tq, Tk, D, Dv, groups, scale } = shape;
  const dqRow = new Float64Array(D); // (D) one row of dQ
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      const base = groupBase(groups, B, H, b, h, Tq);
      // dK and dV sum over queries; keep those sums in float64 even for float32 outputs.
      const dkSum = new Float64Array(Tk * D); // (Tk, D)
      const dvSum = new Float64Array(Tk * Dv); // (Tk, Dv)
      for (let i = 0; i < Tq; i++) {
        const row = bh * Tq + i;
        const [start, end] = [offsets[base + i], offsets[base + i + 1]];
        const P = new Float64Array(end - start); // (pairs in this row)
        const dP = new Float64Array(end - start);
        let rowDot = 0; // sum_j P_ij dP_ij
        for (let p = start; p < end; p++) {
          const key = bh * Tk + indices[p];
          P[p - start] = Math.exp(scale * dot(q, row * D, k, key * D, D) - lse[row]);
          dP[p - start] = dot(dout, row * Dv, v, key * Dv, Dv);
          rowDot += P[p - start] * dP[p - start];
        }
        dqRow.fill(0);
        for (let p = start; p < end; p++) {
          const j = indices[p];
          const dS = P[p - start] * (dP[p - start] - rowDot);
          for (let d = 0; d < D; d++) {
            dqRow[d] += scale * dS * k[(bh * Tk + j) * D + d];
            dkSum[j * D + d] += scale * dS * q[row * D + d];
          }
          for (let e = 0; e < Dv; e++) dvSum[j * Dv + e] += P[p - start] * dout[row * Dv + e];
        }
        dq.set(dqRow, row * D);
      }
      dk.set(dkSum, bh * Tk * D);
      dv.set(dvSum, bh * Tk * Dv);
    }
  }
}
