// The `js` reference backend: plain-loop kernels that define what every other backend must compute.

import type { Backend, KernelName } from '../backend.js';
import { adam } from './adam.js';
import { attention, attentionBackward } from './attention.js';
import { castBf16, gemmBf16 } from './bf16.js';
import { attentionCached } from './cached-attention.js';
import { crossEntropy, crossEntropyBackward } from './cross-entropy.js';
import { dropout } from './dropout.js';
import { axpy, binary, fill, where } from './elementwise.js';
import { embedding, embeddingBackward } from './embedding.js';
import { gemm, gemmPacked, packPanels } from './gemm.js';
import { gemmInt8, packInt8, quantizeInt8 } from './int8.js';
import { layerNorm, layerNormBackward } from './layernorm.js';
import { maxBackward, reduce } from './reduce.js';
import { softmax, softmaxBackward } from './softmax.js';
import { sparseAttention, sparseAttentionBackward } from './sparse-attention.js';
import { copy } from './strided.js';
import { unary, unaryBackward } from './unary.js';

export const jsBackend: Backend = {
  name: 'js',
  gemm,
  packPanels,
  gemmPacked,
  binary,
  where,
  unary,
  unaryBackward,
  reduce,
  maxBackward,
  softmax,
  softmaxBackward,
  layerNorm,
  layerNormBackward,
  dropout,
  embedding,
  embeddingBackward,
  copy,
  fill,
  axpy,
  crossEntropy,
  crossEntropyBackward,
  attention,
  attentionBackward,
  attentionCached,
  sparseAttention,
  sparseAttentionBackward,
  adam,
  gemmBf16,
  castBf16,
  quantizeInt8,
  packInt8,
  gemmInt8,
};

/**
 * The kernels of the contract, in the order above: the list other backends are built and checked
 * from (the object literal is type-checked against Backend, so it names every kernel exactly once).
 */
export const kernelNames: readonly KernelName[] = Object.keys(jsBackend).filter((k): k is KernelName => k !== 'name');
