// int8 inference for a module's weights: quantizeWeights() quantizes chosen weights once (per output row,
// symmetric, T.quantizeWeightInt8), and while a module runs in eval mode with gradients off its products
// with those weights run on int8 (T.matmulInt8) and its lookups read the int8 values. Training, or any
// product with gradients on, keeps using the float32 weights, which stay as they are; switching a module to
// training mode drops its int8 copies, since its weights may change.

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** The number formats of inference weights: float32 as trained, or int8 with a float32 scale per row. */
export type Quantization = 'none' | 'int8';
/** Every Quantization, for parsing settings. */
export const QUANTIZATIONS: readonly Quantization[] = ['none', 'int8'];

const int8Weights = new WeakMap<Tensor, T.Int8Weight>();
/** The dequantized tables of int8 embedding weights, built on first lookup. */
const int8Tables = new WeakMap<Tensor, Tensor>();

/** Quantizes w (N, K) to int8 once; a weight already quantized is left alone. */
export function quantizeWeight(w: Tensor): void {
  if (int8Weights.has(w)) return;
  int8Weights.set(
    w,
    T.noGrad(() => T.quantizeWeightInt8(w)),
  );
}

/** Gives w the int8 copy q (N, K) with row scales, as an int8 model folder stores it (w holds q * scales). */
export function adoptInt8Weight(w: Tensor, q: Int8Array, scales: Float32Array): void {
  int8Tables.get(w)?.dispose();
  int8Tables.delete(w);
  int8Weights.set(w, T.packInt8Weight(q, scales, w.shape[0], w.shape[1]));
}

/** Drops w's int8 copy (its weights are about to change: training mode), if it has one. */
export function dropInt8Weight(w: Tensor): void {
  int8Weights.delete(w);
  int8Tables.get(w)?.dispose();
  int8Tables.delete(w);
}

/** w's int8 values and row scales, or null when it has no int8 copy. */
export function int8Values(w: Tensor): { q: Int8Array; scales: Float32Array } | null {
  const q = int8Weights.get(w);
  return q === undefined ? null : { q: q.q, scales: q.scales };
}

/** w's packed int8 copy for a module running inference (not training, gradients off), else null. */
export function int8Weight(w: Tensor, training: boolean): T.Int8Weight | null {
  return inference(training) ? (int8Weights.get(w) ?? null) : null;
}

function inference(training: boolean): boolean {
  return !training && !T.isGradEnabled();
}

/** x W^T (+ bias) on w's int8 copy when w has one and the module runs inference; else null. */
export function int8Product(x: Tensor, w: Tensor, bias: Tensor | null, training: boolean): Tensor | null {
  const q = int8Weights.get(w);
  if (q === undefined || !inference(training) || x.dtype !== 'float32') return null;
  return T.matmulInt8(x, q, bias);
}

/** The table a lookup reads: w's int8 values times their scales when w has an int8 copy and the module runs inference. */
export function int8Table(w: Tensor, training: boolean): Tensor | null {
  const q = int8Weights.get(w);
  if (q === undefined || !inference(training)) return null;
  let table = int8Tables.get(w);
  if (table === undefined) {
    table = T.tidy(() => T.dequantizeInt8(q)).keep();
    int8Tables.set(w, table);
  }
  return table;
}
