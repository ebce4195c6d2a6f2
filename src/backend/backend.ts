// The kernel contract every backend implements: the `js` reference and the `native` C++ addon.
//
// Conventions shared by every kernel:
// - Kernels never allocate their outputs: the caller passes every output array, sized exactly.
// - Arrays are row-major and dense unless a kernel takes explicit strides. An array argument may be
//   a `subarray` view of a larger buffer; element 0 of the view is element 0 of the operand.
// - Strides and shapes are in elements and passed as Int32Array of equal length (rank <= MAX_RANK).
//   A stride of 0 broadcasts that dimension.
// - Float kernels accept Float32Array everywhere. The `js` backend also accepts Float64Array (so
//   gradient checks can run in float64); `native` is float32 only.
// - Masks and indices are Int32Array.

export type FloatArray = Float32Array | Float64Array;
export type DataArray = FloatArray | Int32Array;

export const MAX_RANK = 8;

export const enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
}

// alpha is the op's scalar parameter where it has one (Pow: exponent; Scale: factor; AddScalar: addend).
export const enum UnaryOp {
  Neg = 0,
  Exp = 1,
  Log = 2,
  Sqrt = 3,
  Tanh = 4,
  Sigmoid = 5,
  Relu = 6,
  Gelu = 7, // exact: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.functional.gelu
  Swish = 8, // x * sigmoid(x) (SiLU)
  Pow = 9, // x ** alpha
  Scale = 10, // x * alpha
  AddScalar = 11, // x + alpha
}

export const enum ReduceOp {
  Sum = 0,
  Max = 1,
}

// The sizes and scalars of the attention and optimiser kernels travel as small structs, mirrored
// field for field by the C++ structs of native/kernels/kernels.h.

/** q (B, H, Tq, D), k (B, H, Tk, D), v (B, H, Tk, Dv); dropout on P as dropoutParams gives it. */
export interface AttentionShape {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  Dv: number;
  /** Multiplies Q K^T (1 / sqrt(D) in the paper). */
  scale: number;
  /** Dropout's uint32 threshold; 0 turns dropout off. */
  threshold: number;
  dropScale: number;
  seed: number;
}

/** Sizes of a sparse attention call; the pattern has `groups` (1, B or B*H) blocks of Tq + 1 offsets. */
export interface SparseAttentionShape {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  Dv: number;
  groups: number;
  scale: number;
}

/** One Adam step's hyper-parameters, the same for every parameter tensor of the step. */
export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW's decoupled weight decay rather than Adam's L2 term. */
  decoupled: boolean;
  biasCorrection1: number;
  biasCorrection2: number;
}

export interface Backend {
  readonly name: 'js' | 'native';

  /**
   * Batched matrix product, row-major:
   *   for b in [0, batch): C_b = alpha * op(A_b) @ op(B_b) + beta * C_b
   * op(A_b) is M x K: A_b = a[b*strideA ...] stored M x K, or K x M when transA (then op transposes it).
   * op(B_b) is K x N: B_b stored K x N, or N x K when transB. C_b = c[b*strideC ...] is M x N.
   * strideA or strideB may be 0 (one matrix shared by every batch). beta = 0 ignores C's old contents
   * (even NaN).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    a: FloatArray,
    strideA: number,
    b: FloatArray,
    strideB: number,
    beta: number,
    c: FloatArray,
    strideC: number,
    batch: number,
  ): void;

  /** out (dense, `shape`) = a op b, where a and b are read through their own strides (0 = broadcast). */
  binary(
    op: BinaryOp,
    out: FloatArray,
    a: FloatArray,
    aStrides: Int32Array,
    b: FloatArray,
    bStrides: Int32Array,
    shape: Int32Array,
  ): void;

  /** out (dense, `shape`) = cond != 0 ? a : b, each input read through its own strides. */
  where(
    out: FloatArray,
    cond: Int32Array,
    condStrides: Int32Array,
    a: FloatArray,
    aStrides: Int32Array,
    b: FloatArray,
    bStrides: Int32Array,
    shape: Int32Array,
  ): void;

  /** out[i] = f(x[i]) for i < n. out may be x (in place). */
  unary(op: UnaryOp, out: FloatArray, x: FloatArray, n: number, alpha: number): void;

  /**
   * dx[i] = dy[i] * f'(x[i]) for i < n, where y = f(x) is the forward output (kernels may use
   * whichever of x and y is cheaper; both are always passed).
   */
  unaryBackward(
    op: UnaryOp,
    dx: FloatArray,
    x: FloatArray,
    y: FloatArray,
    dy: FloatArray,
    n: number,
    alpha: number,
  ): void;

  /**
   * Reduce the middle axis of x viewed as (outer, size, inner): out[o, i] = reduce_s x[o, s, i].
   * For Max, argmax[o, i] receives the first index s of the maximum (argmax may be null for Sum).
   */
  reduce(
    op: ReduceOp,
    out: FloatArray,
    argmax: Int32Array | null,
    x: FloatArray,
    outer: number,
    size: number,
    inner: number,
  ): void;

