// The attention weights behind a translation: every layer and head of the encoder's self-attention,
// the decoder's self-attention and the cross-attention, recorded during one forced pass over the
// source and the chosen output (which gives the same weights as the cached steps that produced it).

import type { EncoderDecoder } from '../model/encoder-decoder.js';
import { observeAttention } from '../model/observe.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';

/** One attention module's weights for one translation. */
export interface AttentionMap {
  /** e.g. "encoder.layers.0.selfAttention", "decoder.layers.1.crossAttention" */
  name: string;
  /** Shape `[h, Tq, Tk]`: queries are output positions (BOS, then the tokens) or source positions. */
  shape: [number, number, number];
  /** Row-major (h, Tq, Tk) weights; each query row sums to 1. */
  weights: Float32Array;
}

/** Weights for one source (ids as decoded) and its output tokens (without EOS; the decoder reads BOS + tokens + ...). */
export function attentionWeights(
  model: EncoderDecoder,
  source: readonly number[],
  tokens: readonly number[],
): AttentionMap[] {
  const maps: AttentionMap[] = [];
  const row = (ids: readonly number[]) => Tensor.from(Int32Array.from(ids), [1, ids.length]);
  tidy(() =>
    T.noGrad(() => {
      const stop = observeAttention(model, (name, weights) => {
        const [, h, Tq, Tk] = weights.shape;
        maps.push({ name, shape: [h, Tq, Tk], weights: Float32Array.from(T.contiguous(weights).floats()) });
      });
      try {
        model.forward(row(source), row([model.config.bosId, ...tokens]));
      } finally {
        stop();
      }
    }),
  );
  return maps;
}
