// Section 3.2.1 worked by hand for one head on one sentence, in plain loops over plain arrays: the
// layer's input X (embeddings + positions), Q = X W_Q + b_Q, K and V likewise, the scores QKᵀ/√d_k,
// the mask, softmax row by row, and the weighted sum of the values. The page shows every matrix with
// its numbers; the unit test checks the softmax against the weights the model itself computes.

/** A row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  values: Float32Array;
}

/** One head's inputs: X (T, d), the fused projection W (3d, d) and bias (3d) of its layer. */
export interface HeadInputs {
  x: Matrix;
  /** The qkv projection as the model stores it: (3d, d), rows for Q, then K, then V, head by head. */
  weight: Float32Array;
  bias: Float32Array | null;
  /** h, and which head. */
  heads: number;
  head: number;
  /** The decoder's self-attention: query i sees keys j <= i. */
  causal: boolean;
}

/** Every intermediate of the head, in the order the paper computes them. */
export interface HeadSteps {
  q: Matrix; // (T, dK)
  k: Matrix; // (T, dK)
  v: Matrix; // (T, dK)
  scores: Matrix; // (T, T): QKᵀ/√d_k
  /** 1 where query i may attend to key j. */
  mask: Matrix; // (T, T)
  weights: Matrix; // (T, T): softmax of the masked scores, each row sums to 1
  output: Matrix; // (T, dK): weights · V
}

function matrix(rows: number, cols: number): Matrix {
  return { rows, cols, values: new Float32Array(rows * cols) };
}

/** X W_partᵀ + b for the head's slice `part` (0 Q, 1 K, 2 V) of the fused projection. */
function project(inputs: HeadInputs, part: number): Matrix {
  const { x, weight, bias, heads, head } = inputs;
  const d = x.cols;
  const dK = d / heads;
  const out = matrix(x.rows, dK);
  for (let t = 0; t < x.rows; t++) {
    for (let j = 0; j < dK; j++) {
      const row = part * d + head * dK + j;
      let sum = bias === null ? 0 : bias[row];
      for (let i = 0; i < d; i++) sum += x.values[t * d + i] * weight[row * d + i];
      out.values[t * dK + j] = sum;
    }
  }
  return out;
}

export function stepThroughHead(inputs: HeadInputs): HeadSteps {
  const { x, heads, head, causal } = inputs;
  if (x.cols % heads !== 0 || head < 0 || head >= heads)
    throw new RangeError(`head ${head} of ${heads} does not fit d_model ${x.cols}`);
  const [q, k, v] = [0, 1, 2].map((part) => project(inputs, part));
  const n = x.rows;
  const dK = q.cols;
  const scores = matrix(n, n);
  const mask = matrix(n, n);
  const weights = matrix(n, n);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < dK; c++) dot += q.values[i * dK + c] * k.values[j * dK + c];
      scores.values[i * n + j] = dot / Math.sqrt(dK);
      mask.values[i * n + j] = causal && j > i ? 0 : 1;
      if (mask.values[i * n + j] === 1) max = Math.max(max, scores.values[i * n + j]);
    }
    let total = 0;
    for (let j = 0; j < n; j++) {
      const e = mask.values[i * n + j] === 1 ? Math.exp(scores.values[i * n + j] - max) : 0;
      weights.values[i * n + j] = e;
      total += e;
    }
    for (let j = 0; j < n; j++) weights.values[i * n + j] /= total;
  }
  const output = matrix(n, dK);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < dK; c++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += weights.values[i * n + j] * v.values[j * dK + c];
      output.values[i * dK + c] = sum;
    }
  return { q, k, v, scores, mask, weights, output };
}
