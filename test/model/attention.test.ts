// Multi-head attention and the kinds' declarations: the paper's attention through its mechanism is the
// fused kernel's, self- and cross-attention hold only their own projections, a kind that cannot decode
// over a key/value cache refuses one, and every declaration is what validation and the registry use.

import test from 'node:test';
import assert from 'node:assert/strict';

import { CrossAttention, KVCache, MultiHeadAttention, SelfAttention } from '../../src/model/attention.js';
import { FullAttention } from '../../src/model/efficient/full.js';
import { PoolingAttention } from '../../src/model/efficient/pooling.js';
import { createMechanism, KINDS } from '../../src/model/efficient/registry.js';
import {
  ATTENTION_KINDS,
  AttentionSpecError,
  CAUSAL_KINDS,
  validateAttentionSpec,
} from '../../src/model/efficient/spec.js';
import { Block, EncoderLayer } from '../../src/model/layers.js';
import { Encoder, Stack } from '../../src/model/stacks.js';
import { createModel, makeConfig, type DecoderOnly, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';

test("the paper's attention through its mechanism is exactly the fused kernel's, weights included", () => {
  T.manualSeed(3);
  const attention = new SelfAttention(16, 4, 0, new FullAttention());
  const x = T.randn([2, 5, 16]); // (B, T, d)
  const mask = T.tensor([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [2, 1, 1, 5], 'int32');
  const { output, weights } = attention.forward(x, { mask, needWeights: true });
  // The same computation written out: fused projection, heads, T.attention, concat, W^O.
  const [q, k, v] = T.split(T.permute(T.reshape(attention.qkv.forward(x), [2, 5, 3, 4, 4]), [2, 0, 3, 1, 4]), 1, 0).map(
    (t) => T.squeeze(t, 0),
  );
  const direct = T.attention(q, k, v, { mask });
  const merged = T.reshape(T.permute(direct.output, [0, 2, 1, 3]), [2, 5, 16]);
  assert.deepEqual(output.toArray(), attention.out.forward(merged).toArray());
  assert.deepEqual(weights?.toArray(), direct.weights.toArray());
});

test('self-attention holds the fused qkv projection, cross-attention q and kv; both are multi-head attention', () => {
  const names = (m: MultiHeadAttention) => [...m.namedParameters().keys()];
  const self = new SelfAttention(8, 2, 0, new FullAttention());
  const cross = new CrossAttention(8, 2, 0);
  assert.deepEqual(names(self), ['qkv.weight', 'qkv.bias', 'out.weight', 'out.bias']);
  assert.deepEqual(names(cross), ['q.weight', 'q.bias', 'kv.weight', 'kv.bias', 'out.weight', 'out.bias']);
  assert.ok(self instanceof MultiHeadAttention && cross instanceof MultiHeadAttention);
  assert.equal(self.mechanism, null);
  assert.equal(cross.mechanism, null);
  assert.throws(() => cross.forward(T.randn([1, 2, 8])), /cross-attention needs a memory/);
});

test('a kind that cannot decode over a key/value cache refuses one', () => {
  const pooling = new PoolingAttention(
    { kind: 'pooling', poolSize: 2 },
    { dModel: 8, h: 2, maxLength: 8, causal: false },
  );
  const attention = new SelfAttention(8, 2, 0, pooling);
  assert.equal(attention.mechanism, pooling);
  const x = T.randn([1, 4, 8]);
  assert.equal(attention.forward(x).output.shape.join(), '1,4,8');
  assert.throws(
    () => attention.forward(x, { cache: new KVCache() }),
    /"pooling" attention cannot decode over a key\/value cache/,
  );
});

test('every declared kind: validation fills in its declared defaults, the registry builds it, causal only if declared', () => {
  assert.deepEqual(
    ATTENTION_KINDS,
    KINDS.map((kind) => kind.name),
  );
  assert.deepEqual(
    [...CAUSAL_KINDS],
    KINDS.filter((kind) => kind.causal).map((kind) => kind.name),
  );
  for (const kind of KINDS) {
    const defaults = Object.fromEntries(Object.entries(kind.fields).map(([key, field]) => [key, field.default]));
    const spec = validateAttentionSpec({ kind: kind.name }, 'attention');
    assert.deepEqual(spec, { kind: kind.name, ...defaults });
    const context = { dModel: 8, h: 2, maxLength: 16, causal: false };
    const mechanism = createMechanism(spec, context, 'encoder.0');
    assert.equal(mechanism.kind, kind, kind.name);
    assert.deepEqual(mechanism.spec, spec);
    if (kind.causal) assert.equal(createMechanism(spec, { ...context, causal: true }, 'decoder.0').kind, kind);
    else
      assert.throws(
        () => createMechanism(spec, { ...context, causal: true }, 'decoder.0'),
        (e: Error) =>
          e instanceof AttentionSpecError && e.message.includes(`"${kind.name}" attention cannot be causal`),
      );
  }
});

test('a decoder-only model is a stack of causal Blocks; the translation model keeps the paper names', () => {
  const lm = createModel(makeConfig('tiny', { kind: 'decoder-only' })) as DecoderOnly;
  assert.ok(lm.decoder instanceof Stack && !(lm.decoder instanceof Encoder));
  for (const block of lm.decoder.layers) {
    assert.ok(block instanceof Block && !(block instanceof EncoderLayer));
    assert.equal(block.causal, true);
  }
  const translation = createModel(makeConfig('tiny')) as EncoderDecoder;
  assert.ok(translation.encoder instanceof Encoder);
  for (const layer of translation.encoder.layers) {
    assert.ok(layer instanceof EncoderLayer);
    assert.equal(layer.causal, false);
  }
  for (const layer of translation.decoder.layers) assert.ok(layer.crossAttention instanceof CrossAttention);
});