  /** Gradient of Max: dx (outer, size, inner) = 0 except dx[o, argmax[o, i], i] = dy[o, i]. */
  maxBackward(dx: FloatArray, dy: FloatArray, argmax: Int32Array, outer: number, size: number, inner: number): void;

  /** Row-wise softmax (or log-softmax when `log`) over the last axis of x (rows, cols). */
  softmax(out: FloatArray, x: FloatArray, rows: number, cols: number, log: boolean): void;

  /**
   * Gradient of softmax given its output y: dx = y * (dy - sum(dy * y)).
   * With `log` (y is log-softmax): dx = dy - exp(y) * sum(dy).
   */
  softmaxBackward(dx: FloatArray, y: FloatArray, dy: FloatArray, rows: number, cols: number, log: boolean): void;

  /**
   * Layer normalisation over the last axis of x (rows, cols):
   *   out = (x - mean) * rstd * gamma + beta, rstd = 1 / sqrt(var + eps), var biased (divide by cols).
   * mean and rstd (length rows) are written for the backward pass. gamma/beta may be null (no affine).
   */
  layerNorm(
    out: FloatArray,
    mean: FloatArray,
    rstd: FloatArray,
    x: FloatArray,
    gamma: FloatArray | null,
    beta: FloatArray | null,
    rows: number,
    cols: number,
    eps: number,
  ): void;

  /**
   * Gradients of layerNorm. dx is overwritten. dgamma and dbeta (length cols) are overwritten with
   * the sums over rows; pass null when gamma was null.
   */
  layerNormBackward(
    dx: FloatArray,
    dgamma: FloatArray | null,
    dbeta: FloatArray | null,
    dy: FloatArray,
    x: FloatArray,
    mean: FloatArray,
    rstd: FloatArray,
    gamma: FloatArray | null,
    rows: number,
    cols: number,
  ): void;

  /**
   * Inverted dropout with a counter-based mask, so the backward pass regenerates the mask instead of
   * storing it: out[i] = keep(seed, offset + i) ? x[i] * scale : 0, with
   *   keep(seed, j) = dropoutHash(seed, j) >= threshold   (see dropoutHash below; uint32 compare).
   * The backward pass is the same call on dy.
   */
  dropout(
    out: FloatArray,
    x: FloatArray,
    n: number,
    threshold: number,
    scale: number,
    seed: number,
    offset: number,
  ): void;

  /** out[i, :] = table[ids[i], :] for i < n; rows have `dim` elements. ids are already validated. */
  embedding(out: FloatArray, table: FloatArray, ids: Int32Array, n: number, dim: number): void;

  /** dtable[ids[i], :] += dy[i, :] for i < n (accumulates; repeated ids add up). */
  embeddingBackward(dtable: FloatArray, dy: FloatArray, ids: Int32Array, n: number, dim: number): void;

  /**
   * Strided copy over a `shape`-shaped index space:
   *   dst[sum idx*dstStrides] (=, or += when accumulate) src[sum idx*srcStrides].
   * dst and src have the same element type (both float or both Int32Array). Destination positions
   * never alias each other (dstStrides has no zeros where shape > 1).
   */
  copy(
    dst: DataArray,
    dstStrides: Int32Array,
    src: DataArray,
    srcStrides: Int32Array,
    shape: Int32Array,
    accumulate: boolean,
  ): void;

  /** out[i] = value for i < n. */
  fill(out: DataArray, value: number, n: number): void;

  /** y[i] += alpha * x[i] for i < n (gradient accumulation). */
  axpy(y: FloatArray, x: FloatArray, alpha: number, n: number): void;

  /**
   * Cross-entropy with label smoothing, one row of logits (rows, V) per target, as PyTorch's
   * F.cross_entropy(label_smoothing=eps, reduction='none'):
   *   loss[r] = (1 - eps) * (lse - x[t]) + eps * (lse - mean_c x[c]),  lse = logsumexp_c x[c]
   * Rows whose target equals ignoreIndex get loss 0. lse[r] is written for the backward pass.
   * Targets other than ignoreIndex are already validated to lie in [0, V).
   */
  crossEntropy(
    loss: FloatArray,
    lse: FloatArray,
    logits: FloatArray,
    targets: Int32Array,
    rows: number,
    V: number,
    eps: number,
    ignoreIndex: number,
  ): void;

  /**
   * dlogits[r, c] = dloss[r] * (softmax(x_r)[c] - (1 - eps) * [c == t_r] - eps / V), or 0 for
   * ignored rows.
   */
  crossEntropyBackward(
    dlogits: FloatArray,
    logits: FloatArray,
    lse: FloatArray,
    targets: Int32Array,
    dloss: FloatArray,
    rows: number,
    V: number,
    eps: number,
    ignoreIndex: number,
  ): void;

