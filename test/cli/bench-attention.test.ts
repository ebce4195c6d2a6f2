// `transformer bench attention`: the JSON rows scripts read, the memory limit, the picture, and usage errors
// (no timing asserts beyond "more than nothing").

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const run = (...args: string[]) => runCli(['bench', 'attention', '--threads', '1', ...args]);

type Row = Record<string, unknown> & { kind: string; seq: number };

const rows = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);

test('--json prints one row per length with times, peak bytes that grow as N^2 for full attention, and the setup', () => {
  const result = run('--seq', '64,128,256', '--repeats', '2', '--heads', '2', '--head-dim', '8', '--json');
  assert.equal(result.code, 0, result.err);
  const table = rows(result.out);
  assert.deepEqual(
    table.map((r) => [r.kind, r.seq]),
    [
      ['full', 64],
      ['full', 128],
      ['full', 256],
    ],
  );
  for (const r of table) {
    for (const key of ['forwardMs', 'backwardMs', 'totalMs', 'peakBytes'])
      assert.ok(typeof r[key] === 'number' && (r[key] as number) > 0, `${key} ${r[key]}`);
    assert.deepEqual(r.spec, { kind: 'full' });
    assert.equal(r.pairs, 2 * r.seq * r.seq);
    assert.equal(r.heads, 2);
    assert.equal(r.headDim, 8);
    assert.equal(r.causal, false);
  }
  const peaks = table.map((r) => r.peakBytes as number);
  // At least the (B, h, N, N) weights, which make the peak grow faster than N.
  table.forEach((r, k) => assert.ok(peaks[k] >= 2 * r.seq * r.seq * 4, `${peaks[k]} at N=${r.seq}`));
  assert.ok(peaks[2] > 2.5 * peaks[1] && peaks[1] > 2.5 * peaks[0], peaks.join(' '));
  assert.match(result.err, /full\s+256\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+N\^/, 'the table goes to stderr');
});

test('a length whose full attention would pass --max-memory is skipped with the reason', () => {
  const result = run('--seq', '16,4096', '--max-memory', '64MiB', '--repeats', '1', '--warmup', '0', '--json');
  assert.equal(result.code, 0, result.err);
  const [small, big] = rows(result.out);
  assert.ok((small.totalMs as number) > 0);
  assert.equal(big.totalMs, undefined);
  assert.match(
    String(big.skipped),
    /needs about 0\.\d+ GiB \(its \(B, h, N, N\) weights\), over --max-memory 0\.06 GiB/,
  );
});

test('--out draws time and memory against N, one series per kind', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-attention-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'attention.svg');
  const result = run('--seq', '16,32', '--repeats', '1', '--warmup', '0', '--head-dim', '8', '--out', out);
  assert.equal(result.code, 0, result.err);
  assert.match(result.out, /full\s+32\s/);
  const svg = readFileSync(out, 'utf8');
  assert.match(svg, /forward \+ backward/);
  assert.match(svg, /peak tensor memory/);
  assert.equal([...svg.matchAll(/<path class="series" data-name="full"/g)].length, 2);
});

test('the efficient kinds grow about linearly: 4x the length costs well under 16x the memory', () => {
  const result = run('--kind', 'local,linear', '--set', 'window=16', '--seq', '256,1024', '--causal', '--json');
  const table = rows(result.out);
  const failed = table.find((r) => r.error !== undefined);
  assert.equal(failed, undefined, `${failed?.kind}: ${String(failed?.error)}`);
  assert.equal(result.code, 0, result.err);
  for (const kind of ['local', 'linear']) {
    const [short, long] = table.filter((r) => r.kind === kind).map((r) => r.peakBytes as number);
    assert.ok(long < 6 * short, `${kind}: ${short} -> ${long} bytes`);
  }
  assert.deepEqual(table[0].spec, { kind: 'local', window: 16 });
  assert.equal(table[0].pairs, (17 * 256 - (16 * 17) / 2) * 4, 'local, causal: min(i, w) + 1 keys per query, 4 heads');
});

