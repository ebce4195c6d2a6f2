// The built-in translation task: train / valid / test splits of the synthetic language pair of
// grammar.ts, deterministic from a seed, written as plain text files like a real corpus.

import { join } from 'node:path';
import { makeFolders, writeFileAtomic } from '../../io/atomic.js';
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

/** Writes <split>.src and <split>.tgt into dir, one sentence per line, each file atomically; returns the paths. */
export async function writeTask(dir: string, task: Task): Promise<string[]> {
  makeFolders(dir);
  const paths: string[] = [];
  for (const name of ['train', 'valid', 'test'] as const) {
    for (const side of ['source', 'target'] as const) {
      const path = join(dir, `${name}.${side === 'source' ? 'src' : 'tgt'}`);
      writeFileAtomic(path, [Buffer.from(task[name][side].map((line) => `${line}\n`).join(''))]);
      paths.push(path);
    }
  }
  return paths;
}
