// `transformer bleu`: text and sacreBLEU's JSON output, several references, sentence scores, sacreBLEU's
// own command-line forms (REF... -i HYP, REF < HYP) scoring exactly as ours, and bad input reported in
// one line (exit code 2 for the command line, 1 for the files).

import test from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'bleu-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

function run(...args: string[]) {
  return runWith(undefined, ...args);
}

/** With `stdin` as standard input: a string is piped in, a file path is opened as the redirected file. */
function runWith(stdin: string | Buffer | { file: string } | undefined, ...args: string[]) {
  const piped = typeof stdin === 'string' || Buffer.isBuffer(stdin);
  const input = piped ? stdin : undefined;
  const fd = stdin !== undefined && !piped ? openSync(stdin.file, 'r') : undefined;
  try {
    return runCli(['bleu', ...args], { input, stdinFd: fd });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const json = (out: string) => JSON.parse(out) as Record<string, unknown>;

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

test("--json: sacreBLEU's object (its keys in its order, the score to --width), then the statistics", () => {
  const r = run(hyp, ref1, ref2, '--json');
  assert.equal(r.code, 0, r.err);
  const j = json(r.out);
  assert.deepEqual(Object.keys(j).slice(0, 10), [
    'name',
    'score',
    'signature',
    'verbose_score',
    'nrefs',
    'case',
    'eff',
    'tok',
    'smooth',
    'version',
  ]);
  assert.equal(j.name, 'BLEU');
  assert.equal(j.score, 48.5, "sacreBLEU's default width is 1");
  assert.equal(j.verbose_score, '82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)');
  assert.deepEqual([j.nrefs, j.case, j.eff, j.tok, j.smooth, j.version], ['2', 'mixed', 'no', '13a', 'exp', '2.6.0']);
  assert.match(r.out, /^\{\n "name": "BLEU",\n "score": 48\.5,\n/, 'laid out as sacreBLEU prints it');
  const wide = json(run(hyp, ref1, ref2, '-f', 'json', '-w', '6').out);
  assert.ok(Math.abs((wide.score as number) - 48.530827) < 1e-6);
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
  const [b, c] = JSON.parse(r.out) as { name: string; signature: string; nc: string }[];
  assert.equal(b.signature, 'nrefs:1|case:lc|eff:no|tok:intl|smooth:exp|version:2.6.0');
  assert.equal(c.name, 'chrF2');
  assert.equal(c.nc, '6');
  assert.ok(!('verbose_score' in c));
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
  const j = json(run(withBom, plain, '--json').out);
  assert.deepEqual(j.counts, [3, 2, 1, 0]); // "\ufeffa" is a word of its own; "\r" is stripped
});

test('bad input: one clear line, exit code 1 for the files and 2 for the command line', () => {
  const short = file('short.txt', 'one line\n');
  let r = run(hyp, short);
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    `transformer bleu: ${short} has 1 lines but ${hyp} has 3; each reference file needs one line per hypothesis\n`,
  );
  const bad = file(
    'bad.txt',
    Buffer.concat([Buffer.from('ok\nbad '), Buffer.from([0xc3, 0x28]), Buffer.from('\nx\n')]),
  );
  r = run(bad, ref1);
  assert.equal(r.code, 1);
  assert.equal(r.err, `transformer bleu: ${bad}:2: invalid UTF-8 byte 0xc3 at byte column 5\n`);
  r = runWith(readFileSync(bad), ref1);
  assert.equal(r.err, `transformer bleu: stdin:2: invalid UTF-8 byte 0xc3 at byte column 5\n`, 'the same check');
  const emptyRef = file('empty.txt', 'a\n\nc\n');
  r = run(hyp, emptyRef);
  assert.equal(r.code, 1);
  assert.match(r.err, /line 2: every reference is empty/);
  for (const args of [
    [],
    [ref1, '-i'],
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
  assert.equal(r.code, 1);
  assert.match(r.err, /missing\.txt: no such file or folder \(ENOENT\)\n$/);
  r = run(root, ref1);
  assert.equal(r.code, 1);
  assert.match(r.err, /bleu-\w+: is a folder, a file was expected \(EISDIR\)\n$/);
});

test("sacreBLEU's forms score as ours: REF... -i HYP, REF < HYP, REF... -i - with HYP piped in", () => {
  const classic = run(hyp, ref1, ref2, '--json');
  assert.equal(classic.code, 0, classic.err);
  const hypText = readFileSync(hyp, 'utf8');
  const forms = [
    run(ref1, ref2, '-i', hyp, '--json'),
    run(ref1, ref2, '--input', hyp, '-f', 'json'),
    runWith(hypText, ref1, ref2, '-i', '-', '--json'),
  ];
  for (const form of forms) {
    assert.equal(form.code, 0, form.err);
    assert.deepEqual(json(form.out), json(classic.out));
  }
  const one = run(hyp, ref1);
  for (const form of [runWith({ file: hyp }, ref1), runWith(hypText, ref1), run(ref1, '-i', hyp)]) {
    assert.equal(form.code, 0, form.err);
    assert.equal(form.out, one.out);
  }
  // sacreBLEU's short flags, and its space-separated metrics.
  const short = run(ref1, '-i', hyp, '-tok', 'intl', '-lc', '-m', 'bleu', 'chrf', '-f', 'json');
  const long = run(hyp, ref1, '--tokenize', 'intl', '--lowercase', '--metrics', 'bleu,chrf', '--json');
  assert.equal(short.code, 0, short.err);
  assert.equal(short.out, long.out);
  const scoreOnly = run(ref1, '-i', hyp, '-b', '-w', '3');
  assert.match(scoreOnly.out, /^\d+\.\d{3}\n$/);
});

test('two or more files with hypotheses redirected from a file is refused as ambiguous', () => {
  const r = runWith({ file: hyp }, ref1, ref2);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /standard input is a file and 2 files are given: .*ref1\.txt" would be read as the hypotheses; write bleu REF \[REF \.\.\.\] -i - /,
  );
  assert.equal(r.err.trim().split('\n').length, 1);
});
