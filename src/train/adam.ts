// Adam (Kingma and Ba, 2015) with the paper's section 5.3 settings as defaults: beta1 0.9,
// beta2 0.98, eps 1e-9. Decoupled weight decay makes it AdamW (Loshchilov and Hutter, 2019).
// The update of every parameter is one fused kernel call.

import type { AdamParams } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/ops/util.js';

/** Adam's settings: learning rate, betas, epsilon, weight decay. */
export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** AdamW: decay the weights directly instead of adding weightDecay * p to the gradient. */
  decoupled?: boolean;
}

/** Adam (Kingma and Ba), as the paper trains with it; decoupled weight decay (AdamW) optional. */
export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  /** Steps taken so far (t in the bias corrections). */
  step = 0;
  /** First and second moment estimates, one pair per parameter (saved in checkpoints). */
  readonly moments: { m: Tensor; v: Tensor }[];

  constructor(
    readonly params: readonly Tensor[],
    options: AdamOptions = {},
  ) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.98;
    this.eps = options.eps ?? 1e-9;
    this.weightDecay = options.weightDecay ?? 0;
    this.decoupled = options.decoupled ?? false;
    for (const p of params) {
      if (p.dtype !== 'float32' || !p.isContiguous())
        throw new TypeError(`Adam: parameters must be dense float32 tensors, got ${p}`);
    }
    this.moments = params.map((p) => ({ m: zeros(p.shape).keep(), v: zeros(p.shape).keep() }));
  }

  /** Applies one update from the parameters' accumulated gradients (parameters without one are skipped). */
  update(): void {
    this.step++;
    const kernels = backend();
    const hyper: AdamParams = {
      lr: this.lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      decoupled: this.decoupled,
      biasCorrection1: 1 - this.beta1 ** this.step,
      biasCorrection2: 1 - this.beta2 ** this.step,
    };
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      const { m, v } = this.moments[i];
      const data = p.dense() as Float32Array;
      kernels.adam(
        data,
        p.grad.dense() as Float32Array,
        m.dense() as Float32Array,
        v.dense() as Float32Array,
        p.size,
        hyper,
      );
    });
  }

  /** Zeroes every gradient in place (buffers are kept, so steady-state training allocates nothing). */
  zeroGrad(): void {
    const kernels = backend();
    for (const p of this.params) if (p.grad !== null) kernels.fill(p.grad.dense(), 0, p.size);
  }
}
