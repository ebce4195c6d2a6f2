// Adaptive attention span (Sukhbaatar et al. 2019): each head learns how far back it looks. The
// weights are multiplied by a soft mask m(x) = clamp((R + z - x) / R, 0, 1) of the distance x between
// query and key, z = maxSpan * clamp(ratio, 0, 1) being the head's span and R the ramp, and
// renormalised; the training loss pays spanPenalty * sum of the spans (an L1 penalty), so heads that
// need no long context shrink. With z >= n - 1 every mask value is 1 and this is full attention.
// Only keys closer than max(z) + R can have weight, so the scores are computed on that band alone: the
// queries in blocks, each against the window of keys within reach of the block, gathered into one
// batched product: time and memory grow as n * (band), not n^2. The mask is built from the spans inside the graph, so their gradient flows as in the dense
// form (references.ts keeps that form to check against).

import * as T from '../../tensor/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { defineKind, integer, real, type SpecOf, type WrittenSpecOf } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult, type MechanismContext } from './mechanism.js';

/** The largest span, the ramp R of the soft mask, and the weight of the L1 penalty on the spans. */
export const adaptiveSpan = defineKind({
  name: 'adaptive-span',
  fields: { maxSpan: integer(1, 256), spanRamp: integer(1, 32), spanPenalty: real(0, 2e-6) },
  causal: true,
  kvCache: true,
  create: (spec, context): AttentionMechanism => new AdaptiveSpanAttention(spec, context),
});

/** Queries per block at least: fewer would spend more on bookkeeping than on the band. */
const MIN_BLOCK = 32;

export class AdaptiveSpanAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof adaptiveSpan>;
  readonly kind = adaptiveSpan;
  /** (h, 1, 1): the span of each head as a fraction of maxSpan (clamped to [0, 1] where used). */
  readonly ratio: Tensor;
  readonly maxSpan: number;
  readonly ramp: number;

  constructor(
    spec: WrittenSpecOf<typeof adaptiveSpan>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = adaptiveSpan.settle(spec);
    this.maxSpan = this.spec.maxSpan;
    this.ramp = this.spec.spanRamp;
    this.ratio = this.parameter('ratio', T.full([context.h, 1, 1], 0.5, context.dtype ?? 'float32'));
  }

  /** The spans z (h, 1, 1) in positions. */
  spans(): Tensor {
    const r = this.ratio;
    return T.mulScalar(T.sub(T.relu(r), T.relu(T.addScalar(r, -1))), this.maxSpan); // maxSpan * clamp(r, 0, 1)
  }

  override penalty(): Tensor | null {
    return this.spec.spanPenalty > 0 ? T.mulScalar(T.sum(this.spans()), this.spec.spanPenalty) : null;
  }

  /**
   * The widest distance any head can weigh now: m > 0 needs x < z + R. Rounding down keeps the
   * distance z + R itself (m = 0 there), a margin for the spans being computed in the parameter's type.
   */
  band(): number {
    const ratios = this.ratio.toArray();
    const widest = Math.max(...ratios.map((r) => this.maxSpan * Math.min(1, Math.max(0, r))));
    return Math.floor(widest + this.ramp);
  }

  attend(x: AttendInputs): AttendResult {
    const [B, h, Tq, dK] = x.q.shape;
    const [Tk, dV] = [x.k.shape[2], x.v.shape[3]];
    const W = this.band();
    const L = blockSize(Tq, Tk, W, x.causal); // queries per block
    const n = Math.ceil(Tq / L); // blocks
    const windows = keyWindows(Tq, Tk, L, W, x.causal);
    const K = windows.width;
    // Queries padded to n blocks of L; each block's window of keys and values gathered: one product for all.
    const qb = T.reshape(
      T.pad(x.q, [
        [0, n * L - Tq],
        [0, 0],
      ]),
      [B, h * n, L, dK],
    );
    const rows = windowRows(windows, B * h, Tk); // (B * h, n, K) rows of the (B * h * Tk) keys
    const kb = T.reshape(T.embedding(T.reshape(T.contiguous(x.k), [B * h * Tk, dK]), rows), [B, h * n, K, dK]);
    const vb = T.reshape(T.embedding(T.reshape(T.contiguous(x.v), [B * h * Tk, dV]), rows), [B, h * n, K, dV]);
    const { distance, blocked } = windowGeometry(windows, Tq, Tk, L, x.causal, x.q.dtype); // (1, 1, n, L, K)
    let scores = T.reshape(T.matmul(qb, kb, { transB: true }), [B, h, n, L, K]);
    scores = T.maskedFill(T.mulScalar(scores, 1 / Math.sqrt(dK)), blocked, -1e9);
    if (x.keyPadding !== null) scores = T.maskedFill(scores, windowPadding(x.keyPadding, windows), -1e9);
    const spans = T.reshape(this.spans(), [h, 1, 1, 1]);
    let w = spanWeights(T.softmax(scores, -1), spans, distance, this.ramp); // (B, h, n, L, K)
    if (x.training && x.dropout > 0) w = T.dropout(w, x.dropout, true);
    const blocks = T.matmul(T.reshape(w, [B, h * n, L, K]), vb); // (B, h * n, L, dV)
    const output = T.slice(T.reshape(blocks, [B, h, n * L, dV]), 2, 0, Tq);
    return { output, weights: x.needWeights ? T.noGrad(() => denseWeights(w, windows, Tq, Tk)) : null };
  }
}

