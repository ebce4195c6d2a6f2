// One decoding step of the decoder stack (section 3.1, one new position per batch row) on the caches
// that do not move, as straight kernel calls on buffers kept for the whole translation: the same
// kernels, on the same operands, in the same order as the layers' tensor ops, so the logits are
// bit-identical, without a tensor, a shape check or a pool round trip per op. At batch 1 those cost
// about a quarter of a step next to the products themselves.

import { BinaryOp, UnaryOp, type Backend } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import type { LayerNorm, Linear } from '../nn/layers.js';
import { SKINNY_ROWS } from '../nn/skinny.js';
import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { DecoderLayer } from './layers.js';
import type { DecodingRows, FixedLayerCache } from './decoding-cache.js';
import type { Decoder } from './stacks.js';

/** Float buffers of one step, sized for the most batch rows seen, kept (in the pool's memory) until disposed. */
export class StepScratch {
  private readonly kept: Tensor[] = [];
  private rows = 0;
  x!: Float32Array; // (N, d): the layer's input, then its output
  y!: Float32Array; // (N, d): after a residual sub-layer
  normed!: Float32Array; // (N, d): LayerNorm(x) before a sub-layer ("pre")
  qkv!: Float32Array; // (N, 3d)
  q!: Float32Array; // (N, h, 1, dK)
  heads!: Float32Array; // (N, h, 1, dK): attention output
  hidden!: Float32Array; // (N, dFF)
  sub!: Float32Array; // (N, d): a sub-layer's output
  mean!: Float32Array; // (N)
  rstd!: Float32Array; // (N)

  constructor(
    private readonly d: number,
    private readonly dFF: number,
  ) {}

  /** Makes room for n rows. */
  fit(n: number): void {
    if (n <= this.rows) return;
    this.dispose();
    const { d, dFF } = this;
    const take = (size: number) => {
      const t = T.tidy(() => Tensor.empty([size])).keep();
      this.kept.push(t);
      return t.floats() as Float32Array;
    };
    [this.x, this.y, this.normed, this.q, this.heads, this.sub] = [0, 0, 0, 0, 0, 0].map(() => take(n * d));
    this.qkv = take(n * 3 * d);
    this.hidden = take(n * dFF);
    this.mean = take(n);
    this.rstd = take(n);
    this.rows = n;
  }

  dispose(): void {
    for (const t of this.kept.splice(0)) t.dispose();
    this.rows = 0;
  }
}

/** Whether fusedDecoderStep can run this step: one float32 position, inference, the paper's attention, few rows. */
export function canFuseStep(decoder: Decoder, x: Tensor, caches: readonly unknown[], rows: DecodingRows): boolean {
  if (decoder.training || T.isGradEnabled() || x.dtype !== 'float32' || x.shape[1] !== 1) return false;
  if (rows.n > SKINNY_ROWS || caches.length !== decoder.layers.length) return false;
  return decoder.layers.every((l) => {
    const { selfAttention: self, crossAttention: cross, ffn } = l;
    if (ffn === null || self.mechanism !== null || self.weightsObserver !== null || cross.weightsObserver !== null)
      return false;
    return [self.qkv, self.out, cross.q, cross.out, ffn.w1, ffn.w2].every(
      (lin) => lin.int8Weight() !== null || lin.packedWeight() !== null,
    );
  });
}

/** out (N, n) = x (N, K) W^T + b on the int8 or the packed weight, the bias added in the product. */
function linear(k: Backend, lin: Linear, N: number, x: Float32Array, out: Float32Array): void {
  const bias = lin.bias?.floats() ?? null;
  const q = lin.int8Weight();
  if (q !== null) return k.gemmInt8(N, q.N, q.K, x, q.packed, q.scales, q.sums, bias as Float32Array | null, out);
  const packed = lin.packedWeight()!;
  k.gemmPacked(N, packed.N, packed.K, x, packed.packed.floats(), out, bias);
}

function norm(k: Backend, s: StepScratch, ln: LayerNorm, N: number, x: Float32Array, out: Float32Array): void {
  k.layerNorm(out, s.mean, s.rstd, x, ln.weight.floats(), ln.bias.floats(), N, ln.d, ln.eps);
}

/**
 * One residual sub-layer on s.x, in the configured position: "post" x = LN(x + f(x)), "pre" x = x +
 * f(LN(x)). f reads its input and writes s.sub.
 */
