// The ListOps reference rules: the parser reads back every generated source into a tree of the same value
// and text, refuses malformed sources naming the token, and each rule scores what it is defined to score on
// examples worked by hand.

import test from 'node:test';
import assert from 'node:assert/strict';
import { listOpsBaselines, parseListOps } from '../../src/data/listops-baselines.js';
import { listOpsText, listOpsValue, makeListOps, ListOpsError } from '../../src/data/listops.js';

test('parseListOps reads every generated source back to the same text and value', () => {
  const { train } = makeListOps({
    train: 300,
    valid: 0,
    test: 0,
    minLength: 10,
    maxLength: 200,
    maxDepth: 10,
    maxArgs: 10,
    seed: 7,
  });
  for (const { source, target } of train) {
    const tree = parseListOps(source);
    assert.equal(listOpsText(tree), source);
    assert.equal(listOpsValue(tree), target);
  }
});

test('parseListOps names the token of a malformed source', () => {
  assert.throws(
    () => parseListOps('[MAX 2 [MIN 4 ] ] 3'),
    (e: Error) => e instanceof ListOpsError && /token 7 \("3"\)/.test(e.message),
  );
  assert.throws(() => parseListOps('[MAX 2 12 ]'), /token 3 \("12"\): expected a digit 0-9/);
  assert.throws(() => parseListOps('[MAX 2 [MIN 4'), /end of line/);
  assert.throws(() => parseListOps('[SM ]'), /at least one argument/);
  const good = { source: '[MAX 1 2 ]', target: 2 };
  assert.throws(
    () => listOpsBaselines([good], [good, { source: '[MIN 1', target: 1 }]),
    (e: Error) => e instanceof ListOpsError && /^test example 2: ListOps source, token 3 /.test(e.message),
  );
});

test('each reference rule scores what its definition gives on hand-worked examples', () => {
  const ex = (source: string) => ({ source, target: listOpsValue(parseListOps(source)) });
  // Training answers: MAX 9, 9, 5 and MIN 0, 0, so the priors are MAX -> 9 and MIN -> 0; classes 0 and 9 tie
  // for the majority and the smaller, 0, answers.
  const train = [
    ex('[MAX 9 1 ]'),
    ex('[MAX 2 [MIN 9 9 ] ]'),
    ex('[MAX 5 [MIN 0 1 ] ]'),
    ex('[MIN 0 3 ]'),
    ex('[MIN 4 [MAX 0 0 ] ]'),
  ];
  const test_ = [
    ex('[MAX 3 [MIN 9 9 ] ]'), // 9: prior right; leading digits 3 -> unseen key, prior 9: right; direct digits 3: wrong
    ex('[MAX 5 [MIN 1 2 ] ]'), // 5: prior 9 wrong; leading (MAX,5) -> 5 right; direct 5 right
    ex('[MIN 4 [MAX 7 ] 2 ]'), // 2: prior 0 wrong; leading (MIN,4) -> 0 wrong; direct min(4,2) = 2 right
    ex('[MIN 0 6 ]'), // 0: prior right; leading (MIN,0) -> 0 right; direct right
  ];
  assert.deepEqual(listOpsBaselines(train, test_), {
    majorityClass: 1 / 4, // only the last answer is 0
    rootOperatorPrior: 2 / 4,
    leadingDigits: 3 / 4,
    directDigits: 3 / 4,
  });
});
