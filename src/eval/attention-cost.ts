// The cost of one attention mechanism at one length N, as `transformer bench attention` reports it: the time
// of attend() and of the backward pass from the sum of its output, and the most tensor bytes alive at once (the
// buffer pool's high-water mark), with random q, k, v (B, h, N, dK) that require gradients.

import type { AttentionMechanism, DecodingState } from '../model/efficient/mechanism.js';
import { referenceMechanism } from '../model/efficient/references.js';
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

/** The kind's mechanism, or with `reference` the dense computation its efficient path replaces (references.ts). */
function mechanismOf(spec: SettledAttentionSpec, N: number, s: Shape, reference: boolean): AttentionMechanism {
  const context = { dModel: s.h * s.dK, h: s.h, maxLength: N, causal: s.causal };
  if (!reference) return createMechanism(spec, context, spec.kind);
  const dense = referenceMechanism(spec, context);
  if (dense === null) throw new Error(`"${spec.kind}" attention has no dense reference`);
  return dense;
}

/** Whether a kind keeps a dense reference to measure against. */
export const hasReference = (spec: SettledAttentionSpec): boolean =>
  referenceMechanism(spec, { dModel: 1, h: 1, maxLength: 1, causal: false }) !== null;

/** Median forward and backward times over up to `repeats` steps after `warmup` untimed ones; the largest peak. */
export function measure(
  spec: SettledAttentionSpec,
  N: number,
  s: Shape,
  repeats: number,
  warmup: number,
  reference = false,
): Measurement {
  T.manualSeed(1);
  const mechanism = mechanismOf(spec, N, s, reference);
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

/**
 * Decoding N positions one query at a time, causal, forward only (timed as forwardMs; backwardMs is 0):
 * over the mechanism's running state when it keeps one, else over the keys and values so far, as the
 * KV cache holds them. Median over up to `repeats` runs after `warmup` untimed ones; the largest peak.
 */
export function measureDecoding(
  spec: SettledAttentionSpec,
  N: number,
  s: Shape,
  repeats: number,
  warmup: number,
  reference = false,
): Measurement {
  T.manualSeed(1);
  const mechanism = mechanismOf(spec, N, { ...s, causal: true }, reference);
  mechanism.eval();
  const data = new Generator(2);
  const run = () =>
    tidy(() => {
      const [q, k, v] = [0, 1, 2].map(() => T.randn([s.B, s.h, N, s.dK], { generator: data })); // (B, h, N, dK)
      const before = bufferPool.liveBytes;
      bufferPool.resetPeak();
      let state: DecodingState | null = null;
      let kept: Tensor[] = []; // the keys and values so far, or the state
      const t0 = performance.now();
      for (let t = 0; t < N; t++)
        tidy(() => {
          const at = (x: Tensor) => T.slice(x, 2, t, t + 1); // (B, h, 1, dK)
          const inputs = { keyPadding: null, causal: true, dropout: 0, training: false, needWeights: false };
          let next: Tensor[];
          if (mechanism.attendStep !== undefined) {
            const step = mechanism.attendStep({ q: at(q), k: at(k), v: at(v), ...inputs }, state);
            next = [...step.state];
            state = step.state;
          } else {
            next =
              kept.length === 0
                ? [T.contiguous(at(k)), T.contiguous(at(v))]
                : [T.concat([kept[0], at(k)], 2), T.concat([kept[1], at(v)], 2)];
            mechanism.attend({ q: at(q), k: next[0], v: next[1], ...inputs });
          }
          for (const x of next) x.keep();
          for (const x of kept) if (!next.includes(x)) x.dispose();
          kept = next;
        });
      const ms = performance.now() - t0;
      const peakBytes = bufferPool.peakBytes - before;
      for (const x of kept) x.dispose();
      return { forwardMs: ms, backwardMs: 0, peakBytes };
    });
  const ms = (x: number) => Math.round(x * 1000) / 1000;
  for (let i = 0; i < warmup; i++) T.noGrad(run);
  const runs: ReturnType<typeof run>[] = [];
  let spent = 0;
  while (runs.length < repeats && (runs.length === 0 || spent < TIME_BUDGET_MS)) {
    const r = T.noGrad(run);
    runs.push(r);
    spent += r.forwardMs;
  }
  const total = ms(median(runs.map((r) => r.forwardMs)));
  return {
    forwardMs: total,
    backwardMs: 0,
    totalMs: total,
    peakBytes: Math.max(...runs.map((r) => r.peakBytes)),
    repeats: runs.length,
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
