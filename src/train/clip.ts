// Gradient clipping by global norm (Pascanu et al., 2013), as torch.nn.utils.clip_grad_norm_.

import { UnaryOp } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import type { Tensor } from '../tensor/tensor.js';

/** The L2 norm of all gradients together. */
export function gradNorm(params: readonly Tensor[]): number {
  let sum = 0;
  for (const p of params) {
    if (p.grad === null) continue;
    const g = p.grad.dense();
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    sum += s;
  }
  return Math.sqrt(sum);
}

/** Scales every gradient so their global norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  const norm = gradNorm(params);
  if (!(norm > maxNorm)) return norm;
  const scale = maxNorm / (norm + 1e-6);
  const kernels = backend();
  for (const p of params) {
    if (p.grad === null) continue;
    const g = p.grad.dense() as Float32Array;
    kernels.unary(UnaryOp.Scale, g, g, p.size, scale);
  }
  return norm;
}
