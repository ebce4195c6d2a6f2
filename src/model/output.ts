// The pre-softmax linear transformation (section 3.4): either its own (V, d) matrix or the target
// embedding matrix itself (tied), plus an optional bias on the final logits.

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { SkinnyWeight } from '../nn/skinny.js';
import { int8Product } from '../nn/int8.js';
import type { Embeddings } from './embeddings.js';

export class OutputProjection extends Module {
  readonly projection: Linear | null;
  readonly finalLogitsBias: Tensor | null; // (V)
  /** The tied embedding matrix packed for decoding's few-row products. */
  private readonly skinny = new SkinnyWeight();

  constructor(
    private readonly embedding: Embeddings,
    tied: boolean,
    bias: boolean,
  ) {
    super();
    const { vocabSize, dModel } = embedding;
    this.projection = tied ? null : this.module('projection', new Linear(dModel, vocabSize, { bias: false }));
    this.finalLogitsBias = bias ? this.parameter('finalLogitsBias', T.zeros([vocabSize])) : null;
  }

  /** x (B, T, d) -> logits (B, T, V) */
  forward(x: Tensor): Tensor {
    const w = this.embedding.weight;
    const bias = this.finalLogitsBias;
    if (this.projection === null) {
      // Decoding's products add the bias themselves.
      const fused = int8Product(x, w, bias, this.training) ?? this.skinny.matmul(x, w, this.training, bias);
      if (fused !== null) return fused;
    }
    const logits = this.projection === null ? T.matmul(x, w, { transB: true }) : this.projection.forward(x);
    return bias === null ? logits : T.add(logits, bias);
  }

  override train(on = true): this {
    this.skinny.drop();
    return super.train(on);
  }
}
