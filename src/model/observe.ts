// Looking inside: the attention weights of every layer and head, as the model computes them.

import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { MultiHeadAttention } from './attention.js';

/**
 * Calls fn(name, weights) with each attention module's weights (B, h, Tq, Tk) on every forward pass,
 * e.g. name "decoder.layers.0.crossAttention". The tensor lives until the callback returns at least
 * (without gradients each layer frees its intermediates when it is done): copy what you need. Returns a function that stops observing.
 */
export function observeAttention(model: Module, fn: (name: string, weights: Tensor) => void): () => void {
  const observed: MultiHeadAttention[] = [];
  for (const [name, module] of model.namedModules()) {
    if (!(module instanceof MultiHeadAttention)) continue;
    module.weightsObserver = (weights) => fn(name, weights);
    observed.push(module);
  }
  return () => {
    for (const m of observed) m.weightsObserver = null;
  };
}
