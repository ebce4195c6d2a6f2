// The tensor engine's public surface.
export { Tensor, tidy, type DType, type GradNode } from './tensor.js';
export { backward, noGrad, isGradEnabled } from './autograd.js';
export { Generator, defaultGenerator, manualSeed } from './random.js';
export { bufferPool } from './buffer-pool.js';
export { zeros, full, scalar } from './ops/util.js';
export { tensor, randn, rand, arange, onesLike, zerosLike } from './ops/creation.js';
export {
  contiguous,
  reshape,
  permute,
  transpose,
  slice,
  broadcastTo,
  unsqueeze,
  squeeze,
  concat,
  split,
  pad,
  copyInto,
} from './ops/shape-ops.js';
export {
  add,
  sub,
  mul,
  div,
  neg,
  exp,
  log,
  sqrt,
  tanh,
  sigmoid,
  relu,
  gelu,
  swish,
  pow,
  mulScalar,
  addScalar,
  where,
  maskedFill,
} from './ops/elementwise.js';
export { sum, mean, max, sumTo } from './ops/reduce.js';
export { matmul, type MatmulOptions } from './ops/matmul.js';
export { withPrecision, matmulPrecision, PRECISIONS, type Precision } from './precision.js';
export { packWeight, matmulPacked, type PackedWeight } from './ops/packed.js';
export { quantizeWeightInt8, packInt8Weight, dequantizeInt8, matmulInt8, type Int8Weight } from './ops/int8.js';
export { attentionCached, type CachedAttentionOptions } from './ops/cached-attention.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { layerNorm } from './ops/layer-norm.js';
export { dropout } from './ops/dropout.js';
export { embedding } from './ops/embedding.js';
export { crossEntropy, type CrossEntropyOptions } from './ops/cross-entropy.js';
export { attention, scaledDotProductAttention, type AttentionOptions, type AttentionResult } from './ops/attention.js';
export { sparseAttention, sparseAttentionWeights, type SparsePattern } from './ops/sparse-attention.js';
