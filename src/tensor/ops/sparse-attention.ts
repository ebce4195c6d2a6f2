// Scaled dot-product attention (section 3.2.1) over a sparse pattern of query-key pairs: each query
// softmaxes only its listed keys, so time and memory grow with the pairs, not with Tq * Tk. The
// patterns themselves (band, strided, BigBird) are built in src/model/efficient/patterns.ts.

import type { FloatArray, SparseAttentionShape } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor, type DType } from '../tensor.js';
import { assertFloat, denseCopyIfNeeded, kernels, zeros } from './util.js';

/** Which keys each query attends to: a sparse (Tq, Tk) pattern shared by groups of batch rows and heads. */
export interface SparsePattern {
  /** Tq */
  rows: number;
  /** Tk */
  cols: number;
  /** 1 (shared by every batch row and head), B (one per batch row), or B*h (one per batch row and head). */
  groups: number;
  /**
   * groups * (rows + 1) entries; row r of group g attends keys
   * indices[offsets[g*(rows+1)+r] .. offsets[g*(rows+1)+r+1]), ascending, no duplicates.
   */
  offsets: Int32Array;
  indices: Int32Array;
}

/** Sparse attention settings: the scale of the scores. */
export interface SparseAttentionOptions {
  /** Defaults to 1 / sqrt(dK). */
  scale?: number;
}

// Patterns already checked in full (they are immutable in practice and often reused every layer).
const checked = new WeakSet<SparsePattern>();

