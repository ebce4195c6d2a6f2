// Long Range Arena's ListOps task (Tay et al. 2020, after Nangia & Bowman 2018): nested lists of digits
// under MAX, MIN, MED (median, rounded down) and SM (sum mod 10), whose value 0-9 is the class. Trees
// are sampled as LRA's generator samples them: below the depth limit a node is an operator with
// probability 0.25 (else a digit), an operator takes 2..maxArgs arguments, and a tree is kept when its
// length in tokens ("[MAX", a digit, "]") lies strictly between the bounds; duplicates are dropped.

import { InputError } from '../errors.js';
import { Generator } from '../tensor/random.js';

export const LISTOPS_OPERATORS = ['[MAX', '[MIN', '[MED', '[SM'] as const;
export type ListOpsOperator = (typeof LISTOPS_OPERATORS)[number];
export type ListOpsTree = number | { op: ListOpsOperator; args: ListOpsTree[] };

/** LRA's header line of its TSV files. */
export const LISTOPS_HEADER = 'Source\tTarget';

/** The chance that a node above the depth limit is an operator (LRA's VALUE_P). */
const OPERATOR_P = 0.25;

export interface ListOpsOptions {
  train: number;
  valid: number;
  test: number;
  /** Lengths in tokens, exclusive bounds as in LRA's generator (LRA: 500 and 2000). */
  minLength: number;
  maxLength: number;
  maxDepth: number;
  maxArgs: number;
  seed: number;
}

export const listOpsDefaults: ListOpsOptions = {
  train: 20_000,
  valid: 1000,
  test: 2000,
  minLength: 100,
  maxLength: 500,
  maxDepth: 10,
  maxArgs: 10,
  seed: 1,
};

export interface ListOpsExample {
  source: string;
  target: number;
}

/**
 * One tree from `depth` down, and its length in tokens; null as soon as it passes `limit` tokens, so
 * that the rare huge trees cost nothing (they would be rejected anyway).
 */
export function sampleTree(
  rng: Generator,
  depth: number,
  o: { maxDepth: number; maxArgs: number },
  limit = Infinity,
): { tree: ListOpsTree; length: number } | null {
  if (depth >= o.maxDepth || rng.uniform() > OPERATOR_P) return { tree: rng.nextUint32() % 10, length: 1 };
  const count = 2 + (rng.nextUint32() % (o.maxArgs - 1));
  const args: ListOpsTree[] = [];
  let length = 2;
  for (let i = 0; i < count; i++) {
    const child = sampleTree(rng, depth + 1, o, limit - length);
    if (child === null) return null;
    args.push(child.tree);
    length += child.length;
    if (length > limit) return null;
  }
  const op = LISTOPS_OPERATORS[rng.nextUint32() % LISTOPS_OPERATORS.length];
  return { tree: { op, args }, length };
}

/** The tree as LRA's tokens, space-separated: `[MAX 2 9 [MIN 4 7 ] 0 ]`. */
export function listOpsText(tree: ListOpsTree): string {
  if (typeof tree === 'number') return String(tree);
  return [tree.op, ...tree.args.map(listOpsText), ']'].join(' ');
}

/** The value of a tree: MED of an even count is the mean of the two middle values, rounded down. */
export function listOpsValue(tree: ListOpsTree): number {
  if (typeof tree === 'number') return tree;
  const values = tree.args.map(listOpsValue);
  switch (tree.op) {
    case '[MAX':
      return Math.max(...values);
    case '[MIN':
      return Math.min(...values);
    case '[SM':
      return values.reduce((a, b) => a + b, 0) % 10;
    case '[MED': {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 === 1 ? sorted[mid] : Math.floor((sorted[mid - 1] + sorted[mid]) / 2);
    }
  }
}

export class ListOpsError extends InputError {}

/** Checks the options, naming the setting that is out of range. */
export function checkListOpsOptions(o: ListOpsOptions): void {
  const whole = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min)
      throw new ListOpsError(`${name} must be a whole number >= ${min}, got ${value}`);
  };
  whole('train', o.train, 1);
  whole('valid', o.valid, 0);
  whole('test', o.test, 0);
  whole('minLength', o.minLength, 0);
  whole('maxLength', o.maxLength, o.minLength + 2);
  whole('maxDepth', o.maxDepth, 1);
  whole('maxArgs', o.maxArgs, 2);
  whole('seed', o.seed, 0);
  // A root operator with maxArgs digit arguments per level bounds the longest tree LRA's sampler can make.
  let longest = 1;
  for (let d = 1; d < o.maxDepth; d++) longest = 2 + o.maxArgs * longest;
  if (longest <= o.minLength)
    throw new ListOpsError(
      `minLength ${o.minLength}: trees of depth ${o.maxDepth} with ${o.maxArgs} arguments have at most ${longest} tokens`,
    );
}

/** The train, valid and test examples: distinct trees, drawn in one stream and split in order. */
export function makeListOps(o: ListOpsOptions): {
  train: ListOpsExample[];
  valid: ListOpsExample[];
  test: ListOpsExample[];
} {
  checkListOpsOptions(o);
  const rng = new Generator(o.seed);
  const wanted = o.train + o.valid + o.test;
  const seen = new Set<string>();
  const all: ListOpsExample[] = [];
  const maxTries = 1000 * wanted + 1_000_000;
  for (let tries = 0; all.length < wanted; tries++) {
    if (tries > maxTries)
      throw new ListOpsError(
        `found only ${all.length} of ${wanted} distinct trees with ${o.minLength} < length < ${o.maxLength} in ${maxTries} tries`,
      );
    const sampled = sampleTree(rng, 1, o, o.maxLength - 1);
    if (sampled === null || sampled.length <= o.minLength || sampled.length >= o.maxLength) continue;
    const source = listOpsText(sampled.tree);
    if (seen.has(source)) continue;
    seen.add(source);
    all.push({ source, target: listOpsValue(sampled.tree) });
  }
  return {
    train: all.slice(0, o.train),
    valid: all.slice(o.train, o.train + o.valid),
    test: all.slice(o.train + o.valid),
  };
}

/** A TSV file's text: LRA's header, then `source<TAB>target` lines. */
export function listOpsTsv(examples: readonly ListOpsExample[]): string {
  return [LISTOPS_HEADER, ...examples.map((e) => `${e.source}\t${e.target}`)].join('\n') + '\n';
}
