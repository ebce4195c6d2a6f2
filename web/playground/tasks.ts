// The playground's tasks as sentence pairs: the built-in translation task (the one `transformer demo`
// trains, src/data/task/), copying or reversing random words, or a small parallel corpus pasted in
// the page. Pure data, no DOM: the worker and the unit tests call it alike.

import { makeTask, type Split, type Task } from '../../src/data/task/make-task.js';
import { epochGenerator } from '../../src/data/batching.js';
import { InputError } from '../../src/errors.js';

export type TaskKind = 'builtin' | 'copy' | 'reverse' | 'pasted';

/** What the page asks for: the task, and for the generated ones how many pairs of each split. */
export interface TaskChoice {
  kind: TaskKind;
  seed: number;
  train: number;
  valid: number;
  /** The pasted corpus: one pair a line, "source<TAB>target" or "source ||| target". */
  pasted?: string;
}

/** Words the copy and reverse tasks draw from: short, so the tokenizer keeps them whole. */
const WORDS = 'ka lo mi su te ra no vi pe do za fu bi ge ho ju'.split(' ');

/** A random sentence of 3 to 10 words and its copy or its reversal. */
function symbolPairs(kind: 'copy' | 'reverse', count: number, seed: number, stream: number, seen: Set<string>): Split {
  const rng = epochGenerator(seed, stream);
  const split: Split = { source: [], target: [] };
  while (split.source.length < count) {
    const length = 3 + (rng.nextUint32() % 8);
    const words = Array.from({ length }, () => WORDS[rng.nextUint32() % WORDS.length]);
    const source = words.join(' ');
    if (seen.has(source)) continue;
    seen.add(source);
    split.source.push(source);
    split.target.push((kind === 'copy' ? words : [...words].reverse()).join(' '));
  }
  return split;
}

/** One corpus line as a pair; a line that is not a pair is an error naming it. */
function parsePair(line: string, number: number): [string, string] {
  const parts = line.includes('\t') ? line.split('\t') : line.split('|||');
  if (parts.length !== 2 || parts[0].trim() === '' || parts[1].trim() === '')
    throw new InputError(
      `pasted corpus, line ${number}: expected "source<TAB>target" or "source ||| target", got "${line.slice(0, 60)}"`,
    );
  return [parts[0].trim(), parts[1].trim()];
}

/** The pasted pairs: a tenth (at least one) held out for validation and as the held-out examples. */
export function pastedTask(text: string): Task {
  const pairs = text
    .split(/\r?\n/)
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => parsePair(line, number));
  if (pairs.length < 2)
    throw new InputError(`pasted corpus: at least 2 sentence pairs are needed, got ${pairs.length}`);
  const held = Math.max(1, Math.round(pairs.length / 10));
  const split = (from: number, to: number): Split => ({
    source: pairs.slice(from, to).map((p) => p[0]),
    target: pairs.slice(from, to).map((p) => p[1]),
  });
  const valid = split(pairs.length - held, pairs.length);
  return { train: split(0, pairs.length - held), valid, test: valid };
}

/** The train, valid and test splits of the chosen task. */
export function makePlaygroundTask(choice: TaskChoice): Task {
  const { kind, seed, train, valid } = choice;
  if (kind === 'pasted') return pastedTask(choice.pasted ?? '');
  if (kind === 'builtin') return makeTask({ seed, train, valid, test: valid });
  const seen = new Set<string>();
  const test = symbolPairs(kind, valid, seed, 3, seen);
  return { test, valid: symbolPairs(kind, valid, seed, 2, seen), train: symbolPairs(kind, train, seed, 1, seen) };
}