/**
 * Queries per block: at least MIN_BLOCK and the band, or all of them (one window over every key, the
 * dense form) when the blocks' padded queries times their windows would score as many pairs.
 */
export function blockSize(Tq: number, Tk: number, W: number, causal: boolean): number {
  const L = Math.min(Tq, Math.max(MIN_BLOCK, W + 1));
  const windowed = Math.ceil(Tq / L) * L * Math.min(Tk, L + W + (causal ? 0 : W));
  return windowed >= Tq * Tk ? Tq : L;
}

/** The keys block b's queries can reach: [start[b], start[b] + width), always inside [0, Tk). */
interface KeyWindows {
  start: Int32Array;
  width: number;
}

/**
 * Block b holds queries bL.. at positions bL + (Tk - Tq)..; its window reaches W before the first and,
 * when not causal, W after the last, moved inward at the ends so that every window has the same width.
 */
function keyWindows(Tq: number, Tk: number, L: number, W: number, causal: boolean): KeyWindows {
  const n = Math.ceil(Tq / L);
  const width = Math.min(Tk, L + W + (causal ? 0 : W));
  const start = new Int32Array(n);
  for (let b = 0; b < n; b++) start[b] = Math.max(0, Math.min(b * L + Tk - Tq - W, Tk - width));
  return { start, width };
}

/** (G, n, width) int32: for group g, block b, slot c, the row g * Tk + start[b] + c. */
function windowRows({ start, width }: KeyWindows, G: number, Tk: number): Tensor {
  const n = start.length;
  const rows = new Int32Array(G * n * width);
  for (let g = 0; g < G; g++)
    for (let b = 0; b < n; b++) for (let c = 0; c < width; c++) rows[(g * n + b) * width + c] = g * Tk + start[b] + c;
  return Tensor.from(rows, [G, n, width]);
}

/** Distances (1, 1, n, L, width) from each query to each key of its window, and the keys after it when causal. */
function windowGeometry(
  { start, width }: KeyWindows,
  Tq: number,
  Tk: number,
  L: number,
  causal: boolean,
  dtype: string,
) {
  const n = start.length;
  const distance = dtype === 'float64' ? new Float64Array(n * L * width) : new Float32Array(n * L * width);
  const blocked = new Int32Array(n * L * width);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < L; i++) {
      const position = b * L + i + Tk - Tq; // queries past Tq (the last block's filler) are cut off after
      for (let c = 0; c < width; c++) {
        const at = (b * L + i) * width + c;
        distance[at] = Math.abs(position - (start[b] + c));
        blocked[at] = causal && start[b] + c > position ? 1 : 0;
      }
    }
  return { distance: Tensor.from(distance, [1, 1, n, L, width]), blocked: Tensor.from(blocked, [1, 1, n, L, width]) };
}

