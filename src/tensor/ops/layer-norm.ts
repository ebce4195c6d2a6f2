// Layer normalisation (Ba et al., 2016) over the last axis, fused, with optional affine gamma/beta:
// the "LayerNorm(x + Sublayer(x))" of the paper's section 3.1.

import { record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertFloat, denseCopyIfNeeded, kernels } from './util.js';

/** Layer normalization over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. */
export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps = 1e-5): Tensor {
  assertFloat(x, 'layerNorm');
  const cols = x.shape[x.rank - 1];
  for (const [name, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (p !== null && (p.rank !== 1 || p.shape[0] !== cols || p.dtype !== x.dtype)) {
      throw new RangeError(
        `layerNorm: ${name} must be a ${x.dtype} vector of ${cols}, got ${p.dtype} ${formatShape(p.shape)}`,
      );
    }
  }
  if ((gamma === null) !== (beta === null)) throw new Error('layerNorm: pass both gamma and beta, or neither');
  const rows = x.size / cols;
  const input = denseCopyIfNeeded(x);
  const g = gamma && denseCopyIfNeeded(gamma);
  const b = beta && denseCopyIfNeeded(beta);
  const out = Tensor.empty(x.shape, x.dtype);
  const mean = Tensor.empty([rows], x.dtype);
  const rstd = Tensor.empty([rows], x.dtype);
  kernels(x).layerNorm(
    out.floats(),
    mean.floats(),
    rstd.floats(),
    input.floats(),
    g?.floats() ?? null,
    b?.floats() ?? null,
    rows,
    cols,
    eps,
  );
  const inputs = gamma && beta ? [x, gamma, beta] : [x];
  return record(out, 'layerNorm', inputs, (dy) => {
    const dx = Tensor.empty(x.shape, x.dtype);
    const dgamma = g && Tensor.empty([cols], x.dtype);
    const dbeta = g && Tensor.empty([cols], x.dtype);
    const dyDense = denseCopyIfNeeded(dy);
    kernels(x).layerNormBackward(
      dx.floats(),
      dgamma?.floats() ?? null,
      dbeta?.floats() ?? null,
      dyDense.floats(),
      input.floats(),
      mean.floats(),
      rstd.floats(),
      g?.floats() ?? null,
      rows,
      cols,
    );
    return [dx, dgamma, dbeta];
  });
}
