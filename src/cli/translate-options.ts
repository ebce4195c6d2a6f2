// `transformer translate`'s flags: the search (beam, length penalty, n-best, length limits) or, with
// --sample, the draw (temperature, top-k, top-p, repetition penalty, seed, samples per line), checked
// before the model is loaded.

import { parseArgs } from 'node:util';

import type { Precision } from '../tensor/precision.js';
import { integerFlag, numberFlag, UsageError } from './flags.js';
import { parsePrecision } from './precision.js';
import { parseQuantize } from './quantize-flag.js';
import type { Quantization } from '../nn/int8.js';

export interface TranslateFlags {
  model: string;
  ids: boolean;
  input: string | undefined;
  output: string | undefined;
  batchSize: number;
  /** Given by the user; undefined takes the folder's default (a Marian folder has its own). */
  beam: number | undefined;
  maxLenA: number | undefined;
  maxLenB: number | undefined;
  nbest: string;
  alpha: number;
  minLength: number;
  noRepeatNgram: number;
  /** The draw, with --sample; null searches. */
  sampling: SamplingFlags | null;
  /** The matrix products' number format. */
  precision: Precision;
  quantize: Quantization;
}

export interface SamplingFlags {
  samples: number;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  seed: number;
}

const SAMPLING_FLAGS = ['samples', 'temperature', 'top-k', 'top-p', 'repetition-penalty', 'seed'] as const;
const SEARCH_FLAGS = ['beam', 'nbest', 'alpha'] as const;

export function parseTranslateFlags(argv: string[]): TranslateFlags {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      beam: { type: 'string' },
      alpha: { type: 'string' },
      nbest: { type: 'string' },
      'batch-size': { type: 'string', default: '32' },
      'max-len-a': { type: 'string' },
      'max-len-b': { type: 'string' },
      'min-len': { type: 'string', default: '0' },
      'no-repeat-ngram': { type: 'string', default: '0' },
      ids: { type: 'boolean', default: false },
      input: { type: 'string' },
      output: { type: 'string' },
      sample: { type: 'boolean', default: false },
      samples: { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      'repetition-penalty': { type: 'string' },
      seed: { type: 'string' },
      precision: { type: 'string' },
      quantize: { type: 'string' },
    },
  });
  if (values.model === undefined) throw new UsageError('--model DIR is required (transformer translate --help)');
  if (values.sample) {
    const search = SEARCH_FLAGS.find((flag) => values[flag] !== undefined);
    if (search !== undefined) throw new UsageError(`--${search} is a search setting; --sample draws instead`);
  } else {
    const draw = SAMPLING_FLAGS.find((flag) => values[flag] !== undefined);
    if (draw !== undefined) throw new UsageError(`--${draw} goes with --sample`);
  }
  return {
    model: values.model,
    ids: values.ids,
    input: values.input,
    output: values.output,
    batchSize: integerFlag('--batch-size', values['batch-size'], 1, 100_000),
    beam: values.beam === undefined ? undefined : integerFlag('--beam', values.beam, 1, 1000),
    maxLenA: values['max-len-a'] === undefined ? undefined : numberFlag('--max-len-a', values['max-len-a'], { min: 0 }),
    maxLenB: values['max-len-b'] === undefined ? undefined : integerFlag('--max-len-b', values['max-len-b'], 0),
    // Checked against the beam, which may come from the model folder.
    nbest: values.nbest ?? '1',
    alpha: numberFlag('--alpha', values.alpha ?? '0.6', { min: 0 }),
    minLength: integerFlag('--min-len', values['min-len'], 0),
    noRepeatNgram: integerFlag('--no-repeat-ngram', values['no-repeat-ngram'], 0),
    sampling: values.sample ? samplingFlags(values) : null,
    precision: parsePrecision('--precision', values.precision),
    quantize: parseQuantize(values.quantize),
  };
}

function samplingFlags(values: Partial<Record<(typeof SAMPLING_FLAGS)[number], string>>): SamplingFlags {
  return {
    samples: integerFlag('--samples', values.samples ?? '1', 1, 1000),
    temperature: numberFlag('--temperature', values.temperature ?? '1', { min: 0 }),
    topK: integerFlag('--top-k', values['top-k'] ?? '0', 0),
    topP: numberFlag('--top-p', values['top-p'] ?? '1', { above: 0, max: 1 }),
    repetitionPenalty: numberFlag('--repetition-penalty', values['repetition-penalty'] ?? '1', { above: 0 }),
    seed: integerFlag('--seed', values.seed ?? '0', 0, 0xffffffff),
  };
}
