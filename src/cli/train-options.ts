// The training options' defaults (the paper's recipe, section 5) and `--set key=value` overrides:
// `model.dModel=512`, `train.steps=20000`, `train.schedule.warmup=4000`. Unknown keys are errors.

import type { TrainOptions } from '../train/trainer.js';
import type { Schedule } from '../train/schedule.js';
import { UsageError } from './flags.js';

export const trainDefaults: TrainOptions = {
  maxTokens: 4096,
  steps: 100_000,
  minutes: 0,
  accumulate: 1,
  clipNorm: 0,
  labelSmoothing: 0.1,
  schedule: { kind: 'paper', warmup: 4000, lr: 1, dModel: 512, totalSteps: 100_000, minLr: 0 },
  beta1: 0.9,
  beta2: 0.98,
  eps: 1e-9,
  weightDecay: 0,
  seed: 1,
  validEvery: 1000,
  checkpointEvery: 1000,
  keepCheckpoints: 5,
};

const scheduleKinds = ['paper', 'inverse-sqrt', 'cosine', 'constant'];

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Splits `--set` items into model overrides (checked later by the config) and train overrides. */
export function parseSettings(items: readonly string[]): {
  model: Record<string, unknown>;
  train: Partial<TrainOptions>;
} {
  const model: Record<string, unknown> = {};
  const train: Record<string, unknown> = {};
  const schedule: Record<string, unknown> = {};
  for (const item of items) {
    const match = /^(model|train)\.([A-Za-z.]+)=(.*)$/.exec(item);
    if (match === null) throw new UsageError(`--set expects model.KEY=VALUE or train.KEY=VALUE, got "${item}"`);
    const [, section, key, raw] = match;
    const value = parseValue(raw);
    if (section === 'model') model[key] = value;
    else if (key.startsWith('schedule.'))
      schedule[checkKey(key.slice(9), trainDefaults.schedule, value, `train.${key}`)] = value;
    else train[checkKey(key, trainDefaults, value, `train.${key}`)] = value;
  }
  if (schedule.kind !== undefined && !scheduleKinds.includes(schedule.kind as string)) {
    throw new UsageError(
      `train.schedule.kind must be one of ${scheduleKinds.join(', ')}, got ${JSON.stringify(schedule.kind)}`,
    );
  }
  if (Object.keys(schedule).length > 0)
    train.schedule = { ...trainDefaults.schedule, ...(schedule as Partial<Schedule>) };
  return { model, train: train as Partial<TrainOptions> };
}

function checkKey(key: string, defaults: object, value: unknown, name: string): string {
  if (!(key in defaults) || key === 'schedule') throw new UsageError(`--set: unknown key "${name}"`);
  const expected = typeof (defaults as Record<string, unknown>)[key];
  if (typeof value !== expected)
    throw new UsageError(`--set ${name} must be a ${expected}, got ${JSON.stringify(value)}`);
  if (expected === 'number' && !((value as number) >= 0)) throw new UsageError(`--set ${name} must not be negative`);
  return key;
}
