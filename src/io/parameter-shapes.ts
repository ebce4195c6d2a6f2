// The parameters a config's model holds, by name and shape, computed from the config alone: a model
// file is checked against them before the model is built, so that a config asking for a huge model
// is refused by the file's header instead of being allocated first. Mirrors the modules of src/model
// (test/io/parameter-shapes.test.ts compares the two for every kind, head and attention variant).

import { layerAttentionSpec, type ModelConfig } from '../model/config.js';
import type { AttentionSpec } from '../model/efficient/spec.js';

export type Shapes = Map<string, readonly number[]>;

export function parameterShapes(c: ModelConfig): Shapes {
  const shapes: Shapes = new Map();
  const d = c.dModel;
  const linear = (name: string, inFeatures: number, outFeatures: number, bias = true) => {
    shapes.set(`${name}.weight`, [outFeatures, inFeatures]);
    if (bias) shapes.set(`${name}.bias`, [outFeatures]);
  };
  const norm = (name: string) => {
    shapes.set(`${name}.weight`, [d]);
    shapes.set(`${name}.bias`, [d]);
  };
  const output = (prefix: string, vocabSize: number) => {
    if (!c.tieOutput) linear(`${prefix}.projection`, d, vocabSize, false);
    if (c.finalLogitsBias) shapes.set(`${prefix}.finalLogitsBias`, [vocabSize]);
  };
  const stack = (name: 'encoder' | 'decoder', layers: number, cross: boolean) => {
    if (c.positionalEncoding === 'learned') shapes.set(`${name}.positional.weight`, [c.maxLength, d]);
    for (let i = 0; i < layers; i++) {
      const layer = `${name}.layers.${i}`;
      const spec = layerAttentionSpec(c, name, i);
      linear(`${layer}.selfAttention.qkv`, d, 3 * d);
      linear(`${layer}.selfAttention.out`, d, d);
      mechanismShapes(spec, c, `${layer}.selfAttention.mechanism`, shapes);
      norm(`${layer}.norm1`);
      let next = 2;
      if (cross) {
        linear(`${layer}.crossAttention.q`, d, d);
        linear(`${layer}.crossAttention.kv`, d, 2 * d);
        linear(`${layer}.crossAttention.out`, d, d);
        norm(`${layer}.norm${next++}`);
      }
      if (!(spec.kind === 'persistent-memory' && spec.noFeedForward === true)) {
        linear(`${layer}.ffn.w1`, d, c.dFF);
        linear(`${layer}.ffn.w2`, c.dFF, d);
        norm(`${layer}.norm${next}`);
      }
    }
    if (c.normPosition === 'pre') norm(`${name}.finalNorm`);
  };

  if (c.kind === 'encoder-decoder') {
    shapes.set('sourceEmbedding.weight', [c.sourceVocabSize, d]);
    if (!c.shareEmbeddings) shapes.set('targetEmbedding.weight', [c.vocabSize, d]);
    stack('encoder', c.encoderLayers, false);
    stack('decoder', c.decoderLayers, true);
    output('output', c.vocabSize);
  } else if (c.kind === 'decoder-only') {
    shapes.set('embedding.weight', [c.vocabSize, d]);
    stack('decoder', c.decoderLayers, false);
    output('output', c.vocabSize);
  } else {
    shapes.set('embedding.weight', [c.vocabSize, d]);
    stack('encoder', c.encoderLayers, false);
    if (c.head === 'masked-lm') {
      linear('head.dense', d, d);
      norm('head.norm');
      output('head.output', c.vocabSize);
    } else {
      if (c.head === 'sequence-classification') linear('head.pool', d, d);
      linear('head.classifier', d, c.numLabels);
    }
  }
  return shapes;
}

/** The learned parameters of an efficient attention mechanism (the others have none). */
function mechanismShapes(spec: AttentionSpec, c: ModelConfig, prefix: string, shapes: Shapes): void {
  const dK = c.dModel / c.h;
  if (spec.kind === 'routing') shapes.set(`${prefix}.centroids`, [c.h, spec.clusters!, dK]);
  else if (spec.kind === 'linformer') {
    shapes.set(`${prefix}.E`, [spec.projectedLength!, c.maxLength]);
    shapes.set(`${prefix}.F`, [spec.projectedLength!, c.maxLength]);
  } else if (spec.kind === 'inducing') shapes.set(`${prefix}.I`, [c.h, spec.inducingPoints!, dK]);
  else if (spec.kind === 'adaptive-span') shapes.set(`${prefix}.ratio`, [c.h, 1, 1]);
  else if (spec.kind === 'persistent-memory' && spec.memorySlots! > 0) {
    shapes.set(`${prefix}.keys`, [c.h, spec.memorySlots!, dK]);
    shapes.set(`${prefix}.values`, [c.h, spec.memorySlots!, dK]);
  }
}
