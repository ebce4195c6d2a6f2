// Scaled dot-product attention (the paper's section 3.2.1, equation 1), fused:
//   Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k) + mask) V
// with padding masks (boolean or additive), a causal mask, and dropout on the attention weights.

import { dropoutParams, type AttentionShape, type FloatArray } from '../../backend/backend.js';
import { record } from '../autograd.js';
import { broadcastShapes, formatShape, sameShape } from '../shape.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import { where } from './elementwise.js';
import { assertFloat, broadcastStrides, denseCopyIfNeeded, kernels, scalar, stridedData } from './util.js';

/** Scaled dot-product attention settings: mask, causal, dropout. */
export interface AttentionOptions {
  /**
   * Broadcastable to (B, H, Tq, Tk). int32: non-zero where a query may attend to a key (as a boolean
   * attn_mask of torch.nn.functional.scaled_dot_product_attention); float: added to the scores.
   */
  mask?: Tensor | null;
  /** Query i sees keys j <= i + (Tk - Tq): the decoder's self-attention, also with a KV cache. */
  causal?: boolean;
  /** Dropout on the attention weights (the paper applies P_drop to sub-layer outputs; many add this). */
  dropout?: number;
  training?: boolean;
  generator?: Generator;
  /** Defaults to 1 / sqrt(d_k). */
  scale?: number;
}

/** The attention output and its weights. */
export interface AttentionResult {
  /** (B, H, Tq, Dv) */
  output: Tensor;
  /** (B, H, Tq, Tk): softmax weights before dropout, for inspection (not differentiable). */
  weights: Tensor;
}

/** q (B, H, Tq, dK), k (B, H, Tk, dK), v (B, H, Tk, dV) to the output and the attention weights. */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): AttentionResult {
  for (const [name, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    assertFloat(t, 'attention', name);
    if (t.rank !== 4) throw new RangeError(`attention: ${name} must be (B, H, T, d), got ${formatShape(t.shape)}`);
  }
  const [B, H, Tq, D] = q.shape;
  const [Tk, Dv] = [k.shape[2], v.shape[3]];
  if (!sameShape(k.shape, [B, H, Tk, D]) || !sameShape(v.shape, [B, H, Tk, Dv])) {
    throw new RangeError(
      `attention: shapes q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)} do not agree`,
    );
  }
  const scale = options.scale ?? 1 / Math.sqrt(D);
  const p = options.training === false ? 0 : (options.dropout ?? 0);
  const { threshold, scale: dropScale } = dropoutParams(p);
  const seed = threshold === 0 ? 0 : (options.generator ?? defaultGenerator()).nextUint32();
  const [maskData, maskStrides] = additiveMask(options.mask ?? null, [B, H, Tq, Tk], q);
  const [qd, kd, vd] = [denseCopyIfNeeded(q), denseCopyIfNeeded(k), denseCopyIfNeeded(v)];
  const output = Tensor.empty([B, H, Tq, Dv], q.dtype);
  const weights = Tensor.empty([B, H, Tq, Tk], q.dtype);
  const causal = options.causal ?? false;
  const shape: AttentionShape = { B, H, Tq, Tk, D, Dv, scale, threshold, dropScale, seed };
  const kern = kernels(q);
  kern.attention(
    output.floats(),
    weights.floats(),
    qd.floats(),
    kd.floats(),
    vd.floats(),
    shape,
    causal,
    maskData,
    maskStrides,
  );
  record(output, 'attention', [q, k, v], (g) => {
    const [dq, dk, dv] = [
      Tensor.empty(q.shape, q.dtype),
      Tensor.empty(k.shape, k.dtype),
      Tensor.empty(v.shape, v.dtype),
    ];
    const dout = denseCopyIfNeeded(g);
    kern.attentionBackward(
      dq.floats(),
      dk.floats(),
      dv.floats(),
      dout.floats(),
      qd.floats(),
      kd.floats(),
      vd.floats(),
      weights.floats(),
      shape,
    );
    return [dq, dk, dv];
  });
  return { output, weights };
}

/** Just the output of attention(). */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  return attention(q, k, v, options).output;
}

function additiveMask(mask: Tensor | null, shape: number[], like: Tensor): [FloatArray | null, Int32Array | null] {
  if (mask === null) return [null, null];
  if (mask.rank > 4 || !sameShape(broadcastShapes(mask.shape, shape), shape)) {
    throw new RangeError(
      `attention: mask ${formatShape(mask.shape)} does not broadcast to (B, H, Tq, Tk) = ${formatShape(shape)}`,
    );
  }
  if (mask.requiresGrad) throw new Error('attention: the mask is a constant; it cannot require a gradient');
  let additive = mask;
  if (mask.dtype === 'int32') additive = where(mask, scalar(0, like.dtype), scalar(-Infinity, like.dtype));
  else if (mask.dtype !== like.dtype)
    throw new TypeError(`attention: a float mask must be ${like.dtype}, got ${mask.dtype}`);
  return [stridedData(additive) as FloatArray, broadcastStrides(additive, shape)];
}
