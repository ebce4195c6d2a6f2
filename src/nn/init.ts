// Parameter initialisation. Xavier-uniform (Glorot and Bengio, 2010) is what the reference
// implementations of the paper use for every matrix: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).

import * as T from '../tensor/index.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';

/** How many withoutRandomInit calls are running: while any is, initialisers hand out zeros. */
let skipping = 0;

/**
 * Builds a model whose every parameter is about to be overwritten (a model folder being loaded)
 * without drawing its random initial weights: they come out as zeros, which is what an unassigned
 * parameter would then hold, never leftover memory. Drawing them cost about a second for a base-size
 * model (as Hugging Face's `no_init_weights` and PyTorch's `skip_init` avoid too).
 */
export function withoutRandomInit<R>(build: () => R): R {
  skipping++;
  try {
    return build();
  } finally {
    skipping--;
  }
}

/** A (fan_out, fan_in) matrix drawn from Xavier-uniform. */
export function xavierUniform(shape: [number, number], generator: Generator = defaultGenerator()): Tensor {
  if (skipping > 0) return T.zeros(shape);
  const limit = Math.sqrt(6 / (shape[0] + shape[1]));
  return T.rand(shape, { low: -limit, high: limit, generator });
}

/** Normal(0, std) entries. */
export function normal(shape: number[], std: number, options: { generator?: Generator; dtype?: DType } = {}): Tensor {
  const { generator = defaultGenerator(), dtype } = options;
  if (skipping > 0) return T.zeros(shape, dtype);
  return T.randn(shape, { std, generator, dtype });
}
