// Clients that hold connections open without finishing a request (slowloris) are closed within
// seconds and never keep a normal client out; a long metrics.jsonl is read without holding up other
// requests, and read again only when it changes.

import test from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';

import { startServer, type RunningServer } from '../../src/serve/server.js';
import { open } from './raw-http.js';
import { makeServeFixture } from './serve-fixture.js';

const fixture = await makeServeFixture({ metrics: true });
const running: RunningServer = await startServer({ modelDir: fixture.dir, port: 0, threads: 1 });
const port = Number(new URL(running.url).port);
test.after(async () => {
  await running.close();
  fixture.cleanup();
});

/** Rejects when `promise` has not settled after `ms`: a bound for things that must happen, not a measure. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A GET on a connection of its own (no keep-alive pool to borrow a connection from). */
function freshGet(url: URL): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

test('300 slowloris or silent connections neither keep a normal client out nor stay open', async () => {
  const slow: Socket[] = [];
  const closed: Promise<unknown>[] = [];
  let trickle: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < 300; i++) {
      const socket = await open(port);
      socket.on('error', () => {}).resume();
      closed.push(new Promise((resolve) => socket.once('close', resolve)));
      // One in ten says nothing at all; the others start a request they never finish.
      if (i % 10 !== 0) socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
      slow.push(socket);
    }
    // One header byte a second each: never idle, never done.
    trickle = setInterval(() => slow.forEach((s, i) => s.destroyed || i % 10 === 0 || s.write('a')), 1000);

    const reply = await within(10_000, 'a normal request', freshGet(new URL('/api/info', running.url)));
    assert.equal(reply.status, 200);
    assert.equal(JSON.parse(reply.body).model.config.decoderLayers, 3);
    await within(20_000, 'closing the slow connections', Promise.all(closed));
  } finally {
    clearInterval(trickle);
    slow.forEach((s) => s.destroy());
  }
});

function stepLines(from: number, to: number, loss: number): string {
  let text = '';
  for (let step = from; step <= to; step++)
    text += `{"event":"step","step":${step},"epoch":0,"loss":${loss},"ppl":20.1,"lr":0.0001,"gradNorm":1,"elapsedSeconds":${step}}\n`;
  return text;
}

test('/api/metrics is read again only when metrics.jsonl changes (its time or size)', async () => {
  const path = join(fixture.dir, 'metrics.jsonl');
  const original = readFileSync(path);
  const url = new URL('/api/metrics', running.url);
  try {
    writeFileSync(path, stepLines(1, 20, 3.5));
    utimesSync(path, 1e9, 1e9);
    assert.equal(JSON.parse((await freshGet(url)).body).steps[0].loss, 3.5);

    // Same size and time, other values: still the reading of before.
    writeFileSync(path, stepLines(1, 20, 2.5));
    utimesSync(path, 1e9, 1e9);
    assert.equal(JSON.parse((await freshGet(url)).body).steps[0].loss, 3.5);

    utimesSync(path, 1e9 + 1, 1e9 + 1);
    assert.equal(JSON.parse((await freshGet(url)).body).steps[0].loss, 2.5, 'a new time');
    appendFileSync(path, stepLines(21, 21, 2.5));
    utimesSync(path, 1e9 + 1, 1e9 + 1);
    assert.equal(JSON.parse((await freshGet(url)).body).totalSteps, 21, 'a new size');

    // A broken file: a 500 naming the line, without the folder's absolute path.
    appendFileSync(path, 'not json\n' + stepLines(22, 22, 2.5));
    const broken = await freshGet(url);
    assert.equal(broken.status, 500);
    const { message } = JSON.parse(broken.body).error;
    assert.match(message, /model\/metrics\.jsonl line 22: not valid JSON/);
    assert.ok(!message.startsWith('/') && !message.includes(fixture.dir), message);

    rmSync(path);
    const gone = await freshGet(url);
    assert.equal(gone.status, 500);
    assert.match(JSON.parse(gone.body).error.message, /model\/metrics\.jsonl: no such file; is .*model a run folder/);
  } finally {
    writeFileSync(path, original);
  }
});

test('a long metrics.jsonl does not hold up other requests while it is read', async () => {
  const path = join(fixture.dir, 'metrics.jsonl');
  const original = readFileSync(path);
  try {
    writeFileSync(path, stepLines(1, 60_000, 3.25)); // about 7 MB
    const order: string[] = [];
    const metrics = freshGet(new URL('/api/metrics', running.url)).then((reply) => {
      order.push('metrics');
      return reply;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const info = await freshGet(new URL('/api/info', running.url));
    order.push('info');
    assert.equal(info.status, 200);
    const reply = await metrics;
    assert.equal(reply.status, 200);
    const body = JSON.parse(reply.body);
    assert.equal(body.totalSteps, 60_000);
    assert.ok(body.steps.length <= 2001 && body.steps.at(-1).step === 60_000, 'thinned, the last step kept');
    assert.deepEqual(order, ['info', 'metrics']);
  } finally {
    writeFileSync(path, original);
  }
});