  /**
   * Fused scaled dot-product attention for q (B, H, Tq, D), k (B, H, Tk, D), v (B, H, Tk, Dv), all dense:
   *   S = scale * Q K^T + mask            (B, H, Tq, Tk)
   *   S[i, j] = -inf where causal and j > i + (Tk - Tq)   (bottom-right aligned, so cached decoding works)
   *   P = softmax(S) over j; a row whose scores are all -inf gets P = 0 (and output 0), not NaN.
   *   out = dropout(P) V                  (B, H, Tq, Dv); dropout as the dropout kernel with offset
   *                                        ((b*H + h)*Tq + i)*Tk + j, skipped when threshold == 0.
   * Sizes, scale and the dropout triple (threshold, dropScale, seed) come in `shape`.
   * `weights` receives P (before dropout). mask is additive float32 read through mask strides
   * (mB, mH, mQ, mK) over (B, H, Tq, Tk), 0 to broadcast; null means no mask.
   */
  attention(
    out: FloatArray,
    weights: FloatArray,
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    shape: AttentionShape,
    causal: boolean,
    mask: FloatArray | null,
    maskStrides: Int32Array | null,
  ): void;

  /**
   * Gradients of attention given the saved weights P (B, H, Tq, Tk), dOut (B, H, Tq, Dv) and the
   * forward call's shape (so the same dropout mask); dq, dk, dv are overwritten. With Pd = dropout(P):
   *   dV = Pd^T dOut;  dPd = dOut V^T;  dP = dropout(dPd);  dS = P * (dP - rowsum(dP * P))
   *   dQ = scale * dS K;  dK = scale * dS^T Q
   */
  attentionBackward(
    dq: FloatArray,
    dk: FloatArray,
    dv: FloatArray,
    dout: FloatArray,
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    weights: FloatArray,
    shape: AttentionShape,
  ): void;

  /**
   * Sparse scaled dot-product attention: each query attends only the keys its pattern lists (CSR).
   * q (B, H, Tq, D), k (B, H, Tk, D), v (B, H, Tk, Dv) dense, sizes in `shape`. The pattern has
   * `groups` = 1, B or B*H blocks of Tq + 1 offsets; (b, h) uses block g = 0, b or b*H + h, and
   * query i of that block attends keys J = indices[offsets[g*(Tq+1) + i] .. offsets[g*(Tq+1) + i + 1]):
   *   s_j = scale * q_i . k_j;  lse_i = log sum_J exp(s_j);  out_i = sum_J exp(s_j - lse_i) v_j
   * A row with no keys gets out_i = 0 and lse_i = -inf. lse (B, H, Tq) is kept for the backward pass.
   * weights, when not null, is a dense (B, H, Tq, Tk) array that receives P at the listed pairs
   * (other entries are left as they are). Dv may be 0 to compute only lse and weights.
   */
  sparseAttention(
    out: FloatArray,
    lse: FloatArray,
    weights: FloatArray | null,
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    offsets: Int32Array,
    indices: Int32Array,
    shape: SparseAttentionShape,
  ): void;

  /**
   * Gradients of sparseAttention from its saved lse, recomputing P pair by pair; dq, dk, dv are
   * overwritten. Over the listed pairs: P_ij = exp(s_ij - lse_i), dP_ij = dOut_i . v_j,
   *   dS_ij = P_ij (dP_ij - sum_j P_ij dP_ij);  dQ_i = scale sum_j dS_ij k_j;
   *   dK_j = scale sum_i dS_ij q_i;  dV_j = sum_i P_ij dOut_i
   */
  sparseAttentionBackward(
    dq: FloatArray,
    dk: FloatArray,
    dv: FloatArray,
    dout: FloatArray,
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    lse: FloatArray,
    offsets: Int32Array,
    indices: Int32Array,
    shape: SparseAttentionShape,
  ): void;

  /**
   * One Adam step on n parameters, in place, as torch.optim.Adam / AdamW, with `params`:
   *   decoupled (AdamW): p -= lr * weightDecay * p;  else (Adam, L2): g = g + weightDecay * p
   *   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
   *   p -= lr * (m / biasCorrection1) / (sqrt(v / biasCorrection2) + eps)
   * biasCorrection1 = 1 - beta1^t and biasCorrection2 = 1 - beta2^t are computed by the caller.
   */
  adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, n: number, params: AdamParams): void;
}

/** The kernels of the contract: every member of Backend but its name. */
export type KernelName = Exclude<keyof Backend, 'name'>;

/**
 * The dropout mask's hash: murmur3's 32-bit finaliser of seed ^ (j * golden ratio), as uint32.
 * Every backend computes exactly this, so masks agree bit for bit across backends.
 */
export function dropoutHash(seed: number, j: number): number {
  let h = (seed ^ Math.imul(j, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The uint32 threshold and the inverted-dropout scale for drop probability p (0 <= p < 1). */
export function dropoutParams(p: number): { threshold: number; scale: number } {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout probability must be in [0, 1), got ${p}`);
  return { threshold: Math.min(0xffffffff, Math.floor(p * 4294967296)), scale: 1 / (1 - p) };
}
