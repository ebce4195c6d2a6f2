// The training options' defaults (the paper's recipe, section 5) and `--set key=value` overrides:
// `model.dModel=512`, `train.steps=20000`, `train.schedule.warmup=4000`. Unknown keys are errors, and
// every train value is checked for its type and range before anything is read or written.

import { PRECISIONS } from '../tensor/precision.js';
import { trainDefaults, type TrainOptions } from '../train/options.js';
import type { Schedule } from '../train/schedule.js';
import { UsageError } from './flags.js';
import { checkValue, modelKeys, quote, splitSetting, unknownKey, type Rule } from './settings.js';

const whole = (min: number, max?: number): Rule => ({ type: 'number', integer: true, min, max });
const atLeast = (min: number): Rule => ({ type: 'number', min });
const fraction: Rule = { type: 'number', min: 0, max: 1, maxOpen: true };
const positive: Rule = { type: 'number', min: 0, minOpen: true };

/** What each train.* setting accepts. schedule.dModel and schedule.totalSteps follow the model and train.steps. */
const trainRules: Record<string, Rule> = {
  maxTokens: whole(1),
  steps: whole(1),
  minutes: atLeast(0),
  accumulate: whole(1),
  clipNorm: atLeast(0),
  labelSmoothing: fraction,
  beta1: fraction,
  beta2: fraction,
  eps: positive,
  weightDecay: atLeast(0),
  seed: whole(0, 2 ** 32 - 1),
  validEvery: whole(0),
  targetBleu: { type: 'number', min: 0, max: 100 },
  checkpointEvery: whole(0),
  keepCheckpoints: whole(0),
  precision: { type: 'choice', values: PRECISIONS },
  'schedule.kind': { type: 'choice', values: ['paper', 'inverse-sqrt', 'cosine', 'constant'] },
  'schedule.warmup': whole(0),
  'schedule.lr': positive,
  'schedule.minLr': atLeast(0),
};

export interface Settings {
  /** --set model.* overrides, checked by the model config later. */
  model: Record<string, unknown>;
  train: Partial<TrainOptions>;
  /** The train.* keys given, e.g. "steps", "schedule.lr". */
  trainKeys: string[];
}

/** Splits `--set` items into model and train overrides, checking every key and every train value. */
export function parseSettings(items: readonly string[]): Settings {
  const model: Record<string, unknown> = {};
  const train: Record<string, unknown> = {};
  const schedule: Record<string, unknown> = {};
  const trainKeys: string[] = [];
  for (const item of items) {
    const { section, key, value } = splitSetting(item, ['model', 'train']);
    if (section === 'model') {
      if (!modelKeys.includes(key)) throw unknownKey('model', key, modelKeys);
      model[key] = value;
      continue;
    }
    const rule = trainRules[key];
    if (rule === undefined) throw unknownKey('train', key, Object.keys(trainRules));
    checkValue(`train.${key}`, value, rule);
    if (key.startsWith('schedule.')) schedule[key.slice('schedule.'.length)] = value;
    else train[key] = value;
    trainKeys.push(key);
  }
  if (model.kind !== undefined && model.kind !== 'encoder-decoder')
    throw new UsageError(
      `--set model.kind=${quote(model.kind)}: train makes translation models, whose kind is encoder-decoder ` +
        '(an encoder-only model is trained with --task classify|tag|mlm, a decoder-only language model with --task lm)',
    );
  if (Object.keys(schedule).length > 0) train.schedule = schedule;
  return { model, train: train as Partial<TrainOptions>, trainKeys };
}

/** The options of a run: defaults, then the saved ones (on resume), then the given ones (schedule merged). */
export function mergeOptions(saved: Partial<TrainOptions> | undefined, given: Partial<TrainOptions>): TrainOptions {
  const schedule: Schedule = { ...trainDefaults.schedule, ...saved?.schedule, ...given.schedule };
  return { ...trainDefaults, ...saved, ...given, schedule };
}
