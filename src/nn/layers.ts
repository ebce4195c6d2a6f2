// The basic layers: Linear (y = x W^T + b, W stored (out, in) as in PyTorch) and LayerNorm.

import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { xavierUniform } from './init.js';
import type { Generator } from '../tensor/random.js';
import { SkinnyWeight } from './skinny.js';
import { dropInt8Weight, int8Product, int8Values, int8Weight } from './int8.js';

export class Linear extends Module {
  readonly weight: Tensor; // (out, in)
  readonly bias: Tensor | null; // (out)
  /** The weight packed for decoding's few-row products (eval mode, no gradients). */
  private readonly skinny = new SkinnyWeight();
  /**
   * Whether few-row products may pack the weight: false for layers that run once per sentence (the
   * encoder's, the projection of the encoder output), where a packed copy would cost memory for nothing.
   */
  packable = true;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean; generator?: Generator } = {},
  ) {
    super();
    this.weight = this.parameter('weight', xavierUniform([outFeatures, inFeatures], options.generator));
    this.bias = options.bias === false ? null : this.parameter('bias', T.zeros([outFeatures]));
  }

  forward(x: Tensor): Tensor {
    const int8 = int8Product(x, this.weight, this.bias, this.training); // after quantizeWeights, inference only
    if (int8 !== null) return int8;
    const skinny = this.packable ? this.skinny.matmul(x, this.weight, this.training, this.bias) : null;
    if (skinny !== null) return skinny; // the bias added in the product
    const y = T.matmul(x, this.weight, { transB: true }); // (..., out)
    return this.bias === null ? y : T.add(y, this.bias);
  }

  /** The weight packed for few-row products (see SkinnyWeight), or null when this layer does not pack it (or multiplies int8 weights). */
  packedWeight(): T.PackedWeight | null {
    return this.packable && this.weight.dtype === 'float32' && int8Values(this.weight) === null
      ? this.skinny.packedFor(this.weight)
      : null;
  }

  /** The weight's int8 copy while this layer runs inference on int8 (after quantizeWeights), else null. */
  int8Weight(): T.Int8Weight | null {
    return int8Weight(this.weight, this.training);
  }

  /** Switching modes drops the packed weight, so that weights changed since are packed afresh; training drops the int8 copy. */
  override train(on = true): this {
    this.skinny.drop();
    if (on) dropInt8Weight(this.weight);
    return super.train(on);
  }
}

export class LayerNorm extends Module {
  readonly weight: Tensor; // gamma (d)
  readonly bias: Tensor; // beta (d)

  constructor(
    readonly d: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.parameter('weight', T.full([d], 1));
    this.bias = this.parameter('bias', T.zeros([d]));
  }

  forward(x: Tensor): Tensor {
    return T.layerNorm(x, this.weight, this.bias, this.eps);
  }
}
