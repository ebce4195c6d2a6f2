// `transformer data` as users run it: make-task writes the same files for the same seed; get, against
// mirrors the tests build on 127.0.0.1, reports a wrong file, an HTTP error or a broken archive in one
// line with exit 1 and keeps nothing; with the real corpora present (test/helpers/shared-data.ts) it
// fetches the real data set table from a local mirror of them and checks every hash.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DATASETS } from '../../src/data/datasets.js';
import { refusedUrl, serve, sharedData, tar, tempDir } from './helpers.js';

const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

/** Runs the command without blocking this process, which may be serving its downloads. */
async function run(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

test('cli: data make-task writes six files, identical for the same seed', async (t) => {
  const dir = tempDir(t);
  const made = await run([
    'data',
    'make-task',
    '--dir',
    join(dir, 'a'),
    '--seed',
    '7',
    '--train',
    '50',
    '--valid',
    '5',
    '--test',
    '5',
  ]);
  assert.equal(made.code, 0, made.err);
  assert.deepEqual(readdirSync(join(dir, 'a')).sort(), [
    'test.src',
    'test.tgt',
    'train.src',
    'train.tgt',
    'valid.src',
    'valid.tgt',
  ]);
  assert.equal(readFileSync(join(dir, 'a', 'train.src'), 'utf8').split('\n').length, 51);
  await run([
    'data',
    'make-task',
    '--dir',
    join(dir, 'b'),
    '--seed',
    '7',
    '--train',
    '50',
    '--valid',
    '5',
    '--test',
    '5',
  ]);
  assert.equal(readFileSync(join(dir, 'b', 'train.tgt'), 'utf8'), readFileSync(join(dir, 'a', 'train.tgt'), 'utf8'));
});

test('cli: bad input is one line and exit 2; an offline download is one line and exit 1', async (t) => {
  const unknown = await run(['data', 'get', 'wmt99']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown data set "wmt99"; available: multi30k\|newstest2014/);
  const bad = await run(['data', 'make-task', '--train', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--train must be an integer/);
  const offline = await run(['data', 'get', 'multi30k', '--dir', tempDir(t), '--base-url', await refusedUrl()]);
  assert.equal(offline.code, 1);
  assert.match(
    offline.err,
    /^transformer data get: cannot download http:\/\/127\.0\.0\.1:\d+\/train\.de\.gz: connection refused/,
  );
  assert.equal(offline.err.trim().split('\n').length, 1, offline.err);
});

/** The error line: the last one of stderr, after any progress lines; no stack anywhere. */
function errorLine(err: string): string {
  const lines = err.trim().split('\n');
  assert.ok(!lines.some((l) => /^\s+at /.test(l)), err);
  return lines[lines.length - 1];
}

test('cli: data get from a mirror serving other files: the first mismatch in one line, exit 1, no file kept', async (t) => {
  const text = 'Ein Hund rennt.\n';
  const files: Record<string, Buffer> = {};
  for (const file of DATASETS.multi30k.files) files[`/${file.remote}`] = gzipSync(text);
  const server = await serve(t, files);
  const dir = tempDir(t);
  const got = await run(['data', 'get', 'multi30k', '--dir', dir], { TRANSFORMER_DATA_URL: server.url });
  assert.equal(got.code, 1, got.err);
  const [first] = DATASETS.multi30k.files;
  const actual = createHash('sha256').update(text).digest('hex');
  assert.equal(
    errorLine(got.err),
    `transformer data get: checksum mismatch for ${join(dir, 'multi30k', 'train.de')} (from ${server.url}/train.de.gz): expected SHA-256 ${first.sha256}, got ${actual}`,
  );
  assert.deepEqual(server.requests, ['/train.de.gz'], 'stops at the first wrong file');
  assert.deepEqual(readdirSync(join(dir, 'multi30k')), [], 'nothing under the final name, no temporary file');
});

test('cli: data get from a mirror answering 503, or serving a .tgz without the member: one line, exit 1', async (t) => {
  const down = await serve(t, {}, (_req, res) => res.writeHead(503, 'Service Unavailable').end('try later'));
  const other = tar([{ name: 'test-full/newstest2014-deen-src.en.sgm', data: Buffer.from('<refset></refset>\n') }]);
  const wrong = await serve(t, { '/test-full.tgz': gzipSync(other) });
  const cases: [string, string][] = [
    [down.url, `cannot download ${down.url}/test-full.tgz: the server answered 503 Service Unavailable`],
    [wrong.url, `${wrong.url}/test-full.tgz has no member test-full/newstest2014-deen-src.de.sgm`],
  ];
  for (const [url, message] of cases) {
    const dir = tempDir(t);
    const got = await run(['data', 'get', 'newstest2014', '--dir', dir, '--base-url', url]);
    assert.equal(got.code, 1, got.err);
    assert.equal(errorLine(got.err), `transformer data get: ${message}`);
    assert.deepEqual(readdirSync(join(dir, 'newstest2014')), [], 'neither a file nor the archive is kept');
  }
});

test('cli: data get multi30k against a local mirror matches every checksum of the table, then hits the cache', async (t) => {
  const shared = sharedData(t, 'multi30k');
  if (shared === null) return;
  const files: Record<string, Buffer> = {};
  for (const name of readdirSync(shared)) files[`/${name}.gz`] = gzipSync(readFileSync(join(shared, name)));
  const server = await serve(t, files);
  const dir = tempDir(t);
  const first = await run(['data', 'get', 'multi30k', '--dir', dir], { TRANSFORMER_DATA_URL: server.url });
  assert.equal(first.code, 0, first.err);
  assert.equal(server.requests.length, 6);
  assert.match(
    first.err,
    /downloading http:\/\/127\.0\.0\.1:\d+\/train\.de\.gz \(\d+\.\d MB\)/,
    'plain progress lines off a TTY',
  );
  for (const name of readdirSync(shared))
    assert.ok(readFileSync(join(dir, 'multi30k', name)).equals(readFileSync(join(shared, name))));
  const second = await run(['data', 'get', 'multi30k'], {
    TRANSFORMER_DATA_URL: server.url,
    TRANSFORMER_DATA_DIR: dir,
  });
  assert.equal(second.code, 0, second.err);
  assert.equal(server.requests.length, 6, 'all six from the cache');
  assert.equal((second.out.match(/cached, checksum ok/g) ?? []).length, 6);
});

test('cli: data get newstest2014 from a local .tgz of SGML files matches the table', async (t) => {
  const shared = sharedData(t, 'newstest2014');
  if (shared === null) return;
  const sgm = (file: string) => {
    const lines = readFileSync(join(shared, file), 'utf8').split('\n').slice(0, -1);
    const segs = lines.map((l, i) => `<seg id="${i + 1}">${l}</seg>\n`).join('');
    return Buffer.from(`<refset setid="newstest2014">\n<doc docid="all">\n${segs}</doc>\n</refset>\n`);
  };
  const archive = tar([
    { name: 'test-full/newstest2014-deen-src.de.sgm', data: sgm('newstest2014-full.de') },
    { name: 'test-full/newstest2014-deen-ref.en.sgm', data: sgm('newstest2014-full.en') },
  ]);
  const server = await serve(t, { '/test-full.tgz': gzipSync(archive) });
  const dir = tempDir(t);
  const got = await run(['data', 'get', 'newstest2014', '--dir', dir, '--base-url', server.url]);
  assert.equal(got.code, 0, got.err);
  assert.deepEqual(readdirSync(join(dir, 'newstest2014')).sort(), ['newstest2014-full.de', 'newstest2014-full.en']);
});
