// A small attention model trained on a generated task (reverse a sequence of symbols), used by the
// memory test and the CLI test: embeddings + learned positions, one self-attention
// layer with a feed-forward block (post-norm, as the paper's section 3.1), and an output projection.

import { Adam } from '../../src/train/adam.js';
import * as T from '../../src/tensor/index.js';
import { Generator } from '../../src/tensor/random.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

export interface ReverseTaskConfig {
  vocab: number;
  length: number;
  dModel: number;
  h: number;
  dFF: number;
  batch: number;
  seed: number;
}

const defaultReverseConfig: ReverseTaskConfig = {
  vocab: 16,
  length: 8,
  dModel: 64,
  h: 4,
  dFF: 128,
  batch: 32,
  seed: 1,
};

type Params = Record<
  'embed' | 'pos' | 'wQKV' | 'wO' | 'ln1g' | 'ln1b' | 'w1' | 'b1' | 'w2' | 'b2' | 'ln2g' | 'ln2b' | 'wOut',
  Tensor
>;

function initParams(c: ReverseTaskConfig, g: Generator): Params {
  const xavier = (rows: number, cols: number) => T.rand([rows, cols], { low: -1, high: 1, generator: g }).keep();
  const scaled = (t: Tensor, s: number) => T.noGrad(() => T.mulScalar(t, s)).keep();
  const limit = (rows: number, cols: number) => Math.sqrt(6 / (rows + cols));
  const matrix = (rows: number, cols: number) => scaled(xavier(rows, cols), limit(rows, cols));
  const vector = (n: number, v: number) => T.full([n], v).keep();
  return {
    embed: scaled(T.randn([c.vocab, c.dModel], { generator: g }), c.dModel ** -0.5),
    pos: scaled(T.randn([c.length, c.dModel], { generator: g }), 0.1),
    wQKV: matrix(3 * c.dModel, c.dModel),
    wO: matrix(c.dModel, c.dModel),
    ln1g: vector(c.dModel, 1),
    ln1b: vector(c.dModel, 0),
    w1: matrix(c.dFF, c.dModel),
    b1: vector(c.dFF, 0),
    w2: matrix(c.dModel, c.dFF),
    b2: vector(c.dModel, 0),
    ln2g: vector(c.dModel, 1),
    ln2b: vector(c.dModel, 0),
    wOut: matrix(c.vocab, c.dModel),
  };
}

export class ReverseTask {
  readonly params: Params;
  readonly optimizer: Adam;
  private readonly data: Generator;

  constructor(readonly config: ReverseTaskConfig = defaultReverseConfig) {
    const g = new Generator(config.seed);
    this.params = initParams(config, g);
    for (const p of Object.values(this.params)) p.requireGrad();
    this.optimizer = new Adam(Object.values(this.params), { lr: 3e-3 });
    this.data = new Generator(config.seed + 1);
  }

  /** A batch of random sequences (B, T) and their reversals. */
  batch(): { source: Tensor; target: Tensor } {
    const { batch: B, length: L, vocab } = this.config;
    const source = new Int32Array(B * L);
    const target = new Int32Array(B * L);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) source[b * L + t] = Math.floor(this.data.uniform() * vocab);
      for (let t = 0; t < L; t++) target[b * L + t] = source[b * L + L - 1 - t];
    }
    return { source: Tensor.from(source, [B, L]), target: Tensor.from(target, [B, L]) };
  }

  /** Logits (B, T, vocab) for source ids (B, T). */
  forward(source: Tensor): Tensor {
    const p = this.params;
    const { dModel, h } = this.config;
    const [B, L] = source.shape;
    const dK = dModel / h;
    const x = T.add(T.embedding(p.embed, source), p.pos); // (B, T, d)
    const qkv = T.matmul(x, p.wQKV, { transB: true }); // (B, T, 3d)
    const heads = T.permute(T.reshape(qkv, [B, L, 3, h, dK]), [2, 0, 3, 1, 4]); // (3, B, h, T, dK)
    const [q, k, v] = T.split(heads, 1, 0).map((t) => T.squeeze(t, 0));
    const attended = T.reshape(T.permute(T.scaledDotProductAttention(q, k, v), [0, 2, 1, 3]), [B, L, dModel]);
    const y = T.layerNorm(T.add(x, T.matmul(attended, p.wO, { transB: true })), p.ln1g, p.ln1b);
    const hidden = T.relu(T.add(T.matmul(y, p.w1, { transB: true }), p.b1)); // (B, T, dFF)
    const z = T.layerNorm(T.add(y, T.add(T.matmul(hidden, p.w2, { transB: true }), p.b2)), p.ln2g, p.ln2b);
    return T.matmul(z, p.wOut, { transB: true }); // (B, T, vocab)
  }

  /** One optimisation step; returns the loss and the token accuracy of the batch. */
  step(): { loss: number; accuracy: number } {
    return tidy(() => {
      const { source, target } = this.batch();
      const logits = this.forward(source);
      const loss = T.crossEntropy(logits, target);
      this.optimizer.zeroGrad();
      loss.backward();
      this.optimizer.update();
      return { loss: loss.item(), accuracy: accuracy(logits, target) };
    });
  }
}

function accuracy(logits: Tensor, target: Tensor): number {
  const V = logits.shape[logits.rank - 1];
  const values = logits.dense();
  const wanted = target.dense();
  let right = 0;
  for (let r = 0; r < wanted.length; r++) {
    let best = 0;
    for (let c = 1; c < V; c++) if (values[r * V + c] > values[r * V + best]) best = c;
    if (best === wanted[r]) right++;
  }
  return right / wanted.length;
}
