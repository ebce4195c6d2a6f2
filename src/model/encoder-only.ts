// An encoder with a task head: masked-LM (dense, activation, layer norm, tied output), sequence
// classification (the first position pooled through dense + tanh) or token classification.

import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { LayerNorm, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import type { ModelConfig } from './config.js';
import { Embeddings } from './embeddings.js';
import { activate } from './feed-forward.js';
import { paddingMask } from './masks.js';
import { OutputProjection } from './output.js';
import { Encoder } from './stacks.js';

class MaskedLmHead extends Module {
  readonly dense: Linear;
  readonly norm: LayerNorm;
  readonly output: OutputProjection;

  constructor(
    readonly config: ModelConfig,
    embedding: Embeddings,
  ) {
    super();
    this.dense = this.module('dense', new Linear(config.dModel, config.dModel));
    this.norm = this.module('norm', new LayerNorm(config.dModel, config.layerNormEps));
    this.output = this.module('output', new OutputProjection(embedding, config.tieOutput, config.finalLogitsBias));
  }

  /** (B, T, d) -> (B, T, V) */
  forward(x: Tensor): Tensor {
    return this.output.forward(this.norm.forward(activate(this.dense.forward(x), this.config.activation)));
  }
}

/** (B, T, 1): 1/n on each of a sequence's n tokens, 0 on its padding, so that a sum over T is their mean. */
function tokenWeights(ids: Tensor, padId: number): Tensor {
  const [B, S] = ids.shape;
  const values = ids.ints('ids');
  const weights = new Float32Array(B * S);
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < S; t++) if (values[b * S + t] !== padId) n++;
    for (let t = 0; t < S; t++) if (values[b * S + t] !== padId) weights[b * S + t] = 1 / n;
  }
  return Tensor.from(weights, [B, S, 1]);
}

class SequenceClassificationHead extends Module {
  readonly pool: Linear;
  readonly classifier: Linear;

  constructor(readonly config: ModelConfig) {
    super();
    this.pool = this.module('pool', new Linear(config.dModel, config.dModel));
    this.classifier = this.module('classifier', new Linear(config.dModel, config.numLabels));
  }

  /** (B, T, d) -> (B, numLabels), from the first position or the mean of the tokens (config.pooling) */
  forward(x: Tensor, ids: Tensor): Tensor {
    const summary =
      this.config.pooling === 'mean'
        ? T.sum(T.mul(x, tokenWeights(ids, this.config.padId)), 1) // (B, d)
        : T.squeeze(T.slice(x, 1, 0, 1), 1); // (B, d)
    const pooled = T.dropout(T.tanh(this.pool.forward(summary)), this.config.pDrop, this.training);
    return this.classifier.forward(pooled);
  }
}

class TokenClassificationHead extends Module {
  readonly classifier: Linear;

  constructor(readonly config: ModelConfig) {
    super();
    this.classifier = this.module('classifier', new Linear(config.dModel, config.numLabels));
  }

  /** (B, T, d) -> (B, T, numLabels) */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(T.dropout(x, this.config.pDrop, this.training));
  }
}

/** An encoder with a task head: masked LM, sequence or token classification. */
export class EncoderOnly extends Module {
  readonly embedding: Embeddings;
  readonly encoder: Encoder;
  readonly head: MaskedLmHead | SequenceClassificationHead | TokenClassificationHead;

  constructor(readonly config: ModelConfig) {
    super();
    const c = config;
    this.embedding = this.module('embedding', new Embeddings(c.vocabSize, c.dModel, c.scaleEmbedding));
    this.encoder = this.module('encoder', new Encoder(c, c.encoderLayers));
    const head =
      c.head === 'masked-lm'
        ? new MaskedLmHead(c, this.embedding)
        : c.head === 'sequence-classification'
          ? new SequenceClassificationHead(c)
          : new TokenClassificationHead(c);
    this.head = this.module('head', head);
  }

  /** Padding positions are masked out; the output is what the head computes (see the heads). */
  forward(ids: Tensor): Tensor {
    const mask = paddingMask(ids, this.config.padId);
    return this.head.forward(this.encoder.forward(this.embedding.forward(ids), mask), ids);
  }

  /** The encoder's hidden states (B, T, d), without the head. */
  hidden(ids: Tensor): Tensor {
    return this.encoder.forward(this.embedding.forward(ids), paddingMask(ids, this.config.padId));
  }
}
