// Composed graphs against PyTorch: the loss, intermediates and every gradient of the graphs that
// scripts/make_golden_fixtures.py builds in torch (float64 references), rebuilt here with our ops in
// float32 on every backend.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { availableBackends, withBackend, type BackendName } from '../../src/backend/registry.js';
import { assertClose, Fixture, readFixture, type Entry, type Tolerance } from '../helpers/golden.js';

interface Built {
  loss: Tensor;
  outputs: Record<string, Tensor>;
}

const linear = (x: Tensor, W: Tensor, b: Tensor | null = null): Tensor => {
  const y = T.matmul(x, W, { transB: true }); // (..., out)
  return b === null ? y : T.add(y, b);
};

/** (B, T, d) -> (B, h, T, dK) */
const heads = (x: Tensor, h: number): Tensor => {
  const [B, Tn, d] = x.shape;
  return T.permute(T.reshape(x, [B, Tn, h, d / h]), [0, 2, 1, 3]);
};

/** (B, h, T, dK) -> (B, T, d) */
const mergeHeads = (x: Tensor): Tensor => {
  const [B, h, Tn, dK] = x.shape;
  return T.reshape(T.permute(x, [0, 2, 1, 3]), [B, Tn, h * dK]);
};

const lin = (f: Fixture, name: string, bias = true): [Tensor, Tensor | null] => [
  f.param(`${name}.W`),
  bias ? f.param(`${name}.b`) : null,
];
const norm = (f: Fixture, name: string, x: Tensor): Tensor =>
  T.layerNorm(x, f.param(`${name}.gamma`), f.param(`${name}.beta`), f.config('eps'));

/** Multi-head self-attention from a fused (3d, d) projection: (B, T, d) -> (B, T, d). */
function selfAttention(x: Tensor, [W, b]: [Tensor, Tensor | null], h: number, options: T.AttentionOptions): Tensor {
  const [q, k, v] = T.split(linear(x, W, b), x.shape[2], -1); // (B, T, d) each
  return mergeHeads(T.scaledDotProductAttention(heads(q, h), heads(k, h), heads(v, h), options));
}

function encoderLayer(f: Fixture): Built {
  const h = f.config('h');
  const x = f.param('x'); // (B, T, d)
  const mask = f.input('mask'); // (B, 1, 1, T)
  const context = selfAttention(x, lin(f, 'qkv'), h, { mask }); // (B, T, d)
  const y1 = norm(f, 'ln1', T.add(x, linear(context, ...lin(f, 'out'))));
  const ffn = linear(T.relu(linear(y1, ...lin(f, 'ff1'))), ...lin(f, 'ff2')); // (B, T, d)
  const y2 = norm(f, 'ln2', T.add(y1, ffn));
  const logits = linear(y2, ...lin(f, 'proj', false)); // (B, T, V)
  const loss = T.crossEntropy(logits, f.input('targets'), {
    labelSmoothing: f.config('epsLs'),
    ignoreIndex: f.config('padId'),
  });
  return { loss, outputs: { context, y1, logits } };
}

function decoderBlock(f: Fixture): Built {
  const h = f.config('h');
  const x = f.param('x'); // (B, T, d)
  const memory = f.param('memory'); // (B, S, d)
  const selfContext = selfAttention(norm(f, 'ln1', x), lin(f, 'self.qkv'), h, { causal: true }); // (B, T, d)
  const x1 = T.add(x, linear(selfContext, ...lin(f, 'self.out')));
  const q = linear(norm(f, 'ln2', x1), ...lin(f, 'cross.q')); // (B, T, d)
  const [k, v] = T.split(linear(memory, ...lin(f, 'cross.kv')), x.shape[2], -1); // (B, S, d) each
  const attended = T.scaledDotProductAttention(heads(q, h), heads(k, h), heads(v, h), { mask: f.input('memoryMask') });
  const crossContext = mergeHeads(attended); // (B, T, d)
  const x2 = T.add(x1, linear(crossContext, ...lin(f, 'cross.out')));
  const x3 = T.add(x2, linear(T.gelu(linear(norm(f, 'ln3', x2), ...lin(f, 'ff1'))), ...lin(f, 'ff2')));
  const logits = linear(norm(f, 'lnf', x3), ...lin(f, 'proj')); // (B, T, V)
  const perToken = T.crossEntropy(logits, f.input('targets'), { reduction: 'none' }); // (B, T)
  const loss = T.sum(T.mul(perToken, f.input('tokenWeights')));
  return { loss, outputs: { selfContext, crossContext, perToken } };
}

function embeddingPositions(f: Fixture): Built {
  const table = f.param('table'); // (V, d)
  const embedded = T.add(
    T.mulScalar(T.embedding(table, f.input('ids')), Math.sqrt(f.config('dModel'))),
    f.input('positions'),
  ); // (B, T, d)
  const logits = T.add(T.matmul(embedded, table, { transB: true }), f.param('bias')); // (B, T, V)
  const logProbs = T.logSoftmax(logits, -1);
  const crossEntropy = T.crossEntropy(logits, f.input('targets'), { reduction: 'sum' });
  const nll = T.neg(T.sum(T.where(f.input('targetOneHot'), logProbs, 0)));
  const loss = T.add(crossEntropy, T.mulScalar(nll, f.config('nllWeight')));
  return { loss, outputs: { embedded, logProbs, crossEntropy, nll } };
}

