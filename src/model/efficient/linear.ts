// Linear attention (Katharopoulos et al. 2020, "Transformers are RNNs", equations 4-6 and 9):
//   out_i = phi(q_i)^T sum_j phi(k_j) v_j^T / (phi(q_i)^T sum_j phi(k_j)),  phi(x) = elu(x) + 1,
// causal as a running sum over j <= i, computed in chunks so that nothing (T x T) is ever built.

import * as T from '../../tensor/index.js';
import { noGrad } from '../../tensor/autograd.js';
import type { DType, Tensor } from '../../tensor/tensor.js';
import { defineKind, type SpecOf, type WrittenSpecOf } from './kind.js';
import {
  AttentionMechanism,
  type AttendInputs,
  type AttendResult,
  type DecodingState,
  type MechanismContext,
} from './mechanism.js';

/** No settings. */
export const linear = defineKind({
  name: 'linear',
  fields: {},
  causal: true,
  kvCache: true,
  create: (spec, context): AttentionMechanism => new LinearAttention(spec, context),
});

/** Added to the denominator: a query whose keys are all padded gets 0, not NaN. */
export const LINEAR_EPS = 1e-6;
/** Positions per chunk of the causal running sum: the within-chunk products are (C x C). */
export const LINEAR_CHUNK = 64;

/** phi(x) = elu(x) + 1 = relu(x) + exp(min(x, 0)): positive, so every denominator is > 0. */
export function featureMap(x: Tensor): Tensor {
  return T.add(T.relu(x), T.exp(T.neg(T.relu(T.neg(x)))));
}

/** x (B, h, Tk, d) with the rows of padded keys (keyPadding 0) set to zero. */
export function zeroPaddedKeys(x: Tensor, keyPadding: Tensor | null): Tensor {
  if (keyPadding === null) return x;
  const [B, Tk] = keyPadding.shape;
  return T.where(T.reshape(keyPadding, [B, 1, Tk, 1]), x, 0);
}

/** (L, L) ones on and below the diagonal: key j of a chunk is seen by query i of it when j <= i. */
function lowerTriangle(L: number, dtype: DType): Tensor {
  const values = new Array<number>(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) values[i * L + j] = j <= i ? 1 : 0;
  return T.tensor(values, [L, L], dtype);
}

/** (Tq, Tk) ones where query i may see key j <= i + Tk - Tq (bottom-right aligned). */
function causalOnes(Tq: number, Tk: number, dtype: DType): Tensor {
  const values = new Array<number>(Tq * Tk);
  for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) values[i * Tk + j] = j <= i + Tk - Tq ? 1 : 0;
  return T.tensor(values, [Tq, Tk], dtype);
}

/** The running sums of the keys seen so far: S = sum phi(k_j) v_j^T (B, h, dK, dV), z = sum phi(k_j) (B, h, 1, dK). */
export interface LinearState {
  S: Tensor;
  z: Tensor;
}

/** The sums after adding keys K (B, h, t, dK) with values V (B, h, t, dV) to `state` (null: none yet). */
function absorb(state: LinearState | null, K: Tensor, V: Tensor): LinearState {
  const [dS, dz] = [T.matmul(K, V, { transA: true }), T.sum(K, 2, true)];
  return state === null ? { S: dS, z: dz } : { S: T.add(state.S, dS), z: T.add(state.z, dz) };
}

/**
 * The causal sums, chunk by chunk, from `state` (the keys before this call; null when none). Query i
 * sees keys j <= i + (Tk - Tq): the first Tk - Tq keys are seen by every query and join the state;
 * the rest pair one-to-one with the queries. With `final`, also the state after every key.
 */
function causalLinear(
  Q: Tensor,
  K: Tensor,
  V: Tensor,
  chunk: number,
  state: LinearState | null,
  final = false,
): { output: Tensor; state: LinearState | null } {
  const Tq = Q.shape[2];
  const offset = K.shape[2] - Tq;
  let [Ks, Vs] = [K, V]; // (B, h, Tq, d): key t is at query t's own position
  if (offset > 0) {
    state = absorb(state, T.slice(K, 2, 0, offset), T.slice(V, 2, 0, offset));
    [Ks, Vs] = [T.slice(K, 2, offset), T.slice(V, 2, offset)];
  } else if (offset < 0) {
    // More queries than keys: the first -offset see none; zero features stand in for the missing keys.
    const before: [number, number][] = [
      [-offset, 0],
      [0, 0],
    ];
    [Ks, Vs] = [T.pad(K, before), T.pad(V, before)];
  }
  const outputs: Tensor[] = [];
  for (let s = 0; s < Tq; s += chunk) {
    const e = Math.min(s + chunk, Tq);
    const [Qc, Kc, Vc] = [T.slice(Q, 2, s, e), T.slice(Ks, 2, s, e), T.slice(Vs, 2, s, e)];
    const A = T.mul(T.matmul(Qc, Kc, { transB: true }), lowerTriangle(e - s, Q.dtype)); // (B, h, L, L)
    let numerator = T.matmul(A, Vc); // (B, h, L, dV)
    let denominator = T.sum(A, -1, true); // (B, h, L, 1)
    if (state !== null) {
      numerator = T.add(numerator, T.matmul(Qc, state.S));
      denominator = T.add(denominator, T.matmul(Qc, state.z, { transB: true }));
    }
    outputs.push(T.div(numerator, T.addScalar(denominator, LINEAR_EPS)));
    if (e < Tq || final) state = absorb(state, Kc, Vc);
  }
  return { output: outputs.length === 1 ? outputs[0] : T.concat(outputs, 2), state };
}

