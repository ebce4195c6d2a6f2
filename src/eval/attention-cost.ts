// The cost of one attention mechanism at one length N, as `transformer bench attention` reports it: the time
// of attend() and of the backward pass from the sum of its output, and the most tensor bytes alive at once (the
// buffer pool's high-water mark), with random q, k, v (B, h, N, dK) that require gradients.

import { createMechanism } from '../model/efficient/registry.js';
import type { SettledAttentionSpec } from '../model/efficient/spec.js';
import * as T from '../tensor/index.js';
import { bufferPool, Generator, tidy, type Tensor } from '../tensor/index.js';
import { median } from './median.js';

/** The batch, heads and head width around the length N, and whether queries are causal. */
export interface Shape {
  B: number;
  h: number;
  dK: number;
  causal: boolean;
}

export interface Measurement {
  forwardMs: number;
  backwardMs: number;
  totalMs: number;
  /** The most bytes of tensors alive at once during the step: inputs, output, intermediates and gradients. */
  peakBytes: number;
  /** Timed steps the medians are over. */
  repeats: number;
}

/** Once the timed steps have taken this long, one more would only repeat the answer. */
const TIME_BUDGET_MS = 30_000;

/** Median forward and backward times over up to `repeats` steps after `warmup` untimed ones; the largest peak. */
export function measure(spec: SettledAttentionSpec, N: number, s: Shape, repeats: number, warmup: number): Measurement {
  T.manualSeed(1);
  const mechanism = createMechanism(spec, { dModel: s.h * s.dK, h: s.h, maxLength: N, causal: s.causal }, spec.kind);
  mechanism.train();
  const params = mechanism.parameters();
  const data = new Generator(2);
  const step = () =>
    tidy(() => {
      const input = () => T.randn([s.B, s.h, N, s.dK], { generator: data }).requireGrad(); // (B, h, N, dK)
      const before = bufferPool.liveBytes;
      bufferPool.resetPeak();
      const [q, k, v] = [input(), input(), input()];
      const t0 = performance.now();
      const { output } = mechanism.attend({
        q,
        k,
        v,
        keyPadding: null,
        causal: s.causal,
        dropout: 0,
        training: true,
        needWeights: false,
      }); // (B, h, N, dK)
      const loss = T.sum(output);
      const t1 = performance.now();
      loss.backward();
      const t2 = performance.now();
      const peakBytes = bufferPool.peakBytes - before;
      for (const t of [q, k, v, ...params]) dropGrad(t);
      return { forwardMs: t1 - t0, backwardMs: t2 - t1, peakBytes };
    });
  for (let i = 0; i < warmup; i++) step();
  const steps: ReturnType<typeof step>[] = [];
  let spent = 0;
  while (steps.length < repeats && (steps.length === 0 || spent < TIME_BUDGET_MS)) {
    const r = step();
    steps.push(r);
    spent += r.forwardMs + r.backwardMs;
  }
  const ms = (x: number) => Math.round(x * 1000) / 1000;
  return {
    forwardMs: ms(median(steps.map((r) => r.forwardMs))),
    backwardMs: ms(median(steps.map((r) => r.backwardMs))),
    totalMs: ms(median(steps.map((r) => r.forwardMs + r.backwardMs))),
    peakBytes: Math.max(...steps.map((r) => r.peakBytes)),
    repeats: steps.length,
  };
}

/** Gradients are kept across tidy scopes; give their buffers back before the next step. */
function dropGrad(t: Tensor): void {
  t.grad?.dispose();
  t.grad = null;
}

/** Query-key pairs one (batch, head) scores, for the kinds whose pattern the spec alone fixes; else null. */
export function scoredPairs(spec: SettledAttentionSpec, N: number, causal: boolean): number | null {
  const perQuery = (count: (i: number) => number) => {
    let total = 0;
    for (let i = 0; i < N; i++) total += count(i);
    return total;
  };
  switch (spec.kind) {
    case 'full':
      return causal ? (N * (N + 1)) / 2 : N * N;
    case 'persistent-memory':
      return (causal ? (N * (N + 1)) / 2 : N * N) + N * spec.memorySlots;
    case 'local': {
      const w = spec.window;
      return perQuery((i) => (causal ? Math.min(i, w) + 1 : Math.min(i + w, N - 1) - Math.max(i - w, 0) + 1));
    }
    case 'dilated': {
      const [w, r] = [spec.window, spec.dilation];
      const back = (i: number) => Math.min(w, Math.floor(i / r));
      const ahead = (i: number) => Math.min(w, Math.floor((N - 1 - i) / r));
      return perQuery((i) => 1 + back(i) + (causal ? 0 : ahead(i)));
    }
    case 'linformer':
      return N * Math.min(spec.projectedLength, N);
    case 'pooling':
      return N * Math.ceil(N / spec.poolSize);
    case 'inducing':
      return 2 * N * spec.inducingPoints;
    default:
      return null;
  }
}

/** Bytes full attention needs at least: its (B, h, N, N) weights, kept for the backward pass, and q, k, v, the output and their gradients. */
export function fullAttentionBytes(N: number, s: Shape): number {
  return 4 * s.B * s.h * (N * N + 8 * N * s.dK);
}

/**
 * The peak at N predicted from the two largest lengths measured so far, as a power law whose exponent is held
 * between 1 and 2; null with fewer than two.
 */
export function extrapolatedBytes(measured: ReadonlyArray<{ N: number; peakBytes: number }>, N: number): number | null {
  if (measured.length < 2) return null;
  const [a, b] = [...measured].sort((x, y) => x.N - y.N).slice(-2);
  const exponent = Math.min(2, Math.max(1, Math.log(b.peakBytes / a.peakBytes) / Math.log(b.N / a.N)));
  return b.peakBytes * (N / b.N) ** exponent;
}
