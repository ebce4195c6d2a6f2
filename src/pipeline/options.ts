// The options of a pipeline call, in transformers.js's names (generation config: max_new_tokens,
// num_beams, do_sample, ...) and a few of ours (alpha, beam, nbest, seed). Each task lists the options
// it takes; an unknown option or a bad value is a one-line PipelineError naming it and what was expected.

import { InputError } from '../errors.js';
import { quoteJson } from '../quote.js';

/** A pipeline asked for something it cannot do: an unknown task or option, a bad value, a folder of the wrong kind. */
export class PipelineError extends InputError {}

/** What an option may hold. */
export type OptionKind = 'integer>=0' | 'integer>=1' | 'number>=0' | 'number>0' | 'probability' | 'boolean' | 'any';

const EXPECTED: Record<OptionKind, string> = {
  'integer>=0': 'an integer >= 0',
  'integer>=1': 'an integer >= 1',
  'number>=0': 'a number >= 0',
  'number>0': 'a number > 0',
  probability: 'a number in (0, 1]',
  boolean: 'true or false',
  any: 'a value',
};

function fits(kind: OptionKind, value: unknown): boolean {
  const n = value as number;
  switch (kind) {
    case 'integer>=0':
      return Number.isInteger(n) && n >= 0;
    case 'integer>=1':
      return Number.isInteger(n) && n >= 1;
    case 'number>=0':
      return typeof n === 'number' && Number.isFinite(n) && n >= 0;
    case 'number>0':
      return typeof n === 'number' && Number.isFinite(n) && n > 0;
    case 'probability':
      return typeof n === 'number' && n > 0 && n <= 1;
    case 'boolean':
      return typeof value === 'boolean';
    case 'any':
      return true;
  }
}

/** The options every call takes: cancelling, progress, and the per-step callback. */
export const CALL_OPTIONS = {
  signal: 'any',
  onProgress: 'any',
  onStep: 'any',
  streamer: 'any',
} as const satisfies Record<string, OptionKind>;

/**
 * Checks `options` against a task's table: every key known, every value of its kind (undefined is
 * left out, as if not given). Returns the options with their types.
 */
export function checkOptions<O extends object>(
  task: string,
  options: O | undefined,
  table: Readonly<Record<string, OptionKind>>,
): Partial<O> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new PipelineError(`${task}: the options must be an object, got ${quoteJson(options)}`);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const kind = table[key];
    if (kind === undefined)
      throw new PipelineError(`${task}: unknown option "${key}"; expected one of ${Object.keys(table).join(', ')}`);
    if (!fits(kind, value))
      throw new PipelineError(`${task}: option "${key}" must be ${EXPECTED[kind]}, got ${quoteJson(value)}`);
  }
  return options;
}

/** The first of several aliases that is set (e.g. num_beams and our beam). */
export function either<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}