function elementwiseChain(f: Fixture): Built {
  const [a, b, c, r] = ['a', 'b', 'c', 'r'].map((n) => f.param(n)); // (2, 3, 4), (3, 1), (2, 1, 4), (4)
  const u = T.mul(T.tanh(a), T.sigmoid(b)); // (2, 3, 4)
  const v = T.sub(T.add(T.swish(a), T.gelu(T.mulScalar(a, 0.7))), b);
  const w = T.div(u, T.addScalar(T.exp(c), 1));
  const z = T.sqrt(T.addScalar(T.pow(a, 2), 1));
  const logz = T.mul(T.log(z), r);
  const picked = T.maskedFill(T.where(f.input('select'), w, v), f.input('large'), -0.25); // (2, 3, 4)
  const max = T.max(picked, 1); // (2, 4)
  const t = T.concat([max, T.mean(v, 1), T.sum(T.transpose(logz, 1, 2), 2)], -1); // (2, 12)
  const padded = T.pad(T.slice(t, 1, 1, 9), f.config<[number, number][]>('padWidths'), f.config('padValue')); // (2, 11)
  const s2 = T.mean(T.pow(z, 1.5), [0, 2]); // (3)
  const cubes = T.sum(T.pow(padded, 3));
  const loss = T.add(T.sub(cubes, T.div(T.sum(s2), T.addScalar(T.sum(T.exp(T.neg(r))), 1))), T.mean(T.neg(logz)));
  return { loss, outputs: { picked, max, padded } };
}

function attentionVariants(f: Fixture): Built {
  const [q, k, v] = ['q', 'k', 'v'].map((n) => f.param(n)); // (B, h, Tq, dK), (B, h, Tk, dK) x 2
  const [r1, r2] = [f.input('r1'), f.input('r2')]; // (B, h, Tq, dK)
  const fused = T.scaledDotProductAttention(q, k, v, { mask: f.input('bias'), causal: true }); // (B, h, Tq, dK)
  const scores = T.mulScalar(T.matmul(q, k, { transB: true }), 1 / Math.sqrt(f.config('dK'))); // (B, h, Tq, Tk)
  const probs = T.softmax(T.maskedFill(scores, f.input('padded'), -1e9), -1);
  const manual = T.matmul(probs, v); // (B, h, Tq, dK)
  const overHeads = T.softmax(manual, 1);
  const overQueries = T.logSoftmax(fused, 2);
  const terms = [
    T.sum(T.mul(fused, r1)),
    T.sum(T.mul(manual, r2)),
    T.sum(T.mul(overHeads, r1)),
    T.mean(T.mul(overQueries, r2)),
  ];
  return { loss: terms.reduce((acc, term) => T.add(acc, term)), outputs: { fused, manual, probs } };
}

const GRAPHS: Record<string, (f: Fixture) => Built> = {
  encoder_layer: encoderLayer,
  decoder_block: decoderBlock,
  embedding_positions: embeddingPositions,
  elementwise_chain: elementwiseChain,
  attention_variants: attentionVariants,
};

// float32 against a float64 reference: per-element relative error, plus a floor relative to the
// tensor's largest magnitude for elements that are sums with cancellation.
const TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

interface Worst {
  what: string;
  maxAbs: number;
  worstRatio: number;
}

/** Builds the graph, runs backward, checks the loss, the outputs and every gradient. */
function check(graph: string, f: Fixture): Worst[] {
  return tidy(() => {
    const { loss, outputs } = GRAPHS[graph](f);
    const results: Worst[] = [];
    const compare = (what: string, actual: Tensor, expected: Entry) => {
      results.push({ what, ...assertClose(`${graph} ${what}`, actual, expected, TOLERANCE) });
    };
    compare('loss', loss, f.file.outputs.loss);
    const expectedOutputs = Object.keys(f.file.outputs).filter((n) => n !== 'loss');
    assert.deepEqual(Object.keys(outputs).sort(), expectedOutputs.sort(), `${graph}: the outputs the fixture holds`);
    for (const [name, t] of Object.entries(outputs)) compare(`output ${name}`, t, f.file.outputs[name]);
    loss.backward();
    for (const name of Object.keys(f.file.grads)) {
      const p = f.params.get(name);
      assert.ok(p !== undefined, `${graph}: the graph never used param ${name}`);
      assert.ok(p.grad !== null, `${graph}: param ${name} received no gradient`);
      compare(`grad ${name}`, p.grad, f.file.grads[name]);
    }
    return results;
  });
}

/** "max |diff| 2.1e-7 (grad x), worst 1.2% of the tolerance (grad W)" over one kind of result. */
function summary(results: Worst[]): string {
  const byAbs = results.reduce((a, b) => (b.maxAbs > a.maxAbs ? b : a));
  const byRatio = results.reduce((a, b) => (b.worstRatio > a.worstRatio ? b : a));
  const pct = (byRatio.worstRatio * 100).toFixed(1);
  return `max |diff| ${byAbs.maxAbs.toExponential(2)} (${byAbs.what}), worst ${pct}% of the tolerance (${byRatio.what})`;
}

const BACKENDS: BackendName[] = ['js', 'native'];

for (const backend of BACKENDS) {
  for (const graph of Object.keys(GRAPHS)) {
    test(`golden ${graph} on the ${backend} backend matches PyTorch`, (t) => {
      if (!availableBackends().includes(backend)) {
        const why = `the ${backend} backend is not available (build it with \`npm run build\`)`;
        if (process.env.TRANSFORMER_ALLOW_NO_NATIVE === '1') return t.skip(`${why}; TRANSFORMER_ALLOW_NO_NATIVE=1`);
        assert.fail(`${why}; set TRANSFORMER_ALLOW_NO_NATIVE=1 to skip`);
      }
      const f = new Fixture(readFixture(graph));
      const results = withBackend(backend, () => check(graph, f));
      t.diagnostic(`outputs: ${summary(results.filter((r) => !r.what.startsWith('grad')))}`);
      t.diagnostic(`grads: ${summary(results.filter((r) => r.what.startsWith('grad')))}`);
    });
  }
}
