// `transformer lm`'s settings: a small pre-norm decoder-only model that learns in minutes on two cores, and
// `--set model.KEY=VALUE` (any config key, checked by the config) and `--set train.KEY=VALUE` (the keys of
// LmOptions, each checked for its type and range) overrides. Values are JSON where they parse as JSON, else strings.

import type { ModelConfig } from '../model/config.js';
import { PRECISIONS } from '../tensor/precision.js';
import { lmDefaults, type LmOptions } from '../train/lm-trainer.js';
import { checkValue, modelKeys, splitSetting, unknownKey, type Rule } from './settings.js';

export const lmModelDefaults: Partial<ModelConfig> = {
  kind: 'decoder-only',
  encoderLayers: 0,
  decoderLayers: 4,
  dModel: 128,
  dFF: 512,
  h: 4,
  pDrop: 0,
  normPosition: 'pre',
  // Tied to the embedding, whose values are scaled up by sqrt(d_model), the first logits are large and the loss
  // starts near 11 bits per character (log2 V is 6); untied it starts under 7 and falls faster.
  tieOutput: false,
};

const whole = (min: number): Rule => ({ type: 'number', integer: true, min });
const atLeast = (min: number): Rule => ({ type: 'number', min });
const fraction: Rule = { type: 'number', min: 0, max: 1, maxOpen: true };
const positive: Rule = { type: 'number', min: 0, minOpen: true };

/** What each train.* setting accepts. */
const trainRules: Record<keyof LmOptions, Rule> = {
  seq: whole(1),
  batch: whole(1),
  minutes: atLeast(0),
  steps: whole(0),
  lr: positive,
  warmup: whole(0),
  schedule: { type: 'choice', values: ['constant', 'inverse-sqrt', 'cosine'] },
  minLr: atLeast(0),
  beta1: fraction,
  beta2: fraction,
  eps: positive,
  weightDecay: atLeast(0),
  clipNorm: atLeast(0),
  seed: { type: 'number', integer: true, min: 0, max: 2 ** 32 - 1 },
  validEvery: whole(0),
  validChars: whole(1),
  precision: { type: 'choice', values: PRECISIONS },
};

export function parseLmSettings(items: readonly string[]): { model: Record<string, unknown>; train: LmOptions } {
  const model: Record<string, unknown> = {};
  const train: Record<string, unknown> = { ...lmDefaults };
  for (const item of items) {
    const { section, key, value } = splitSetting(item, ['model', 'train']);
    if (section === 'model') {
      if (!modelKeys.includes(key)) throw unknownKey('model', key, modelKeys);
      model[key] = value;
      continue;
    }
    const rule = trainRules[key as keyof LmOptions];
    if (rule === undefined) throw unknownKey('train', key, Object.keys(trainRules));
    checkValue(`train.${key}`, value, rule);
    train[key] = value;
  }
  return { model, train: train as unknown as LmOptions };
}
