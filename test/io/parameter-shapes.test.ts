// The shapes a config implies, computed without building the model, against the model itself: every
// kind, head, norm position, positional encoding, tying and attention variant.

import test from 'node:test';
import assert from 'node:assert/strict';

import { parameterShapes } from '../../src/io/parameter-shapes.js';
import { createModel, makeConfig, type ModelConfig } from '../../src/model/index.js';
import type { AttentionSpec } from '../../src/model/efficient/spec.js';

const specs: AttentionSpec[] = [
  { kind: 'full' },
  { kind: 'local', window: 3 },
  { kind: 'routing', clusters: 3 },
  { kind: 'linear' },
  { kind: 'adaptive-span' },
  { kind: 'persistent-memory', memorySlots: 5 },
  { kind: 'persistent-memory', memorySlots: 0 },
  { kind: 'persistent-memory', memorySlots: 2, noFeedForward: true },
  { kind: 'linformer', projectedLength: 5 },
  { kind: 'inducing', inducingPoints: 3 },
  { kind: 'pooling', poolSize: 2 },
];
const causal = new Set(['full', 'local', 'routing', 'linear', 'adaptive-span', 'persistent-memory']);

function* configs(): Generator<Partial<ModelConfig>> {
  for (const kind of ['encoder-decoder', 'encoder-only', 'decoder-only'] as const)
    for (const normPosition of ['post', 'pre'] as const)
      for (const positionalEncoding of ['sinusoidal', 'learned'] as const)
        for (const [shareEmbeddings, tieOutput, finalLogitsBias] of [
          [true, true, false],
          [false, false, true],
          [true, false, false],
        ])
          for (const head of kind === 'encoder-only'
            ? (['masked-lm', 'sequence-classification', 'token-classification'] as const)
            : (['masked-lm'] as const))
            for (const attention of specs) {
              if (kind === 'decoder-only' && !causal.has(attention.kind)) continue;
              // A variant that cannot be causal attends in the encoder; the decoder overrides it.
              const layerAttention: Record<string, AttentionSpec> =
                kind === 'encoder-decoder' && !causal.has(attention.kind)
                  ? { 'decoder.0': { kind: 'full' }, 'decoder.1': { kind: 'local', window: 2 } }
                  : { [`${kind === 'decoder-only' ? 'decoder' : 'encoder'}.1`]: { kind: 'full' } };
              const sourceVocabSize = shareEmbeddings ? 13 : 11;
              yield { kind, normPosition, positionalEncoding, shareEmbeddings, tieOutput, finalLogitsBias, head };
              yield {
                ...{ kind, normPosition, positionalEncoding, shareEmbeddings, tieOutput, finalLogitsBias, head },
                ...{ attention, layerAttention, sourceVocabSize, numLabels: 3, encoderLayers: 2, decoderLayers: 2 },
              };
            }
}

test('parameterShapes names every parameter of the model with its shape, and nothing else', () => {
  let checked = 0;
  for (const overrides of configs()) {
    const config = makeConfig('tiny', overrides);
    const model = createModel(config);
    const built = [...model.namedParameters()].map(([name, p]) => `${name} [${p.shape.join(', ')}]`).sort();
    const computed = [...parameterShapes(config)].map(([name, s]) => `${name} [${s.join(', ')}]`).sort();
    assert.deepEqual(computed, built, JSON.stringify(overrides));
    checked++;
  }
  assert.ok(checked > 300, `${checked} configs`);
});
