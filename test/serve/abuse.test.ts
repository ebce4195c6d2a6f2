// The server against hostile or broken clients: security headers on every answer, the Host check
// against DNS rebinding, no absolute path in any answer, uploads cut short and unreadable requests
// answered (or dropped) without a stack in the log, and the server still serving afterwards.

import test, { mock } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { isAbsolute } from 'node:path';

import { startServer, type RunningServer } from '../../src/serve/server.js';
import { exchange, open, request } from './raw-http.js';
import { makeServeFixture } from './serve-fixture.js';

const fixture = await makeServeFixture({ metrics: true });
const log: string[] = [];
const running: RunningServer = await startServer({
  modelDir: fixture.dir,
  port: 0,
  threads: 1,
  log: (line) => log.push(line),
});
const port = Number(new URL(running.url).port);
const self = `127.0.0.1:${port}`;
test.after(async () => {
  await running.close();
  fixture.cleanup();
});

function assertSecurityHeaders(headers: Record<string, string>, what: string): void {
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['referrer-policy'], 'no-referrer', what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
  const csp = headers['content-security-policy'] ?? '';
  for (const directive of [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
  ])
    assert.ok(csp.split('; ').includes(directive), `${what}: ${directive} in ${csp}`);
}

test('every answer carries the security headers: page, files, API, API errors, unreadable requests', async () => {
  const cases: [string, string, number][] = [
    ['the page', request('GET', '/', self), 200],
    ['a script', request('GET', '/web/app/main.js', self), 200],
    ['the icon', request('GET', '/web/favicon.svg', self), 200],
    ['the API', request('GET', '/api/info', self), 200],
    ['a 404', request('GET', '/api/nothing', self), 404],
    ['a 405', request('DELETE', '/', self), 405],
    ['a foreign Host', request('GET', '/', 'evil.example'), 421],
    ['a broken request line', 'GARBAGE\r\n\r\n', 400],
  ];
  for (const [what, text, status] of cases) {
    const reply = await exchange(port, text);
    assert.equal(reply.status, status, what);
    assertSecurityHeaders(reply.headers, what);
  }
});

test('the page needs nothing the policy forbids: no inline script or style, no data: URL', async () => {
  const page = await exchange(port, request('GET', '/', self));
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'inline script');
  assert.doesNotMatch(page.body, /<style|\sstyle=|\son[a-z]+=/i, 'inline style or event handler');
  assert.doesNotMatch(page.body, /(?:src|href)="(?:data|javascript):/i, 'data: or javascript: URL');
});

test('the Host header must name this server: others get 421 in the API error shape', async () => {
  for (const host of [self, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    const reply = await exchange(port, request('GET', '/api/info', host));
    assert.equal(reply.status, 200, host);
  }
  const refused: [string | null, RegExp][] = [
    [`evil.example:${port}`, /Host "evil\.example:\d+": this server answers only to its own address/],
    ['evil.example', /Host "evil\.example"/],
    [`127.0.0.1:${port + 1}`, /Host "127\.0\.0\.1:\d+"/],
    [`localhost.evil.example:${port}`, /Host "localhost\.evil\.example/],
    [`127.0.0.1:${port}@evil.example`, /Host "127\.0\.0\.1:\d+@evil\.example"/],
    ['', /Host ""/],
    [null, /no Host header/],
  ];
  for (const [host, message] of refused) {
    for (const path of ['/api/info', '/']) {
      const reply = await exchange(port, request('GET', path, host));
      assert.equal(reply.status, 421, `${host} ${path}`);
      const body = JSON.parse(reply.body);
      assert.equal(body.error.status, 421);
      assert.equal(body.error.field, 'Host');
      assert.match(body.error.message, message);
    }
  }
  const old = await exchange(port, 'GET /api/info HTTP/1.0\r\n\r\n');
  assert.equal(old.status, 421, 'HTTP/1.0 without Host');
});

test('no answer shows an absolute path', async () => {
  const replies = await Promise.all(
    ['/api/info', '/api/metrics', '/api/nothing', '/nothing.js'].map((path) =>
      exchange(port, request('GET', path, self)),
    ),
  );
  for (const reply of replies) {
    assert.ok(!reply.body.includes(tmpdir()), reply.body.slice(0, 200));
    assert.ok(!reply.body.includes(fixture.dir), reply.body.slice(0, 200));
    assert.ok(!reply.body.includes(process.cwd()), reply.body.slice(0, 200));
  }
  const info = JSON.parse(replies[0].body);
  assert.ok(!isAbsolute(info.model.folder) && info.model.folder.endsWith('model'), info.model.folder);
  assert.equal(info.run.folder, info.model.folder);
  assert.equal(JSON.parse(replies[1].body).folder, info.model.folder);
});

test('an upload cut short is no 500 and no stack; the server answers the next request', async () => {
  const errors = mock.method(console, 'error', () => {});
  try {
    const abandoned = log.length;
    const socket = await open(port);
    socket.write(
      request('POST', '/api/translate', self, 'Content-Type: application/json\r\nContent-Length: 10000\r\n') +
        '{"text": "' +
        'a'.repeat(5000),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    for (let i = 0; i < 100 && !log.slice(abandoned).some((l) => /abandoned/.test(l)); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(log.slice(abandoned), ['POST /api/translate abandoned by the client']);
    const next = await exchange(port, request('GET', '/api/info', self));
    assert.equal(next.status, 200);
    assert.equal(errors.mock.callCount(), 0, 'nothing on stderr');
  } finally {
    errors.mock.restore();
  }
});

test('unreadable requests get a 400 (431 for huge headers) in the API shape; the server stays up', async () => {
  const errors = mock.method(console, 'error', () => {});
  try {
    const chunked = 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n';
    const cases: [string, string, number][] = [
      ['a broken request line', 'GARBAGE\r\n\r\n', 400],
      ['a bad method', `G@T / HTTP/1.1\r\nHost: ${self}\r\n\r\n`, 400],
      ['a bad HTTP version', `GET / HTTP/9.9\r\nHost: ${self}\r\n\r\n`, 400],
      ['a header without a colon', `GET / HTTP/1.1\r\nHost: ${self}\r\nnonsense\r\n\r\n`, 400],
      ['a chunk size that is not hex', request('POST', '/api/translate', self, chunked) + 'zz\r\n{}\r\n0\r\n\r\n', 400],
      [
        'a chunk longer than its size',
        request('POST', '/api/translate', self, chunked) + '2\r\n{"text"}\r\n0\r\n\r\n',
        400,
      ],
      [
        'Content-Length and chunked together',
        request('POST', '/api/translate', self, `${chunked}Content-Length: 3\r\n`) + '0\r\n\r\n',
        400,
      ],
      ['headers over 16 KiB', request('GET', '/', self, `X-Big: ${'b'.repeat(20_000)}\r\n`), 431],
    ];
    for (const [what, text, status] of cases) {
      const reply = await exchange(port, text);
      assert.equal(reply.status, status, what);
      const body = JSON.parse(reply.body);
      assert.equal(body.error.status, status, what);
      assert.equal(typeof body.error.message, 'string', what);
    }
    assert.equal((await exchange(port, request('GET', '/api/info', self))).status, 200);
    assert.equal(errors.mock.callCount(), 0, 'nothing on stderr');
    assert.ok(!log.some((l) => /\n\s+at /.test(l)), 'no stack in the log');
  } finally {
    errors.mock.restore();
  }
});
