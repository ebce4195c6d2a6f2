// Downloads against a local HTTP server: success (plain and gzip), cache hits without a request,
// checksum mismatches, server errors, refused connections and cut-off transfers, none of which
// may leave a file under the final name; and the .tgz + SGML path used for WMT test sets, with the
// archives a broken mirror could serve.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { getDataset, type Dataset } from '../../src/data/datasets.js';
import { DownloadError } from '../../src/data/download.js';
import { sgmToText } from '../../src/data/sgm.js';
import { refusedUrl, serve, tar, tempDir } from './helpers.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const TRAIN = 'Zwei Männer stehen am Herd.\nEin Hund läuft.\n';
const VALID = 'Two men stand at the stove.\nA dog runs.\n';

function fixture(baseUrl: string, overrides: Partial<Record<'train' | 'valid', string>> = {}): Dataset {
  return {
    name: 'fixture',
    baseUrl,
    files: [
      { name: 'train.de', remote: 'train.de.gz', sha256: overrides.train ?? sha256(TRAIN) },
      { name: 'valid.en', remote: 'valid.en', sha256: overrides.valid ?? sha256(VALID) },
    ],
  };
}

const files = { '/train.de.gz': gzipSync(TRAIN), '/valid.en': Buffer.from(VALID) };

test('download: gunzips .gz sources, verifies, writes atomically; a second get is a cache hit', async (t) => {
  const dir = tempDir(t);
  const server = await serve(t, files);
  const events: string[] = [];
  const paths = await getDataset(fixture(server.url), { dir, onEvent: (e) => events.push(e.type) });
  assert.deepEqual(paths, [join(dir, 'fixture', 'train.de'), join(dir, 'fixture', 'valid.en')]);
  assert.equal(readFileSync(paths[0], 'utf8'), TRAIN);
  assert.equal(readFileSync(paths[1], 'utf8'), VALID);
  assert.deepEqual(readdirSync(join(dir, 'fixture')).sort(), ['train.de', 'valid.en'], 'no temporary files left');
  assert.deepEqual(server.requests, ['/train.de.gz', '/valid.en']);
  assert.ok(events.includes('start') && events.includes('progress') && events.includes('done'));

  const again: string[] = [];
  await getDataset(fixture(server.url), { dir, onEvent: (e) => again.push(e.type) });
  assert.deepEqual(server.requests, ['/train.de.gz', '/valid.en'], 'no second request');
  assert.deepEqual(again, ['cached', 'cached']);
});

test('download: a cached file with the wrong content is fetched again', async (t) => {
  const dir = tempDir(t);
  const server = await serve(t, files);
  await getDataset(fixture(server.url), { dir });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'fixture', 'valid.en'), 'tampered\n');
  await getDataset(fixture(server.url), { dir });
  assert.deepEqual(server.requests, ['/train.de.gz', '/valid.en', '/valid.en']);
  assert.equal(readFileSync(join(dir, 'fixture', 'valid.en'), 'utf8'), VALID);
});

test('download: a checksum mismatch is a clear error and leaves no file', async (t) => {
  const dir = tempDir(t);
  const server = await serve(t, files);
  const wrong = '0'.repeat(64);
  await assert.rejects(getDataset(fixture(server.url, { train: wrong }), { dir }), (error: Error) => {
    assert.ok(error instanceof DownloadError);
    assert.match(error.message, /^checksum mismatch for .*train\.de \(from http:\/\/127\.0\.0\.1:\d+\/train\.de\.gz\)/);
    assert.ok(error.message.includes(`expected SHA-256 ${wrong}, got ${sha256(TRAIN)}`));
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'fixture')), []);
});

test('download: a server error names the URL and the status, and leaves no file', async (t) => {
  const dir = tempDir(t);
  const server = await serve(t, { '/valid.en': Buffer.from(VALID) });
  await assert.rejects(
    getDataset(fixture(server.url), { dir }),
    new RegExp(`^DownloadError: cannot download ${server.url}/train\\.de\\.gz: the server answered 404 Not Found$`),
  );
  assert.deepEqual(readdirSync(join(dir, 'fixture')), []);
});

test('download: a refused connection says so in one line naming the URL', async (t) => {
  const dir = tempDir(t);
  const url = await refusedUrl();
  await assert.rejects(getDataset(fixture(url), { dir }), (error: Error) => {
    assert.ok(error instanceof DownloadError);
    assert.equal(
      error.message,
      `cannot download ${url}/train.de.gz: connection refused (offline, or the server is down?)`,
    );
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'fixture')), []);
});

test('download: a transfer cut off half-way leaves no file, not even a partial one', async (t) => {
  const dir = tempDir(t);
  const body = Buffer.from(VALID.repeat(5000));
  const server = await serve(t, {}, (_req, res) => {
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, 1000), () => res.destroy());
  });
  const dataset: Dataset = {
    name: 'cut',
    baseUrl: server.url,
    files: [{ name: 'valid.en', remote: 'valid.en', sha256: sha256(body) }],
  };
  await assert.rejects(getDataset(dataset, { dir }), /^DownloadError: cannot download .*valid\.en: /);
  assert.deepEqual(readdirSync(join(dir, 'cut')), []);
});