/** Throws a RangeError naming `op` unless the pattern is well formed. */
export function validatePattern(pattern: SparsePattern, op = 'sparse pattern'): void {
  if (checked.has(pattern)) return;
  const { rows, cols, groups, offsets, indices } = pattern;
  for (const [name, n] of [
    ['rows', rows],
    ['cols', cols],
    ['groups', groups],
  ] as const) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${op}: ${name} must be an integer >= 0, got ${n}`);
  }
  if (offsets.length !== groups * (rows + 1))
    throw new RangeError(
      `${op}: offsets has ${offsets.length} entries, expected groups * (rows + 1) = ${groups * (rows + 1)}`,
    );
  for (let g = 0; g < groups; g++) {
    const base = g * (rows + 1);
    if (offsets[base] < 0 || offsets[base + rows] > indices.length)
      throw new RangeError(`${op}: offsets of group ${g} leave [0, ${indices.length}]`);
    for (let r = 0; r < rows; r++) {
      const [start, end] = [offsets[base + r], offsets[base + r + 1]];
      if (end < start) throw new RangeError(`${op}: offsets decrease at row ${r} of group ${g}`);
      for (let p = start; p < end; p++) {
        const j = indices[p];
        if (j < 0 || j >= cols)
          throw new RangeError(`${op}: row ${r} of group ${g} lists key ${j}, outside [0, ${cols})`);
        if (p > start && j <= indices[p - 1])
          throw new RangeError(
            `${op}: row ${r} of group ${g} lists keys out of order or twice (${indices[p - 1]}, ${j})`,
          );
      }
    }
  }
  checked.add(pattern);
}

function checkOperands(op: string, pattern: SparsePattern, q: Tensor, k: Tensor, v: Tensor | null): void {
  for (const [name, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    if (t === null) continue;
    assertFloat(t, op, name);
    if (t.rank !== 4) throw new RangeError(`${op}: ${name} must be (B, h, T, d), got ${formatShape(t.shape)}`);
  }
  const [B, H, Tq, D] = q.shape;
  const Tk = k.shape[2];
  if (!sameShape(k.shape, [B, H, Tk, D]) || (v !== null && !sameShape(v.shape, [B, H, Tk, v.shape[3]])))
    throw new RangeError(
      `${op}: shapes q ${formatShape(q.shape)}, k ${formatShape(k.shape)}` +
        (v === null ? '' : `, v ${formatShape(v.shape)}`) +
        ' do not agree',
    );
  if (k.dtype !== q.dtype || (v !== null && v.dtype !== q.dtype))
    throw new TypeError(`${op}: q, k and v must share a dtype`);
  if (pattern.rows !== Tq || pattern.cols !== Tk)
    throw new RangeError(`${op}: the pattern is ${pattern.rows} x ${pattern.cols}, but Tq x Tk is ${Tq} x ${Tk}`);
  if (pattern.groups !== 1 && pattern.groups !== B && pattern.groups !== B * H)
    throw new RangeError(`${op}: pattern groups must be 1, B = ${B} or B*h = ${B * H}, got ${pattern.groups}`);
  validatePattern(pattern, op);
}

function floatArray(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/**
 * softmax(q k^T * scale over the row's keys) v for every (batch, head, query); rows with no keys give
 * zeros. q (B, h, Tq, dK), k (B, h, Tk, dK), v (B, h, Tk, dV) -> (B, h, Tq, dV). Differentiable in
 * q, k and v.
 */
export function sparseAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  pattern: SparsePattern,
  options: SparseAttentionOptions = {},
): Tensor {
  checkOperands('sparseAttention', pattern, q, k, v);
  const [B, H, Tq, D] = q.shape;
  const [Tk, Dv] = [k.shape[2], v.shape[3]];
  const scale = options.scale ?? 1 / Math.sqrt(D);
  const { offsets, indices, groups } = pattern;
  const [qd, kd, vd] = [denseCopyIfNeeded(q), denseCopyIfNeeded(k), denseCopyIfNeeded(v)];
  const output = Tensor.empty([B, H, Tq, Dv], q.dtype); // (B, h, Tq, dV)
  const lse = floatArray(q.dtype, B * H * Tq); // (B, h, Tq): all backward needs besides q, k, v
  const kern = kernels(q);
  const shape: SparseAttentionShape = { B, H, Tq, Tk, D, Dv, groups, scale };
  kern.sparseAttention(output.floats(), lse, null, qd.floats(), kd.floats(), vd.floats(), offsets, indices, shape);
  return record(output, 'sparseAttention', [q, k, v], (g) => {
    const [dq, dk, dv] = [
      Tensor.empty(q.shape, q.dtype),
      Tensor.empty(k.shape, k.dtype),
      Tensor.empty(v.shape, v.dtype),
    ];
    const dout = denseCopyIfNeeded(g); // (B, h, Tq, dV)
    kern.sparseAttentionBackward(
      dq.floats(),
      dk.floats(),
      dv.floats(),
      dout.floats(),
      qd.floats(),
      kd.floats(),
      vd.floats(),
      lse,
      offsets,
      indices,
      shape,
    );
    return [dq, dk, dv];
  });
}

/** The same probabilities as a dense (B, h, Tq, Tk) tensor, zeros elsewhere: for display only (no grad). */
export function sparseAttentionWeights(
  q: Tensor,
  k: Tensor,
  pattern: SparsePattern,
  options: SparseAttentionOptions = {},
): Tensor {
  checkOperands('sparseAttentionWeights', pattern, q, k, null);
  const [B, H, Tq, D] = q.shape;
  const Tk = k.shape[2];
  const weights = zeros([B, H, Tq, Tk], q.dtype); // (B, h, Tq, Tk)
  const [qd, kd] = [denseCopyIfNeeded(q), denseCopyIfNeeded(k)];
  const none = floatArray(q.dtype, 0); // dV = 0: no output, only the probabilities
  kernels(q).sparseAttention(
    none,
    floatArray(q.dtype, B * H * Tq),
    weights.floats(),
    qd.floats(),
    kd.floats(),
    none,
    pattern.offsets,
    pattern.indices,
    { B, H, Tq, Tk, D, Dv: 0, groups: pattern.groups, scale: options.scale ?? 1 / Math.sqrt(D) },
  );
  return weights;
}
