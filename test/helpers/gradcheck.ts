// Finite-difference gradient checks in float64: the analytic gradient of
//   L = sum(f(inputs) * W)   (W fixed random weights)
// from backward() must match central differences (L(x + h) - L(x - h)) / 2h for every input element.

import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { backward, noGrad } from '../../src/tensor/autograd.js';
import { Generator } from '../../src/tensor/random.js';
import { mul, sum } from '../../src/tensor/index.js';

/** A float64 tensor of normal samples (optionally shifted), requiring a gradient. */
export function input(shape: number[], seed: number, options: { shift?: number; scale?: number } = {}): Tensor {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = (options.shift ?? 0) + (options.scale ?? 1) * g.normal();
  return Tensor.from(values, shape).requireGrad();
}

function weightedSum(out: Tensor, weights: Tensor): Tensor {
  return sum(mul(out, weights));
}

export function gradcheck(
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  tolerance = 1e-6,
  h = 1e-6,
): void {
  const probe = noGrad(() => f(...inputs));
  const weights = input([...probe.shape], 999);
  weights.requireGrad(false);
  for (const x of inputs) x.grad = null;
  backward(weightedSum(f(...inputs), weights));
  const loss = () => noGrad(() => weightedSum(f(...inputs), weights).item());
  inputs.forEach((x, which) => {
    if (!x.requiresGrad) return;
    assert.ok(x.grad !== null, `${name}: input ${which} got no gradient`);
    const analytic = x.grad.toArray();
    const data = x.dense();
    for (let i = 0; i < data.length; i++) {
      const saved = data[i];
      data[i] = saved + h;
      const up = loss();
      data[i] = saved - h;
      const down = loss();
      data[i] = saved;
      const numeric = (up - down) / (2 * h);
      const error = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric));
      assert.ok(
        error < tolerance,
        `${name}: d/d input${which}[${i}] analytic ${analytic[i]} vs numeric ${numeric} (error ${error.toExponential(2)})`,
      );
    }
  });
}
