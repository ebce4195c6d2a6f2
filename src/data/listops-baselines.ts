// Reference points for a ListOps classifier that need no neural network: what an answer scores when it
// knows only the class frequencies, only the root operator, or the root operator and some of its direct
// arguments. A model whose accuracy sits at the root-operator prior has learned the first token and little
// of the nesting; the direct-argument rules show how much the top level alone is worth.

import {
  LISTOPS_OPERATORS,
  ListOpsError,
  listOpsValue,
  type ListOpsExample,
  type ListOpsOperator,
  type ListOpsTree,
} from './listops.js';

/** A source such as `[MAX 2 9 [MIN 4 7 ] 0 ]` as a tree; a malformed one names the token at fault. */
export function parseListOps(source: string): ListOpsTree {
  const tokens = source.trim().split(/\s+/);
  let at = 0;
  const fail = (what: string): never => {
    throw new ListOpsError(`ListOps source, token ${at + 1} ("${tokens[at] ?? 'end of line'}"): ${what}`);
  };
  const node = (): ListOpsTree => {
    const token = tokens[at];
    if (token === undefined) return fail('expected a digit or an operator');
    if (/^[0-9]$/.test(token)) {
      at++;
      return Number(token);
    }
    if (!(LISTOPS_OPERATORS as readonly string[]).includes(token))
      return fail(`expected a digit 0-9 or one of ${LISTOPS_OPERATORS.join(' ')}`);
    at++;
    const args: ListOpsTree[] = [];
    while (tokens[at] !== ']') args.push(node());
    at++;
    if (args.length === 0) return fail('an operator needs at least one argument');
    return { op: token as ListOpsOperator, args };
  };
  const tree = node();
  if (at !== tokens.length) fail('expected the end of the expression');
  return tree;
}

/** The root's direct digit arguments: all of them, or only the run of digits before its first nested list. */
function directDigits(tree: ListOpsTree, leadingOnly: boolean): number[] {
  if (typeof tree === 'number') return [tree];
  const digits: number[] = [];
  for (const arg of tree.args) {
    if (typeof arg === 'number') digits.push(arg);
    else if (leadingOnly) break;
  }
  return digits;
}

function rootOperator(tree: ListOpsTree): string {
  return typeof tree === 'number' ? 'digit' : tree.op;
}

/** The root operator over the digits given (null when there are none). */
function rootOver(tree: ListOpsTree, digits: number[]): number | null {
  if (digits.length === 0) return null;
  return typeof tree === 'number' ? tree : listOpsValue({ op: tree.op, args: digits });
}

/** Most frequent answer per key among the training examples; a key never seen falls back to `fallback`. */
function lookupTable(
  train: readonly { tree: ListOpsTree; target: number }[],
  key: (tree: ListOpsTree) => string,
): (tree: ListOpsTree, fallback: number) => number {
  const counts = new Map<string, number[]>();
  for (const { tree, target } of train) {
    const k = key(tree);
    const row = counts.get(k) ?? new Array<number>(10).fill(0);
    row[target]++;
    counts.set(k, row);
  }
  return (tree, fallback) => {
    const row = counts.get(key(tree));
    if (row === undefined) return fallback;
    return row.indexOf(Math.max(...row));
  };
}

export interface ListOpsBaselines {
  /** The most frequent answer of the training set, always. */
  majorityClass: number;
  /** The most frequent training answer for the test example's root operator. */
  rootOperatorPrior: number;
  /** The most frequent training answer for (root operator, its value over the digits before its first nested list). */
  leadingDigits: number;
  /** The root operator over all its direct digit arguments, nested lists ignored (the prior when it has none). */
  directDigits: number;
}

/** Test accuracy (0-1) of each rule, its tables learned from `train`. */
export function listOpsBaselines(train: readonly ListOpsExample[], test: readonly ListOpsExample[]): ListOpsBaselines {
  if (train.length === 0 || test.length === 0) throw new ListOpsError('baselines need training and test examples');
  const parsed = (examples: readonly ListOpsExample[], which: string) =>
    examples.map((e, i) => {
      // An answer outside 0-9 would count into no class and skew every rule without a word.
      if (!Number.isInteger(e.target) || e.target < 0 || e.target > 9)
        throw new ListOpsError(`${which} example ${i + 1}: the answer must be a digit 0-9, got ${e.target}`);
      try {
        return { tree: parseListOps(e.source), target: e.target };
      } catch (error) {
        throw new ListOpsError(`${which} example ${i + 1}: ${(error as Error).message}`);
      }
    });
  const trainTrees = parsed(train, 'training');
  const testTrees = parsed(test, 'test');
  const majority = lookupTable(trainTrees, () => '')(0, 0);
  const prior = lookupTable(trainTrees, rootOperator);
  const leading = lookupTable(trainTrees, (t) => `${rootOperator(t)} ${rootOver(t, directDigits(t, true))}`);
  const accuracy = (predict: (tree: ListOpsTree) => number) =>
    testTrees.filter(({ tree, target }) => predict(tree) === target).length / testTrees.length;
  return {
    majorityClass: accuracy(() => majority),
    rootOperatorPrior: accuracy((t) => prior(t, majority)),
    leadingDigits: accuracy((t) => leading(t, prior(t, majority))),
    directDigits: accuracy((t) => rootOver(t, directDigits(t, false)) ?? prior(t, majority)),
  };
}