test('download: data that is not gzip is reported as such', async (t) => {
  const dir = tempDir(t);
  const server = await serve(t, {
    '/train.de.gz': Buffer.from('plain text, not gzip'),
    '/valid.en': Buffer.from(VALID),
  });
  await assert.rejects(getDataset(fixture(server.url), { dir }), /train\.de\.gz: not valid gzip data/);
  assert.equal(existsSync(join(dir, 'fixture', 'train.de')), false);
});

test('download: text files from SGML members of a .tgz, converted as sacreBLEU does', async (t) => {
  const dir = tempDir(t);
  const sgm = (lines: string[]) =>
    Buffer.from(
      `<srcset setid="newstest2014" srclang="any">\n<doc sysid="ref" docid="1" origlang="de">\n<p>\n` +
        lines.map((l, i) => `<seg id="${i + 1}">${l}</seg>\n`).join('') +
        `</p>\n</doc>\n</srcset>\n`,
    );
  const de = ['Gutach:  Noch mehr Sicherheit ', 'Standard & Poor\'s \u00a0 "zitiert"'];
  const en = ['Gutach: Increased safety', 'Two\tspaces'];
  const archive = gzipSync(
    tar([
      { name: 'test-full/newstest2014-deen-src.de.sgm', data: sgm(de) },
      { name: 'test-full/other.sgm', data: Buffer.alloc(3000, 0x41) },
      { name: 'test-full/newstest2014-deen-ref.en.sgm', data: sgm(en) },
    ]),
  );
  const textDe = 'Gutach: Noch mehr Sicherheit\nStandard & Poor\'s "zitiert"\n';
  const textEn = 'Gutach: Increased safety\nTwo spaces\n';
  assert.equal(sgmToText(sgm(de).toString()), textDe);
  const server = await serve(t, { '/test-full.tgz': archive });
  const dataset: Dataset = {
    name: 'wmt',
    baseUrl: server.url,
    files: [
      {
        name: 'n.de',
        remote: 'test-full.tgz',
        member: 'test-full/newstest2014-deen-src.de.sgm',
        sha256: sha256(textDe),
      },
      {
        name: 'n.en',
        remote: 'test-full.tgz',
        member: 'test-full/newstest2014-deen-ref.en.sgm',
        sha256: sha256(textEn),
      },
    ],
  };
  await getDataset(dataset, { dir });
  assert.equal(readFileSync(join(dir, 'wmt', 'n.de'), 'utf8'), textDe);
  assert.equal(readFileSync(join(dir, 'wmt', 'n.en'), 'utf8'), textEn);
  assert.deepEqual(server.requests, ['/test-full.tgz'], 'one archive download for both files');
  assert.deepEqual(readdirSync(join(dir, 'wmt')).sort(), ['n.de', 'n.en'], 'the archive is not kept');
});

test('download: a .tgz that is not gzip, lacks the member, ends inside it or holds other text fails cleanly', async (t) => {
  const member = 'test-full/newstest2014-deen-src.de.sgm';
  const sgm = (text: string) =>
    Buffer.from(`<refset>\n<doc docid="1">\n<seg id="1">${text}</seg>\n</doc>\n</refset>\n`);
  const whole = tar([{ name: member, data: sgm('Hallo Welt') }]);
  const server = await serve(t, {
    '/plain/test-full.tgz': Buffer.from('plain text, not gzip'),
    '/other/test-full.tgz': gzipSync(tar([{ name: 'test-full/other.sgm', data: sgm('Hallo Welt') }])),
    '/cut/test-full.tgz': gzipSync(whole.subarray(0, 512 + 10)),
    '/changed/test-full.tgz': gzipSync(tar([{ name: member, data: sgm('Hallo Mond') }])),
  });
  const cases: [string, RegExp][] = [
    ['plain', /^http:\/\/\S+\/plain\/test-full\.tgz is not a valid \.tgz archive: not valid gzip data$/],
    ['other', /^http:\/\/\S+\/other\/test-full\.tgz has no member test-full\/newstest2014-deen-src\.de\.sgm$/],
    ['cut', /^http:\/\/\S+\/cut\/test-full\.tgz is not a valid \.tgz archive: tar archive ends inside test-full\//],
    [
      'changed',
      new RegExp(
        `^checksum mismatch for .*n\\.de \\(from .*/changed/test-full\\.tgz\\): .*got ${sha256('Hallo Mond\n')}$`,
      ),
    ],
  ];
  for (const [mirror, message] of cases) {
    const dir = tempDir(t);
    const dataset: Dataset = {
      name: 'wmt',
      baseUrl: `${server.url}/${mirror}`,
      files: [{ name: 'n.de', remote: 'test-full.tgz', member, sha256: sha256('Hallo Welt\n') }],
    };
    await assert.rejects(getDataset(dataset, { dir }), (error: Error) => {
      assert.ok(error instanceof DownloadError, `${mirror}: ${error.stack}`);
      assert.match(error.message, message);
      return true;
    });
    assert.deepEqual(readdirSync(join(dir, 'wmt')), [], `${mirror}: neither the file nor the archive is left`);
  }
});
