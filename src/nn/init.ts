// Parameter initialisation. Xavier-uniform (Glorot and Bengio, 2010) is what the reference
// implementations of the paper use for every matrix: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';

/** A (fan_out, fan_in) matrix drawn from Xavier-uniform. */
export function xavierUniform(shape: [number, number], generator: Generator = defaultGenerator()): Tensor {
  const limit = Math.sqrt(6 / (shape[0] + shape[1]));
  return T.rand(shape, { low: -limit, high: limit, generator });
}

/** Normal(0, std) entries. */
export function normal(shape: number[], std: number, generator: Generator = defaultGenerator()): Tensor {
  return T.randn(shape, { std, generator });
}
