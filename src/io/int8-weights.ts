// int8 model folders (docs/int8.md): model.safetensors stores a quantized weight W (N, K) as NAME, I8 (N, K),
// beside NAME_scale, F32 (N), with W[n, k] = NAME[n, k] * NAME_scale[n]; every other parameter stays F32.
// Read back, the parameter holds those products in float32 and keeps the stored integers as its int8 copy,
// so inference multiplies exactly what was saved.

import { adoptInt8Weight, int8Values } from '../nn/int8.js';
import type { Module } from '../nn/module.js';
import { quoteJson } from '../quote.js';
import {
  SafetensorsError,
  sameShape,
  shapeText,
  type StoredTensor,
  type TensorEntry,
  type TensorToWrite,
} from './safetensors-format.js';

export const SCALE_SUFFIX = '_scale';

/** An int8 weight as stored: its values and its row scales. */
export interface StoredInt8 {
  q: Int8Array;
  scales: Float32Array;
}

const isScaleOf = (name: string, byName: ReadonlyMap<string, { dtype: string }>) =>
  name.endsWith(SCALE_SUFFIX) && byName.get(name.slice(0, -SCALE_SUFFIX.length))?.dtype === 'I8';

/** The header's entries as the model's parameters see them: an I8 weight is a float parameter, its scale none. */
export function parameterEntries(entries: readonly TensorEntry[]): TensorEntry[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  return entries
    .filter((e) => !isScaleOf(e.name, byName))
    .map((e) => (e.dtype === 'I8' ? { ...e, dtype: 'F32' as const } : e));
}

/** The tensors with each I8 weight replaced by its float32 values, and the int8 weights apart; bad pairs are refused. */
export function splitInt8(
  tensors: ReadonlyMap<string, StoredTensor>,
  file: string,
): { tensors: Map<string, StoredTensor>; int8: Map<string, StoredInt8> } {
  const out = new Map<string, StoredTensor>();
  const int8 = new Map<string, StoredInt8>();
  for (const [name, t] of tensors) {
    if (isScaleOf(name, tensors)) continue;
    if (t.dtype !== 'I8') {
      out.set(name, t);
      continue;
    }
    const fail = (what: string) => new SafetensorsError(file, `int8 tensor ${quoteJson(name)} ${what}`);
    if (t.shape.length !== 2) throw fail(`must be 2-D (rows, columns), found ${shapeText(t.shape)}`);
    const [N, K] = t.shape;
    const scale = tensors.get(name + SCALE_SUFFIX);
    if (scale === undefined) throw fail(`has no ${quoteJson(name + SCALE_SUFFIX)} beside it`);
    if (scale.dtype !== 'F32' || !sameShape(scale.shape, [N]))
      throw fail(`needs ${quoteJson(name + SCALE_SUFFIX)} F32 [${N}], found ${scale.dtype} ${shapeText(scale.shape)}`);
    const scales = scale.data as Float32Array;
    const bad = scales.findIndex((s) => !(s >= 0 && s < Infinity));
    if (bad >= 0) throw fail(`has scale ${scales[bad]} at row ${bad}; scales must be finite and >= 0`);
    const q = t.data as Int8Array;
    const low = q.indexOf(-128);
    if (low >= 0) throw fail(`holds -128 at index ${low}; symmetric int8 values lie in [-127, 127]`);
    const values = new Float32Array(N * K);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) values[n * K + k] = q[n * K + k] * scales[n];
    out.set(name, { dtype: 'F32', shape: t.shape, data: values });
    int8.set(name, { q: Int8Array.from(q), scales: Float32Array.from(scales) });
  }
  return { tensors: out, int8 };
}

/** Gives each named parameter of the model its stored int8 copy. */
export function adoptInt8(model: Module, int8: ReadonlyMap<string, StoredInt8>): void {
  const parameters = model.namedParameters();
  for (const [name, { q, scales }] of int8) adoptInt8Weight(parameters.get(name)!, q, scales);
}

/** The tensors to write for a model whose weights have int8 copies: those as I8 values and F32 scales. */
export function int8Tensors(model: Module, tensors: ReadonlyMap<string, TensorToWrite>): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  const parameters = model.namedParameters();
  for (const [name, t] of tensors) {
    const int8 = int8Values(parameters.get(name)!);
    if (int8 === null) {
      out.set(name, t);
      continue;
    }
    out.set(name, { shape: t.shape, data: int8.q });
    out.set(name + SCALE_SUFFIX, { shape: [int8.scales.length], data: int8.scales });
  }
  return out;
}
