// Inverted dropout (Srivastava et al., 2014; the paper's P_drop): zero each element with
// probability p and scale the rest by 1 / (1 - p). The mask comes from a counter-based hash of one
// seed drawn from the generator, so backward regenerates it instead of storing it.

import { dropoutParams } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import { assertFloat, denseCopyIfNeeded, kernels } from './util.js';

/** Zeroes each element with probability p and scales the rest by 1 / (1 - p) when training; x itself otherwise. */
export function dropout(x: Tensor, p: number, training = true, generator: Generator = defaultGenerator()): Tensor {
  assertFloat(x, 'dropout');
  const { threshold, scale } = dropoutParams(p);
  if (!training || p === 0) return x;
  const seed = generator.nextUint32();
  const input = denseCopyIfNeeded(x);
  const out = Tensor.empty(x.shape, x.dtype);
  kernels(x).dropout(out.floats(), input.floats(), x.size, threshold, scale, seed, 0);
  return record(out, 'dropout', [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    kernels(x).dropout(dx.floats(), denseCopyIfNeeded(g).floats(), x.size, threshold, scale, seed, 0);
    return [dx];
  });
}
