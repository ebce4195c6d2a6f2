// int8 inference of a whole model: every Linear weight (attention projections, feed-forward, an untied
// output projection) and every embedding matrix (so a tied output projection too) quantized per row to
// int8 once; layer norm, softmax, attention scores and positional encodings stay float32.

import { Linear } from '../nn/layers.js';
import type { Module } from '../nn/module.js';
import { quantizeWeight, type Quantization } from '../nn/int8.js';
import { Embeddings } from './embeddings.js';

/** Quantizes the model's weights as `quantization` says ('none' leaves it float32); returns the weights quantized. */
export function quantizeModel(model: Module, quantization: Quantization): number {
  if (quantization === 'none') return 0;
  let count = 0;
  for (const m of model.namedModules().values()) {
    if (m instanceof Linear || m instanceof Embeddings) {
      quantizeWeight(m.weight);
      count++;
    }
  }
  return count;
}
