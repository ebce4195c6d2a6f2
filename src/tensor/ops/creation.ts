// Creating tensors: from values, random (seeded), ranges.

import { defaultGenerator, type Generator } from '../random.js';
import type { Shape } from '../shape.js';
import { Tensor, type DType } from '../tensor.js';
import { full } from './util.js';

/** A tensor holding a copy of the values (float32 unless told otherwise). */
export function tensor(values: ArrayLike<number>, shape?: Shape, dtype: DType = 'float32'): Tensor {
  const t = Tensor.empty(shape ?? [values.length], dtype);
  if (t.size !== values.length)
    throw new RangeError(`${values.length} values do not fill shape [${t.shape.join(', ')}]`);
  const data = t.dense();
  for (let i = 0; i < values.length; i++) data[i] = values[i];
  if (dtype === 'int32' && !data.every((v, i) => v === values[i]))
    throw new TypeError('int32 tensor: the values must be integers');
  return t;
}

/** Normal(mean, std) samples from a seeded generator. */
export function randn(
  shape: Shape,
  options: { mean?: number; std?: number; generator?: Generator; dtype?: DType } = {},
): Tensor {
  const g = options.generator ?? defaultGenerator();
  const t = Tensor.empty(shape, options.dtype ?? 'float32');
  const data = t.dense();
  const [mean, std] = [options.mean ?? 0, options.std ?? 1];
  for (let i = 0; i < data.length; i++) data[i] = mean + std * g.normal();
  return t;
}

/** Uniform samples in [low, high). */
export function rand(
  shape: Shape,
  options: { low?: number; high?: number; generator?: Generator; dtype?: DType } = {},
): Tensor {
  const g = options.generator ?? defaultGenerator();
  const t = Tensor.empty(shape, options.dtype ?? 'float32');
  const data = t.dense();
  const [low, high] = [options.low ?? 0, options.high ?? 1];
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * g.uniform();
  return t;
}

/** 0, 1, ..., n - 1 (int32 by default). */
export function arange(n: number, dtype: DType = 'int32'): Tensor {
  const t = Tensor.empty([n], dtype);
  const data = t.dense();
  for (let i = 0; i < n; i++) data[i] = i;
  return t;
}

/** Zeros of the shape and dtype of t. */
export const zerosLike = (t: Tensor): Tensor => full(t.shape, 0, t.dtype);
/** Ones of the shape and dtype of t. */
export const onesLike = (t: Tensor): Tensor => full(t.shape, 1, t.dtype);
