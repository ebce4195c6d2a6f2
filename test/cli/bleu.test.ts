// `transformer bleu`: text and JSON output, several references, sentence scores, and bad input
// reported in one line with exit code 2.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'bleu-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'bleu', ...args], { encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

const hyp = file('hyp.txt', "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n");
const ref1 = file('ref1.txt', 'The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n');
const ref2 = file('ref2.txt', 'The dog had bit the man.\nNo one was surprised.\nThe man had bitten the dog.');

test("text output: sacreBLEU's score line and the signature", () => {
  const r = run(hyp, ref1, ref2);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    'BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)\n' +
      'signature: nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0\n',
  );
});

test('--json: the last line is one object with the score, signature and statistics', () => {
  const r = run(hyp, ref1, ref2, '--json');
  assert.equal(r.code, 0, r.err);
  const j = lastJson(r.out);
  assert.ok(Math.abs((j.score as number) - 48.530827) < 1e-6);
  assert.equal(j.signature, 'nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0');
  assert.deepEqual(j.counts, [14, 7, 5, 3]);
  assert.deepEqual(j.totals, [17, 14, 11, 8]);
  assert.equal(j.hyp_len, 17);
  assert.equal(j.ref_len, 18);
  for (const key of ['precisions', 'bp', 'ratio']) assert.ok(key in j, key);
});

test('--tokenize, --lowercase and --metrics bleu,chrf change the signatures', () => {
  const r = run(hyp, ref1, '--metrics', 'bleu,chrf', '--tokenize', 'intl', '--lowercase', '--json');
  assert.equal(r.code, 0, r.err);
  const [b, c] = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { name: string; signature: string });
  assert.equal(b.signature, 'nrefs:1|case:lc|eff:no|tok:intl|smooth:exp|version:2.6.0');
  assert.equal(c.name, 'chrF2');
  assert.equal(c.signature, 'nrefs:1|case:lc|eff:yes|nc:6|nw:0|space:no|version:2.6.0');
  const plus = run(hyp, ref1, '--metrics', 'chrf', '--chrf-word-order', '2');
  assert.match(plus.out, /^chrF2\+\+ = \d+\.\d\d\nsignature: nrefs:1\|case:mixed\|eff:yes\|nc:6\|nw:2\|/);
});

test('--sentence: one score per line with effective order', () => {
  const r = run(hyp, ref1, '--sentence', '--json');
  assert.equal(r.code, 0, r.err);
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; score: number; signature: string });
  assert.deepEqual(
    lines.map((l) => l.line),
    [1, 2, 3],
  );
  assert.ok(Math.abs(lines[0].score - 100) < 1e-9);
  assert.match(lines[0].signature, /\|eff:yes\|/);
  const text = run(hyp, ref1, '--sentence');
  assert.match(text.out, /^BLEU = 100\.00 /);
  assert.match(text.out, /\nBLEU signature: nrefs:1\|case:mixed\|eff:yes\|tok:13a\|smooth:exp\|version:2\.6\.0\n$/);
});

test('a byte-order mark and a carriage return are read as sacreBLEU reads them', () => {
  const withBom = file('bom.txt', '\ufeffa b c d\r\n');
  const plain = file('plain.txt', 'a b c d\n');
  const j = lastJson(run(withBom, plain, '--json').out);
  assert.deepEqual(j.counts, [3, 2, 1, 0]); // "\ufeffa" is a word of its own; "\r" is stripped
});

test('bad input: one clear line and exit code 2', () => {
  const short = file('short.txt', 'one line\n');
  let r = run(hyp, short);
  assert.equal(r.code, 2);
  assert.equal(r.err, `transformer bleu: ${short} has 1 lines but ${hyp} has 3\n`);
  const bad = file(
    'bad.txt',
    Buffer.concat([Buffer.from('ok\nbad '), Buffer.from([0xc3, 0x28]), Buffer.from('\nx\n')]),
  );
  r = run(bad, ref1);
  assert.equal(r.code, 2);
  assert.equal(r.err, `transformer bleu: ${bad}:2: invalid UTF-8 byte 0xc3 at byte column 5\n`);
  const emptyRef = file('empty.txt', 'a\n\nc\n');
  r = run(hyp, emptyRef);
  assert.equal(r.code, 2);
  assert.match(r.err, /line 2: every reference is empty/);
  for (const args of [
    [hyp],
    [hyp, ref1, '--tokenize', 'zh'],
    [hyp, ref1, '--metrics', 'ter'],
    [hyp, ref1, '--bogus'],
  ]) {
    r = run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.err.trim().split('\n')[0].startsWith('transformer bleu: '), true, r.err);
    assert.doesNotMatch(r.err, /\n\s+at /); // no stack trace
  }
  r = run(join(root, 'missing.txt'), ref1);
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot read .*missing\.txt/);
});