/** (B, 1, n, 1, width) int32: 1 where a window's key is padding. */
function windowPadding(keyPadding: Tensor, { start, width }: KeyWindows): Tensor {
  const [B, Tk] = keyPadding.shape;
  const real = T.contiguous(keyPadding).ints('keyPadding');
  const n = start.length;
  const out = new Int32Array(B * n * width);
  for (let b = 0; b < B; b++)
    for (let block = 0; block < n; block++)
      for (let c = 0; c < width; c++) out[(b * n + block) * width + c] = real[b * Tk + start[block] + c] === 0 ? 1 : 0;
  return Tensor.from(out, [B, 1, n, 1, width]);
}

/** The window weights (B, h, n, L, width) spread over every key: (B, h, Tq, Tk), zeros elsewhere. */
function denseWeights(w: Tensor, { start, width }: KeyWindows, Tq: number, Tk: number): Tensor {
  const [B, h, n, L] = w.shape;
  const values = T.contiguous(w).dense();
  const out = Tensor.from(
    w.dtype === 'float64' ? new Float64Array(B * h * Tq * Tk) : new Float32Array(B * h * Tq * Tk),
    [B, h, Tq, Tk],
  );
  const target = out.dense();
  for (let g = 0; g < B * h; g++)
    for (let i = 0; i < Tq; i++) {
      const b = Math.floor(i / L);
      const from = ((g * n + b) * L + (i % L)) * width;
      target.set(values.subarray(from, from + width), (g * Tq + i) * Tk + start[b]);
    }
  return out;
}

/**
 * Probabilities (B, h, L, K) times the soft mask m = clamp((R + z - x) / R, 0, 1) of each head's span z
 * (h, 1, 1) at distances x (1, L, K), renormalised.
 */
export function spanWeights(probabilities: Tensor, spans: Tensor, distance: Tensor, ramp: number): Tensor {
  const u = T.mulScalar(T.sub(T.addScalar(spans, ramp), distance), 1 / ramp); // (h, L, K)
  const softMask = T.sub(T.relu(u), T.relu(T.addScalar(u, -1)));
  const masked = T.mul(probabilities, softMask);
  return T.div(masked, T.addScalar(T.sum(masked, -1, true), 1e-8));
}

/**
 * For L queries at positions first.. and K keys at positions lo..: their distances (1, L, K) and the
 * (1, 1, L, K) int32 mask of keys after the query when causal.
 */
export function geometry(first: number, L: number, lo: number, K: number, causal: boolean, dtype: string) {
  const distance = dtype === 'float64' ? new Float64Array(L * K) : new Float32Array(L * K);
  const blocked = new Int32Array(L * K);
  for (let i = 0; i < L; i++)
    for (let j = 0; j < K; j++) {
      distance[i * K + j] = Math.abs(first + i - (lo + j));
      blocked[i * K + j] = causal && lo + j > first + i ? 1 : 0;
    }
  return { distance: Tensor.from(distance, [1, L, K]), blocked: Tensor.from(blocked, [1, 1, L, K]) };
}

/** (B, 1, 1, Tk) int32: 1 where the key is padding. */
export function padded(keyPadding: Tensor, B: number, Tk: number): Tensor {
  const source = T.contiguous(keyPadding).ints('keyPadding');
  const out = new Int32Array(B * Tk);
  for (let i = 0; i < out.length; i++) out[i] = source[i] === 0 ? 1 : 0;
  return Tensor.from(out, [B, 1, 1, Tk]);
}
