// Whole models against PyTorch: for tiny configs of each model kind and each option, the logits and
// every parameter gradient of the references scripts/make_model_fixtures.py computes (float64, from
// torch.nn.Transformer and friends loaded with the same weights), on every backend.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { type Tensor, tidy } from '../../src/tensor/tensor.js';
import { availableBackends, withBackend, type BackendName } from '../../src/backend/registry.js';
import { createModel, makeConfig, EncoderDecoder, type Model, type ModelConfig } from '../../src/model/index.js';
import { assertClose, type Entry, type Tolerance } from '../helpers/golden.js';
import {
  expected,
  inputTensor,
  loadParameters,
  modelFixtureNames,
  readModelFixture,
  type ModelFixture,
} from '../helpers/model-golden.js';

// float32 against a float64 reference: per-element relative error, plus a floor relative to the
// tensor's largest magnitude for elements that are sums with cancellation (as in golden.test.ts).
const TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

interface Worst {
  what: string;
  maxAbs: number;
  worstRatio: number;
}

function logitsOf(model: Model, f: ModelFixture): Tensor {
  if (model instanceof EncoderDecoder) return model.forward(inputTensor(f, 'source'), inputTensor(f, 'targetInput'));
  return model.forward(inputTensor(f, 'ids'));
}

/** Builds the fixture's model with its weights, runs forward and backward, checks logits, loss and grads. */
function check(f: ModelFixture): Worst[] {
  const config = makeConfig('tiny', f.overrides);
  assert.equal(config.kind, f.kind, `${f.variant}: model kind`);
  for (const [key, value] of Object.entries(f.config)) {
    assert.equal(config[key as keyof ModelConfig], value, `${f.variant}: config "${key}" differs from the reference's`);
  }
  const model = createModel(config).train();
  const params = model.namedParameters();
  try {
    loadParameters(f, params);
    return tidy(() => {
      const results: Worst[] = [];
      const compare = (what: string, actual: Tensor, want: Entry) => {
        results.push({ what, ...assertClose(`${f.variant} ${what}`, actual, want, TOLERANCE) });
      };
      const logits = logitsOf(model, f); // (B, T, V), or (B, numLabels)
      const crossEntropy = T.crossEntropy(logits, inputTensor(f, 'targets'), f.loss);
      const loss = T.add(crossEntropy, T.sum(T.mul(logits, inputTensor(f, 'logitWeights'))));
      compare('logits', logits, expected(f.outputs.logits));
      compare('loss', loss, expected(f.outputs.loss));
      loss.backward();
      for (const [name, p] of params) {
        assert.ok(p.grad !== null, `${f.variant}: ${name} received no gradient`);
        compare(`grad ${name}`, p.grad, expected(f.grads[name]));
      }
      return results;
    });
  } finally {
    for (const p of params.values()) {
      p.grad?.dispose();
      p.dispose();
    }
  }
}

/** "max |diff| 2.1e-7 (grad x), worst 1.2% of the tolerance (grad W)" over one kind of result. */
function summary(results: Worst[]): string {
  const byAbs = results.reduce((a, b) => (b.maxAbs > a.maxAbs ? b : a));
  const byRatio = results.reduce((a, b) => (b.worstRatio > a.worstRatio ? b : a));
  const pct = (byRatio.worstRatio * 100).toFixed(1);
  return `max |diff| ${byAbs.maxAbs.toExponential(2)} (${byAbs.what}), worst ${pct}% of the tolerance (${byRatio.what})`;
}

const BACKENDS: BackendName[] = ['js', 'native'];
const VARIANTS = modelFixtureNames();

test('model fixtures exist for every kind', () => {
  const kinds = new Set(VARIANTS.map((v) => readModelFixture(v).kind));
  assert.deepEqual([...kinds].sort(), ['decoder-only', 'encoder-decoder', 'encoder-only']);
});

for (const backend of BACKENDS) {
  for (const variant of VARIANTS) {
    test(`model ${variant} on the ${backend} backend matches PyTorch`, (t) => {
      if (!availableBackends().includes(backend)) {
        const why = `the ${backend} backend is not available (build it with \`npm run build\`)`;
        if (process.env.TRANSFORMER_ALLOW_NO_NATIVE === '1') return t.skip(`${why}; TRANSFORMER_ALLOW_NO_NATIVE=1`);
        assert.fail(`${why}; set TRANSFORMER_ALLOW_NO_NATIVE=1 to skip`);
      }
      const f = readModelFixture(variant);
      const results = withBackend(backend, () => check(f));
      t.diagnostic(`logits and loss: ${summary(results.filter((r) => !r.what.startsWith('grad')))}`);
      t.diagnostic(`grads: ${summary(results.filter((r) => r.what.startsWith('grad')))}`);
    });
  }
}