/** The (B, h, Tq, Tk) weights phi(q_i)^T phi(k_j) / denominator, for display: quadratic, built only on request. */
function denseWeights(Q: Tensor, K: Tensor, causal: boolean): Tensor {
  return noGrad(() => {
    let A = T.matmul(Q, K, { transB: true }); // (B, h, Tq, Tk)
    if (causal) A = T.mul(A, causalOnes(Q.shape[2], K.shape[2], Q.dtype));
    return T.div(A, T.addScalar(T.sum(A, -1, true), LINEAR_EPS));
  });
}

/**
 * Linear attention of q (B, h, Tq, dK) over k (B, h, Tk, dK), v (B, h, Tk, dV): O(T) time and memory.
 * Padded keys get zero features and so add nothing to either sum.
 */
export function linearAttention(x: AttendInputs, chunk = LINEAR_CHUNK): AttendResult {
  const Q = featureMap(x.q); // (B, h, Tq, dK)
  const K = zeroPaddedKeys(featureMap(x.k), x.keyPadding); // (B, h, Tk, dK)
  let output: Tensor; // (B, h, Tq, dV)
  if (x.causal) output = causalLinear(Q, K, x.v, chunk, null).output;
  else {
    const S = T.matmul(K, x.v, { transA: true }); // (B, h, dK, dV)
    const z = T.sum(K, 2, true); // (B, h, 1, dK)
    output = T.div(T.matmul(Q, S), T.addScalar(T.matmul(Q, z, { transB: true }), LINEAR_EPS));
  }
  return { output, weights: x.needWeights ? denseWeights(Q, K, x.causal) : null };
}

/**
 * One decoding call over the running state instead of the keys so far (the paper's RNN form, section
 * 3.4): x.k and x.v hold this call's keys and values only, x.keyPadding their padding; the output is
 * what linearAttention gives over every key, and the state grows by this call's keys. The state's size
 * does not depend on how many keys it holds. No weights: the keys they would be over are gone.
 */
export function linearAttentionStep(
  x: AttendInputs,
  state: LinearState | null,
  chunk = LINEAR_CHUNK,
): { output: Tensor; state: LinearState } {
  const Q = featureMap(x.q); // (B, h, Tq, dK)
  const K = zeroPaddedKeys(featureMap(x.k), x.keyPadding); // (B, h, t, dK)
  if (x.causal) {
    const result = causalLinear(Q, K, x.v, chunk, state, true);
    return { output: result.output, state: result.state! };
  }
  const after = absorb(state, K, x.v);
  const output = T.div(T.matmul(Q, after.S), T.addScalar(T.matmul(Q, after.z, { transB: true }), LINEAR_EPS));
  return { output, state: after };
}

/**
 * No parameters and no attention matrix, hence no attention dropout. While decoding, the cache holds
 * the running sums (S, z) per head instead of every key and value: O(1) time and memory per step.
 */
export class LinearAttention extends AttentionMechanism {
  readonly spec: SpecOf<typeof linear>;
  readonly kind = linear;

  constructor(
    spec: WrittenSpecOf<typeof linear>,
    readonly context: MechanismContext,
  ) {
    super();
    this.spec = linear.settle(spec);
  }

  attend(x: AttendInputs): AttendResult {
    if (x.training && x.dropout > 0)
      throw new Error(
        `linear attention has no attention weights for dropout; set attentionDropout to 0 (got ${x.dropout})`,
      );
    return linearAttention(x);
  }

  override attendStep(x: AttendInputs, state: DecodingState | null): AttendResult & { state: DecodingState } {
    const { output, state: after } = linearAttentionStep(x, state === null ? null : { S: state[0], z: state[1] });
    return { output, weights: null, state: [after.S, after.z] };
  }
}
