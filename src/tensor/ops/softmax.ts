// Softmax and log-softmax along an axis (the last by default), each with its fused backward.

import { record } from '../autograd.js';
import { normAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { transpose } from './shape-ops.js';
import { assertFloat, denseCopyIfNeeded, kernels } from './util.js';

function softmaxLast(x: Tensor, log: boolean): Tensor {
  assertFloat(x, log ? 'logSoftmax' : 'softmax');
  const input = denseCopyIfNeeded(x);
  const cols = x.shape[x.rank - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = Tensor.empty(x.shape, x.dtype);
  kernels(x).softmax(out.floats(), input.floats(), rows, cols, log);
  return record(out, log ? 'logSoftmax' : 'softmax', [x], (g) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    kernels(x).softmaxBackward(dx.floats(), out.floats(), denseCopyIfNeeded(g).floats(), rows, cols, log);
    return [dx];
  });
}

function alongAxis(x: Tensor, axis: number, log: boolean): Tensor {
  const ax = normAxis(axis, x.rank);
  if (ax === x.rank - 1) return softmaxLast(x, log);
  return transpose(softmaxLast(transpose(x, ax, -1), log), ax, -1);
}

/** exp(x) / sum(exp(x)) along an axis, computed stably. */
export function softmax(x: Tensor, axis = -1): Tensor {
  return alongAxis(x, axis, false);
}

/** log softmax(x) along an axis, computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongAxis(x, axis, true);
}