test('unknown kinds, unknown settings and bad values are usage errors that name them', () => {
  const cases: [string[], RegExp][] = [
    [['--kind', 'bogus'], /unknown kind "bogus"; one of full, local/],
    [['--kind', 'full,local', '--set', 'windw=3'], /--set windw: not a setting of "full", "local"/],
    [['--kind', 'local', '--set', 'window=0'], /window must be an integer >= 1, got 0/],
    [['--kind', 'pooling', '--causal'], /--kind pooling: .*cannot be causal/],
    [['--seq', '12,x'], /--seq must be an integer/],
    [['--max-memory', 'lots'], /--max-memory must be a size like 8GiB/],
    [['--out', 'picture.gif'], /--out must name a file ending in .svg or .png/],
    [['--frobnicate'], /frobnicate/],
  ];
  for (const [args, message] of cases) {
    const result = run(...args);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.err, message);
    assert.doesNotMatch(result.err, /at .*\.js:\d+/, 'no stack trace');
  }
});

test('--from draws the table and picture of earlier --json runs, one series per kind across files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-attention-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = run('--kind', 'full', '--seq', '16,32', '--repeats', '1', '--warmup', '0', '--head-dim', '8', '--json');
  const second = run(
    '--kind',
    'local',
    '--set',
    'window=4',
    '--seq',
    '16,32',
    '--repeats',
    '1',
    '--warmup',
    '0',
    '--head-dim',
    '8',
    '--json',
  );
  assert.equal(first.code, 0, first.err);
  assert.equal(second.code, 0, second.err);
  const [a, b, out] = ['full.jsonl', 'local.jsonl', 'both.svg'].map((f) => join(dir, f));
  writeFileSync(a, first.out);
  writeFileSync(b, second.out);
  const redrawn = run('--from', a, '--from', b, '--out', out);
  assert.equal(redrawn.code, 0, redrawn.err);
  assert.match(redrawn.out, /full\s+32\s/);
  assert.match(redrawn.out, /local window=4\s+32\s.*N\^/);
  const svg = readFileSync(out, 'utf8');
  assert.equal([...svg.matchAll(/<path class="series" data-name="full"/g)].length, 2);
  assert.equal([...svg.matchAll(/<path class="series" data-name="local window=4"/g)].length, 2);

  writeFileSync(a, `${first.out}{"kind": 3}\n`);
  const bad = run('--from', a);
  assert.equal(bad.code, 1, 'a bad file is bad input, not a wrong command line');
  assert.match(bad.err, /full\.jsonl:3: expected a bench attention --json line/);
});

test('--reference adds the dense reference rows of the kinds that have one; --decode times steps on the cache', () => {
  const small = ['--repeats', '1', '--warmup', '0', '--heads', '2', '--head-dim', '4', '--json'];
  const result = run('--kind', 'adaptive-span,local', '--set', 'maxSpan=8', '--seq', '64,128', '--reference', ...small);
  assert.equal(result.code, 0, result.err);
  assert.deepEqual(
    rows(result.out).map((r) => [r.kind, r.seq, r.reference ?? false]),
    [
      ['adaptive-span', 64, false],
      ['adaptive-span', 128, false],
      ['adaptive-span', 64, true],
      ['adaptive-span', 128, true],
      ['local', 64, false],
      ['local', 128, false],
    ],
  );
  assert.match(result.err, /adaptive-span maxSpan=8 .*\(dense reference\)\s+128\s/);
  const decoding = run('--kind', 'linear', '--decode', '--causal', '--seq', '32', '--reference', ...small);
  assert.equal(decoding.code, 0, decoding.err);
  const [state, keys] = rows(decoding.out);
  assert.deepEqual([state.decode, keys.decode, keys.reference], [true, true, true]);
  assert.ok((state.totalMs as number) > 0 && state.backwardMs === 0);
  // The running sums stay one (dK, dV) matrix per head; the keys and values grow with every step.
  assert.ok((state.peakBytes as number) < (keys.peakBytes as number), `${state.peakBytes} vs ${keys.peakBytes}`);
});
