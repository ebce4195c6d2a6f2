// Matrix product with batching and transposed operands (the paper's every linear map, and Q K^T).
// matmul(a, b, {transA, transB}) = op(a) @ op(b) over the last two axes, batch axes broadcast.

import { record } from '../autograd.js';
import { broadcastShapes, formatShape, sizeOf } from '../shape.js';
import { bf16Copy, matmulPrecision, type Precision } from '../precision.js';
import { Tensor } from '../tensor.js';
import { broadcastTo, contiguous, reshape } from './shape-ops.js';
import { assertFloat, assertSameDType, kernels, sumToShape } from './util.js';

/** Which operands of matmul are read transposed. */
export interface MatmulOptions {
  /** Use a's last two axes transposed: a holds (..., K, M). */
  transA?: boolean;
  /** Use b's last two axes transposed: b holds (..., N, K), as a Linear weight (out, in) does. */
  transB?: boolean;
}

/**
 * A stored operand for the gemm kernel: a dense tensor plus whether its last two axes must be read
 * transposed. A view that is the transpose of a dense tensor is used as is, with the flag flipped.
 */
function operand(t: Tensor, trans: boolean): [Tensor, boolean] {
  if (t.isContiguous()) return [t, trans];
  const r = t.rank;
  const swapped = t.view(
    [...t.shape.slice(0, r - 2), t.shape[r - 1], t.shape[r - 2]],
    [...t.strides.slice(0, r - 2), t.strides[r - 1], t.strides[r - 2]],
    t.offset,
  );
  if (r >= 2 && swapped.isContiguous()) return [swapped, !trans];
  return [contiguous(t), trans];
}

/**
 * The data gemmBf16 reads for stored operand s of tensor t: t's cached bf16 copy when s is t's own
 * elements in t's order (t itself or its transposed view), else s's float32 values.
 */
function bf16Operand(s: Tensor, t: Tensor): Float32Array | Uint16Array {
  const same = s.storage === t.storage && s.offset === t.offset && t.isContiguous();
  return (same ? bf16Copy(t) : null) ?? (s.floats() as Float32Array);
}

function product(
  a: Tensor,
  b: Tensor,
  transA: boolean,
  transB: boolean,
  batchShape: readonly number[],
  precision: Precision,
): Tensor {
  const M = transA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const K = transA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const N = transB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  const batch = sizeOf(batchShape);
  const [sa, ta] = operand(a, transA);
  const [sb, tb] = operand(b, transB);
  const out = Tensor.empty([...batchShape, M, N], a.dtype);
  const strideA = sa.rank > 2 && sizeOf(sa.shape.slice(0, -2)) > 1 ? M * K : 0;
  const strideB = sb.rank > 2 && sizeOf(sb.shape.slice(0, -2)) > 1 ? K * N : 0;
  if (precision === 'bf16' && a.dtype === 'float32') {
    const [da, db] = [bf16Operand(sa, a), bf16Operand(sb, b)];
    kernels(a).gemmBf16(ta, tb, M, N, K, 1, da, strideA, db, strideB, 0, out.floats() as Float32Array, M * N, batch);
  } else {
    kernels(a).gemm(ta, tb, M, N, K, 1, sa.floats(), strideA, sb.floats(), strideB, 0, out.floats(), M * N, batch);
  }
  return out;
}

/** The matrix product a b over the last two axes, batched over the leading ones. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  assertFloat(a, 'matmul', 'a');
  assertSameDType(a, b, 'matmul');
  if (a.rank < 2 || b.rank < 2) throw new RangeError(`matmul needs operands of rank >= 2, got ${a} and ${b}`);
  const K = transA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const Kb = transB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  if (K !== Kb) {
    throw new RangeError(
      `matmul: inner dimensions differ: ${formatShape(a.shape)}${transA ? '^T' : ''} @ ${formatShape(b.shape)}${transB ? '^T' : ''}`,
    );
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  let out: Tensor;
  if (b.rank === 2 && !transA && batchShape.length > 0) {
    // (..., M, K) @ (K, N): one gemm over all rows.
    const rows = reshape(a, [-1, K]);
    out = reshape(matmulCore(rows, b, false, transB, []), [...a.shape.slice(0, -1), transB ? b.shape[0] : b.shape[1]]);
    return out;
  }
  const ea = broadcastBatch(a, batchShape);
  const eb = broadcastBatch(b, batchShape);
  return matmulCore(ea, eb, transA, transB, batchShape);
}

/** a with its batch axes broadcast to batchShape, materialised only when partially broadcast. */
function broadcastBatch(t: Tensor, batchShape: readonly number[]): Tensor {
  const own = t.shape.slice(0, -2);
  if (sizeOf(own) === sizeOf(batchShape) || sizeOf(own) === 1) return t;
  return contiguous(broadcastTo(t, [...batchShape, ...t.shape.slice(-2)]));
}

function matmulCore(a: Tensor, b: Tensor, transA: boolean, transB: boolean, batchShape: readonly number[]): Tensor {
  // The backward products run in the forward's precision, wherever backward() is called.
  const precision = matmulPrecision();
  const out = product(a, b, transA, transB, batchShape, precision);
  return record(out, 'matmul', [a, b], (g) => {
    // With A' = op(a), B' = op(b): dA' = g B'^T and dB' = A'^T g, then transposed back where stored so.
    const da = a.requiresGrad
      ? transA
        ? product(b, g, transB, true, batchShape, precision)
        : product(g, b, false, !transB, batchShape, precision)
      : null;
    const db = b.requiresGrad
      ? transB
        ? product(g, a, true, transA, batchShape, precision)
        : product(a, g, !transA, false, batchShape, precision)
      : null;
    return [da && sumToShape(da, a.shape), db && sumToShape(db, b.shape)];
  });
}
