// The built-in translation task: deterministic from its seed, sentences of 4-25 words, splits that
// never share a sentence, and a grammar that really reorders, agrees and copies.

import test from 'node:test';
import assert from 'node:assert/strict';
import { makeTask } from '../../src/data/task/builtin-task.js';
import { ARTICLES, VERB_ENDINGS, lexicon, thirdPerson } from '../../src/data/task/lexicon.js';

const options = { seed: 3, train: 3000, valid: 200, test: 200 };
const words = (line: string) => line.slice(0, -1).split(' ');

test('task: the same seed gives identical text, another seed different text', () => {
  const a = makeTask(options);
  assert.deepEqual(makeTask(options), a);
  const b = makeTask({ ...options, seed: 4 });
  assert.notDeepEqual(b.train.source, a.train.source);
  assert.notDeepEqual(b.test.target, a.test.target);
  // The test set does not depend on how much training data is drawn.
  assert.deepEqual(makeTask({ ...options, train: 10 }).test, a.test);
});

test('task: split sizes, 4-25 words, no source sentence in two splits, varied lengths', () => {
  const task = makeTask(options);
  assert.equal(task.train.source.length, 3000);
  assert.equal(task.valid.target.length, 200);
  assert.equal(task.test.source.length, 200);
  const all = [...task.train.source, ...task.valid.source, ...task.test.source];
  assert.equal(new Set(all).size, all.length);
  const lengths = task.train.source.map((s) => words(s).length);
  assert.equal(Math.min(...lengths), 4);
  assert.ok(Math.max(...lengths) >= 22 && Math.max(...lengths) <= 25);
  for (const [i, s] of task.train.source.entries()) {
    assert.match(s, /^[A-Z0-9].*[^ ]\.$/);
    // Every source word has one target word (that <-> ke): reordering, not insertion or deletion.
    assert.equal(words(task.train.target[i]).length, words(s).length, `${s} / ${task.train.target[i]}`);
  }
});

test('task: names and numbers are copied verbatim and are mostly too rare to memorise', () => {
  const task = makeTask(options);
  const counts = new Map<string, number>();
  for (const [i, s] of task.train.source.entries()) {
    const copied = words(s).filter((w, k) => /^[0-9]+$/.test(w) || (k > 0 && /^[A-Z]/.test(w)));
    for (const w of copied) {
      assert.ok(words(task.train.target[i]).includes(w), `${w} copied into ${task.train.target[i]}`);
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const names = [...counts.keys()].filter((w) => /^[A-Z]/.test(w));
  assert.ok(names.length > 300, `${names.length} names`);
  const once = names.filter((w) => counts.get(w) === 1).length;
  assert.ok(once / names.length > 0.8, `${once} of ${names.length} names occur once`);
});

test('task: verb-final target; article and verb ending agree with the subject noun', () => {
  const lex = lexicon();
  const nouns = new Map(lex.nouns.map((n) => [n.source, n]));
  const verbs = new Map(lex.transitive.map((v) => [thirdPerson(v.source), v]));
  const task = makeTask({ ...options, train: 20000 });
  let checked = 0;
  for (const [i, s] of task.train.source.entries()) {
    // "The <noun> <verb>s the <noun>." -> "<Art> <noun> <art> <noun> <verb><ending>."
    const m = /^The (\w+) (\w+) the (\w+)\.$/.exec(s);
    const subject = nouns.get(m?.[1] ?? '');
    const verb = verbs.get(m?.[2] ?? '');
    const object = nouns.get(m?.[3] ?? '');
    if (m === null || subject === undefined || verb === undefined || object === undefined) continue;
    const target = words(task.train.target[i]);
    const article = ARTICLES.definite[subject.gender][0];
    assert.deepEqual(target, [
      article[0].toUpperCase() + article.slice(1),
      subject.stem,
      ARTICLES.definite[object.gender][0],
      object.stem,
      verb.target + VERB_ENDINGS[subject.gender][0],
    ]);
    checked++;
  }
  assert.ok(checked >= 20, `${checked} simple sentences checked`);
  const genders = new Set(lex.nouns.map((n) => n.gender));
  assert.equal(genders.size, 3);
});

test('task: a vocabulary of a few hundred words besides names and numbers', () => {
  const task = makeTask(options);
  for (const side of ['source', 'target'] as const) {
    const vocabulary = new Set<string>();
    for (const line of task.train[side]) {
      for (const w of words(line)) if (!/^[0-9]/.test(w) && !/^[A-Z][a-z]+$/.test(w)) vocabulary.add(w);
    }
    assert.ok(vocabulary.size > 200 && vocabulary.size < 1500, `${side}: ${vocabulary.size} words`);
  }
});
