// Section 3.3, Position-wise Feed-Forward Networks: FFN(x) = max(0, x W_1 + b_1) W_2 + b_2
// (or GELU / swish in place of the ReLU), with optional dropout on the hidden activation.

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import type { Activation } from './config.js';

export function activate(x: Tensor, activation: Activation): Tensor {
  return activation === 'relu' ? T.relu(x) : activation === 'gelu' ? T.gelu(x) : T.swish(x);
}

export class FeedForward extends Module {
  readonly w1: Linear; // (dFF, d)
  readonly w2: Linear; // (d, dFF)

  constructor(
    dModel: number,
    dFF: number,
    readonly activation: Activation,
    readonly activationDropout: number,
  ) {
    super();
    this.w1 = this.module('w1', new Linear(dModel, dFF));
    this.w2 = this.module('w2', new Linear(dFF, dModel));
  }

  forward(x: Tensor): Tensor {
    const hidden = activate(this.w1.forward(x), this.activation); // (B, T, dFF)
    return this.w2.forward(T.dropout(hidden, this.activationDropout, this.training)); // (B, T, d)
  }
}
