// The built-in translation task's splits (train / valid / test) of the synthetic language pair of
// grammar.ts, deterministic from a seed. Nothing here touches Node, so the playground page makes the
// same task in the browser; builtin-task.ts writes it as files.

import { epochGenerator } from '../batching.js';
import { samplePair } from './grammar.js';

/** The seed and the number of sentence pairs of each split. */
export interface TaskOptions {
  seed: number;
  train: number;
  valid: number;
  test: number;
}

/** The built-in task's defaults: 20,000 training pairs, 500 each for validation and test. */
export const defaultTaskOptions: TaskOptions = { seed: 1, train: 20000, valid: 500, test: 500 };

/** Source and target sentences of one split, line for line. */
export interface Split {
  source: string[];
  target: string[];
}

/** The train, valid and test splits of the built-in task. */
export interface Task {
  train: Split;
  valid: Split;
  test: Split;
}

/**
 * Each split has its own random stream, and test is drawn first, then valid, then train, each
 * skipping source sentences already drawn: so no test sentence is seen in training, and the test
 * set does not change when the training set grows.
 */
export function makeTask(options: TaskOptions): Task {
  const seen = new Set<string>();
  const draw = (count: number, stream: number): Split => {
    const rng = epochGenerator(options.seed, stream);
    const split: Split = { source: [], target: [] };
    while (split.source.length < count) {
      const pair = samplePair(rng);
      if (seen.has(pair.source)) continue;
      seen.add(pair.source);
      split.source.push(pair.source);
      split.target.push(pair.target);
    }
    return split;
  };
  const test = draw(options.test, 3);
  const valid = draw(options.valid, 2);
  const train = draw(options.train, 1);
  return { train, valid, test };
}
