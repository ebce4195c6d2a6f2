// `transformer lm`'s settings: a small pre-norm decoder-only model that learns in minutes on two cores, and
// `--set model.KEY=VALUE` (any config key, checked by the config) and `--set train.KEY=VALUE` (the keys of
// LmOptions) overrides. Values are JSON where they parse as JSON, else strings.

import type { ModelConfig } from '../model/config.js';
import { lmDefaults, type LmOptions } from '../train/lm-trainer.js';
import { UsageError } from './flags.js';

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

const SCHEDULES = ['constant', 'inverse-sqrt', 'cosine'];
/** Settings that count things, so must be whole numbers. */
const INTEGERS = new Set(['seq', 'batch', 'steps', 'warmup', 'seed', 'validEvery', 'validChars']);

export function parseLmSettings(items: readonly string[]): { model: Record<string, unknown>; train: LmOptions } {
  const model: Record<string, unknown> = {};
  const train: Record<string, unknown> = { ...lmDefaults };
  for (const item of items) {
    const match = /^(model|train)\.([A-Za-z]+)=(.*)$/s.exec(item);
    if (match === null) throw new UsageError(`--set expects model.KEY=VALUE or train.KEY=VALUE, got "${item}"`);
    const [, section, key, raw] = match;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    if (section === 'model') model[key] = value;
    else train[checkTrainKey(key, value)] = value;
  }
  return { model, train: train as unknown as LmOptions };
}

function checkTrainKey(key: string, value: unknown): string {
  if (!(key in lmDefaults))
    throw new UsageError(`--set: unknown key "train.${key}"; the keys are ${Object.keys(lmDefaults).join(', ')}`);
  if (key === 'schedule') {
    if (!SCHEDULES.includes(value as string))
      throw new UsageError(`--set train.schedule must be one of ${SCHEDULES.join(', ')}, got ${JSON.stringify(value)}`);
  } else if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new UsageError(`--set train.${key} must be a number >= 0, got ${JSON.stringify(value)}`);
  } else if (INTEGERS.has(key) && !Number.isInteger(value)) {
    throw new UsageError(`--set train.${key} must be a whole number, got ${value}`);
  } else if ((key === 'seq' || key === 'batch') && value < 1) {
    throw new UsageError(`--set train.${key} must be at least 1`);
  }
  return key;
}
