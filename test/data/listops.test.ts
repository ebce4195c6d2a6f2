// ListOps as LRA generates it: every example's label is its value under an evaluator written apart from
// the generator (a stack machine over the tokens), lengths stay strictly inside the bounds, depth and
// argument counts within their limits, MED rounds down, and a seed gives the same files.

import test from 'node:test';
import assert from 'node:assert/strict';
import { listOpsTsv, listOpsValue, makeListOps, LISTOPS_HEADER, type ListOpsOptions } from '../../src/data/listops.js';

/** Evaluates a source string token by token, with its own reading of the operators. */
function evaluate(source: string): { value: number; depth: number; maxArgs: number; tokens: number } {
  const tokens = source.split(' ');
  const stack: { op: string; args: number[] }[] = [];
  let result = NaN;
  let depth = 0;
  let maxArgs = 0;
  for (const token of tokens) {
    if (token.startsWith('[')) {
      stack.push({ op: token.slice(1), args: [] });
      depth = Math.max(depth, stack.length);
      continue;
    }
    let value: number;
    if (token === ']') {
      const { op, args } = stack.pop()!;
      maxArgs = Math.max(maxArgs, args.length);
      const sorted = [...args].sort((a, b) => a - b);
      const n = sorted.length;
      value = {
        MAX: sorted[n - 1],
        MIN: sorted[0],
        SM: args.reduce((a, b) => a + b, 0) % 10,
        MED: n % 2 ? sorted[(n - 1) / 2] : Math.trunc((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
      }[op]!;
      assert.ok(value !== undefined, `unknown operator ${op}`);
    } else {
      assert.match(token, /^\d$/);
      value = Number(token);
    }
    if (stack.length === 0) result = value;
    else stack[stack.length - 1].args.push(value);
  }
  assert.equal(stack.length, 0, 'unbalanced brackets');
  return { value: result, depth: depth + 1, maxArgs, tokens: tokens.length };
}

const small: ListOpsOptions = {
  train: 300,
  valid: 20,
  test: 30,
  minLength: 20,
  maxLength: 60,
  maxDepth: 6,
  maxArgs: 5,
  seed: 7,
};

test('every generated example evaluates to its label and respects the length, depth and argument bounds', () => {
  const sets = makeListOps(small);
  assert.deepEqual([sets.train.length, sets.valid.length, sets.test.length], [300, 20, 30]);
  const all = [...sets.train, ...sets.valid, ...sets.test];
  assert.equal(new Set(all.map((e) => e.source)).size, all.length, 'examples are distinct');
  const labels = new Set<number>();
  for (const e of all) {
    const r = evaluate(e.source);
    assert.equal(r.value, e.target, e.source);
    assert.ok(r.tokens > small.minLength && r.tokens < small.maxLength, `${r.tokens} tokens`);
    assert.ok(r.depth <= small.maxDepth, `depth ${r.depth}`);
    assert.ok(r.maxArgs >= 2 && r.maxArgs <= small.maxArgs, `${r.maxArgs} arguments`);
    labels.add(e.target);
  }
  assert.ok(labels.size >= 8, `labels seen: ${[...labels]}`);
});

test('MED of an even count is the mean of the middle two rounded down; SM is the sum mod 10', () => {
  assert.equal(listOpsValue({ op: '[MED', args: [1, 4] }), 2);
  assert.equal(listOpsValue({ op: '[MED', args: [9, 0, 3] }), 3);
  assert.equal(listOpsValue({ op: '[SM', args: [9, 9, { op: '[MAX', args: [2, 5] }] }), 3);
});

test("the TSV is LRA's: a Source<TAB>Target header, then one example per line; a seed repeats it", () => {
  const a = listOpsTsv(makeListOps({ ...small, train: 5, valid: 0, test: 0 }).train);
  const b = listOpsTsv(makeListOps({ ...small, train: 5, valid: 0, test: 0 }).train);
  assert.equal(a, b);
  const lines = a.trimEnd().split('\n');
  assert.equal(lines[0], LISTOPS_HEADER);
  assert.equal(lines.length, 6);
  for (const line of lines.slice(1)) assert.match(line, /^\[(MAX|MIN|MED|SM) .* \]\t\d$/);
});

test('bounds no tree can meet are refused by name', () => {
  assert.throws(
    () => makeListOps({ ...small, maxDepth: 2, maxArgs: 3, minLength: 10 }),
    /^Error: minLength 10: trees of depth 2/,
  );
});
