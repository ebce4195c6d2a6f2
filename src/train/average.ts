// Checkpoint averaging (the paper's section 6.1: the base models average the last 5 checkpoints): the
// element-wise mean of the tensors of several safetensors files.

import { InputError } from '../errors.js';
import { readSafetensors, type TensorToWrite } from '../io/safetensors.js';

/** Inputs that cannot be averaged; the message names the file and the tensor. */
export class AverageError extends InputError {}

/**
 * The element-wise mean of the tensors in `paths`, summed in float64 and stored as float32. Every file
 * must hold the same tensor names, each with the same dtype and shape as in the first file.
 */
export function averageSafetensors(paths: readonly string[]): Map<string, TensorToWrite> {
  if (paths.length === 0) throw new AverageError('nothing to average');
  const first = readSafetensors(paths[0]).tensors;
  const sums = new Map<string, { dtype: string; shape: number[]; sum: Float64Array }>();
  for (const [name, t] of first) {
    if (t.dtype === 'I32') throw new AverageError(`${paths[0]}: tensor "${name}" is I32; only floats can be averaged`);
    sums.set(name, { dtype: t.dtype, shape: t.shape, sum: Float64Array.from(t.data) });
  }
  for (const path of paths.slice(1)) {
    const tensors = readSafetensors(path).tensors;
    for (const name of sums.keys()) {
      if (!tensors.has(name)) throw new AverageError(`${path}: tensor "${name}" (in ${paths[0]}) is missing`);
    }
    for (const [name, t] of tensors) {
      const s = sums.get(name);
      if (s === undefined) throw new AverageError(`${path}: tensor "${name}" is not in ${paths[0]}`);
      if (t.dtype !== s.dtype) {
        throw new AverageError(`${path}: tensor "${name}" is ${t.dtype}, but ${s.dtype} in ${paths[0]}`);
      }
      if (t.shape.join(',') !== s.shape.join(',')) {
        throw new AverageError(
          `${path}: tensor "${name}" has shape [${t.shape.join(', ')}], but [${s.shape.join(', ')}] in ${paths[0]}`,
        );
      }
      for (let i = 0; i < t.data.length; i++) s.sum[i] += t.data[i];
    }
  }
  const out = new Map<string, TensorToWrite>();
  for (const [name, s] of sums) {
    const mean = new Float32Array(s.sum.length);
    for (let i = 0; i < mean.length; i++) mean[i] = s.sum[i] / paths.length;
    out.set(name, { shape: s.shape, data: mean });
  }
  return out;
}
