// What the page draws from the model: the attention weights of every layer and head for one sentence
// pair (the model's own, observed as it translates), the positional-encoding matrix, and the inputs
// of the step-through of one head (embeddings + positions and the layer's projection). No DOM.

import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { translateIds } from '../../src/decode/translate-lines.js';
import type { EncoderDecoder } from '../../src/model/encoder-decoder.js';
import { observeAttention } from '../../src/model/observe.js';
import type { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { stepThroughHead, type HeadSteps, type Matrix } from './step-through.js';

export type AttentionStack = 'encoder' | 'decoder' | 'cross';

/** One layer's weights (h, Tq, Tk), row-major. */
export interface LayerAttention {
  stack: AttentionStack;
  layer: number;
  heads: number;
  queries: number;
  keys: number;
  values: Float32Array;
}

/** A sentence, its greedy translation and every attention map of the pass that scores it. */
export interface AttentionSnapshot {
  sourceTokens: string[];
  targetTokens: string[];
  translation: string;
  layers: LayerAttention[];
}

/** The source ids (with EOS) and the decoder input (BOS + the greedy translation) of a sentence. */
function sentencePair(model: EncoderDecoder, tokenizer: Tokenizer, sentence: string) {
  const source = [...tokenizer.encode(sentence, { addEos: true })];
  // A few tokens past the source's length: an untrained model's endless output would only fill the page.
  const translated = T.noGrad(() => translateIds(model, [source], { beam: 1, maxLenA: 1, maxLenB: 8 }))[0][0].tokens;
  return { source, targetIn: [model.config.bosId, ...translated], translated };
}

const STACK_OF: Record<string, AttentionStack> = {
  selfAttention: 'encoder',
  crossAttention: 'cross',
};

export function attentionSnapshot(model: EncoderDecoder, tokenizer: Tokenizer, sentence: string): AttentionSnapshot {
  model.eval();
  const { source, targetIn, translated } = sentencePair(model, tokenizer, sentence);
  const layers: LayerAttention[] = [];
  const stop = observeAttention(model, (name, weights) => {
    // e.g. "encoder.layers.1.selfAttention", "decoder.layers.0.crossAttention"
    const [stackName, , layer, kind] = name.split('.');
    const stack = stackName === 'decoder' && kind === 'selfAttention' ? 'decoder' : STACK_OF[kind];
    const [, heads, queries, keys] = weights.shape;
    layers.push({
      stack,
      layer: Number(layer),
      heads,
      queries,
      keys,
      values: Float32Array.from(T.contiguous(weights).floats()),
    });
  });
  try {
    T.noGrad(() =>
      T.tidy(() => {
        model.forward(
          Tensor.from(Int32Array.from(source), [1, source.length]),
          Tensor.from(Int32Array.from(targetIn), [1, targetIn.length]),
        );
      }),
    );
  } finally {
    stop();
  }
  return {
    sourceTokens: source.map((id) => tokenizer.idToPiece(id)),
    targetTokens: targetIn.map((id) => tokenizer.idToPiece(id)),
    translation: tokenizer.decode(translated),
    layers,
  };
}

/** The encodings the encoder adds to its first `length` positions: (length, d_model). */
export function positionalMatrix(model: EncoderDecoder, length: number): Matrix {
  const rows = Math.min(length, model.config.maxLength);
  return { rows, cols: model.config.dModel, values: model.encoder.positional.rows(rows) };
}

/** The step-through of one head of layer 0: its tokens, embeddings, positions, input X and every step. */
export interface StepThrough extends HeadSteps {
  stack: 'encoder' | 'decoder';
  head: number;
  tokens: string[];
  embeddings: Matrix; // (T, d): token embeddings, times √d_model when the model scales them
  positions: Matrix; // (T, d)
  x: Matrix; // (T, d): the layer's input
}

/**
 * Layer 0's self-attention, head `head`, on the sentence (encoder) or on BOS + its greedy translation
 * (decoder, causal). Its weights are the paper's attention: for another kind the model's differ.
 */
export function stepThrough(
  model: EncoderDecoder,
  tokenizer: Tokenizer,
  sentence: string,
  stack: 'encoder' | 'decoder',
  head: number,
): StepThrough {
  model.eval();
  const { source, targetIn } = sentencePair(model, tokenizer, sentence);
  const ids = stack === 'encoder' ? source : targetIn;
  const c = model.config;
  const d = c.dModel;
  const embedding = stack === 'encoder' ? model.sourceEmbedding : model.targetEmbedding;
  const table = embedding.weight.floats();
  const scale = c.scaleEmbedding ? Math.sqrt(d) : 1;
  const embeddings: Matrix = { rows: ids.length, cols: d, values: new Float32Array(ids.length * d) };
  ids.forEach((id, t) => {
    for (let i = 0; i < d; i++) embeddings.values[t * d + i] = table[id * d + i] * scale;
  });
  const layers = stack === 'encoder' ? model.encoder : model.decoder;
  const positions: Matrix = { rows: ids.length, cols: d, values: layers.positional.rows(ids.length) };
  const sum = embeddings.values.map((e, i) => e + positions.values[i]);
  const layer = layers.layers[0];
  // Pre-norm layers normalize before attending; the paper's post-norm attends to the sum itself.
  const input =
    c.normPosition === 'pre'
      ? T.noGrad(() => T.tidy(() => Float32Array.from(layer.norm1.forward(Tensor.from(sum, [ids.length, d])).floats())))
      : sum;
  const x: Matrix = { rows: ids.length, cols: d, values: input };
  const qkv = layer.selfAttention.qkv;
  const steps = stepThroughHead({
    x,
    weight: Float32Array.from(qkv.weight.floats()),
    bias: qkv.bias === null ? null : Float32Array.from(qkv.bias.floats()),
    heads: c.h,
    head,
    causal: stack === 'decoder',
  });
  return { ...steps, stack, head, tokens: ids.map((id) => tokenizer.idToPiece(id)), embeddings, positions, x };
}
