// `transformer serve --playground`: the page's files only, cross-origin isolated, its inline import
// map allowed by its hash and nothing else inline, other hosts refused.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';

import { playgroundFilePath, startPlaygroundServer } from '../../src/serve/playground.js';

test('only the playground files are named: no "..", no hidden files, no subfolders outside dist/src', () => {
  assert.match(playgroundFilePath('/web/playground/')!, /web[/\\]playground[/\\]index\.html$/);
  assert.match(playgroundFilePath('/dist/src/model/attention.js')!, /dist[/\\]src[/\\]model[/\\]attention\.js$/);
  assert.match(playgroundFilePath('/build-wasm/transformer-wasm.wasm')!, /transformer-wasm\.wasm$/);
  for (const bad of [
    '/dist/src/../../package.json',
    '/web/playground/.hidden.js',
    '/web/app/main.ts',
    '/build-wasm/sub/x.js',
    '/dist/src/io/x.ts',
    '/package.json',
    '/node_modules/fflate/package.json',
  ])
    assert.equal(playgroundFilePath(bad), null, bad);
});

function get(url: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host === undefined ? {} : { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the page is served cross-origin isolated, with its import map allowed by hash', async () => {
  const running = await startPlaygroundServer({ host: '127.0.0.1', port: 0 });
  try {
    const page = await get(running.url);
    assert.equal(page.status, 200);
    assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
    const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page.body)![1];
    const hash = createHash('sha256').update(importMap).digest('base64');
    const policy = String(page.headers['content-security-policy']);
    assert.ok(policy.includes(`'sha256-${hash}'`), policy);
    assert.ok(policy.includes("'wasm-unsafe-eval'"));
    assert.ok(!policy.includes("'unsafe-inline'"));
    const origin = running.url.replace('/web/playground/', '');
    const root = await get(`${origin}/`);
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, '/web/playground/');
    const script = await get(`${origin}/dist/web/playground/main.js`);
    assert.equal(script.status, 200);
    assert.match(String(script.headers['content-type']), /^text\/javascript/);
    assert.equal((await get(`${origin}/dist/src/no-such-file.js`)).status, 404);
    assert.equal((await get(running.url, 'evil.example')).status, 421);
  } finally {
    await running.close();
  }
});