function residual(k: Backend, s: StepScratch, ln: LayerNorm, pre: boolean, N: number, f: (x: Float32Array) => void) {
  const d = ln.d;
  const add = (out: Float32Array) =>
    k.binary(BinaryOp.Add, out, s.x, Int32Array.of(d, 1), s.sub, Int32Array.of(d, 1), Int32Array.of(N, d));
  if (pre) {
    norm(k, s, ln, N, s.x, s.normed);
    f(s.normed);
    add(s.y);
    [s.x, s.y] = [s.y, s.x];
  } else {
    f(s.x);
    add(s.y);
    norm(k, s, ln, N, s.y, s.x);
  }
}

const ACTIVATIONS = { relu: UnaryOp.Relu, gelu: UnaryOp.Gelu, swish: UnaryOp.Swish } as const;

/** Masked self-attention of one position per row: its key and value go into the cache at rows.length. */
function selfAttention(k: Backend, s: StepScratch, layer: DecoderLayer, cache: FixedLayerCache, N: number) {
  return (x: Float32Array) => {
    const att = layer.selfAttention;
    const { h } = att;
    const d = att.qkv.inFeatures;
    const dK = d / h;
    const { rows } = cache;
    linear(k, att.qkv, N, x, s.qkv); // (N, [q | k | v] x h x dK)
    cache.self.reserve(h, dK, rows);
    const [ck, cv] = [cache.self.k!, cache.self.v!];
    const dims = Int32Array.of(N, h, dK);
    const fromQkv = Int32Array.of(3 * d, dK, 1);
    k.copy(s.q, Int32Array.of(d, dK, 1), s.qkv, fromQkv, dims, false);
    const intoCache = Int32Array.of(h * rows.capacity * dK, rows.capacity * dK, 1);
    const at = rows.length * dK;
    k.copy(ck.floats().subarray(at), intoCache, s.qkv.subarray(d), fromQkv, dims, false);
    k.copy(cv.floats().subarray(at), intoCache, s.qkv.subarray(2 * d), fromQkv, dims, false);
    const [slots, , capacity] = ck.shape;
    const shape = { N, H: h, Tq: 1, Tk: rows.length + 1, D: dK, slots, capacity, scale: 1 / Math.sqrt(dK) };
    k.attentionCached(s.heads, null, s.q, ck.floats(), cv.floats(), rows.index, null, shape, true);
    linear(k, att.out, N, s.heads, s.sub);
  };
}

/** Encoder-decoder attention of one position per row over its sentence's keys. */
function crossAttention(
  k: Backend,
  s: StepScratch,
  layer: DecoderLayer,
  cache: FixedLayerCache,
  memory: Tensor,
  N: number,
) {
  return (x: Float32Array) => {
    const att = layer.crossAttention;
    att.fillFixed(memory, cache.cross);
    const [ck, cv] = [cache.cross.k!, cache.cross.v!];
    const [slots, h, S, dK] = ck.shape;
    linear(k, att.q, N, x, s.q);
    const shape = { N, H: h, Tq: 1, Tk: S, D: dK, slots, capacity: S, scale: 1 / Math.sqrt(dK) };
    const { crossIndex, crossMask } = cache.rows;
    k.attentionCached(s.heads, null, s.q, ck.floats(), cv.floats(), crossIndex, crossMask.floats(), shape, false);
    linear(k, att.out, N, s.heads, s.sub);
  };
}

/**
 * The decoder's layers and final norm over x (N, 1, d), the embedded tokens at their position, on
 * fixed caches; the caller has begun the step (rows.begin) and checked canFuseStep. -> (N, 1, d).
 */
export function fusedDecoderStep(
  decoder: Decoder,
  x: Tensor,
  memory: Tensor,
  caches: readonly FixedLayerCache[],
  scratch: StepScratch,
): Tensor {
  const k = backend();
  const N = x.shape[0];
  const d = x.shape[2];
  scratch.fit(N);
  const s = scratch;
  s.x.set(
    T.contiguous(x)
      .floats()
      .subarray(0, N * d),
  );
  const pre = decoder.config.normPosition === 'pre';
  decoder.layers.forEach((layer, i) => {
    const cache = caches[i];
    residual(k, s, layer.norm1, pre, N, selfAttention(k, s, layer, cache, N));
    residual(k, s, layer.norm2, pre, N, crossAttention(k, s, layer, cache, memory, N));
    const ffn = layer.ffn!;
    residual(k, s, layer.norm3!, pre, N, (input) => {
      const dFF = ffn.w1.outFeatures;
      linear(k, ffn.w1, N, input, s.hidden);
      k.unary(ACTIVATIONS[ffn.activation], s.hidden, s.hidden, N * dFF, 0);
      linear(k, ffn.w2, N, s.hidden, s.sub);
    });
  });
  const out = Tensor.from(s.x.subarray(0, N * d), [N, 1, d]);
  return decoder.finalNorm === null ? out : decoder.finalNorm.forward(out);
}
