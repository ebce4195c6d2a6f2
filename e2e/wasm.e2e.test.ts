// End to end: the wasm backend in headless Chromium, loaded as a page loads it (fetch, no Node).
// Without cross-origin isolation a page gets the one-thread build; with the COOP/COEP headers a
// worker gets the threads build. Each runs kernels next to the js backend and compares, then the whole
// conformance table of the Node suite (test/backend/conformance-table.ts).
//
// Needs Chromium (TRANSFORMER_CHROMIUM, default /usr/bin/chromium) and the wasm build
// (`npm run build:wasm`; the test skips without it).

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

import { launchChromium } from './chromium.js';

import { TABLE } from '../test/backend/conformance-table.js';

// This file runs from dist/e2e/.
const root = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(`${root}build-wasm/transformer-wasm-threads.wasm`);
const skip = built ? false : 'the wasm backend is not built: build it with `npm run build:wasm`';

// Runs in the page or in a classic worker (dynamic import works there; Emscripten's loader wants
// importScripts, which module workers lack): gemm, softmax and layerNorm on wasm and js, the largest difference.
const PROBE = `
  const { createWasmBackend } = await import('/dist/src/backend/wasm/index.js');
  const { browserWasmSource } = await import('/dist/src/backend/wasm/browser.js');
  const { jsBackend } = await import('/dist/src/backend/js/index.js');
  const wasm = await createWasmBackend(browserWasmSource('/build-wasm/'));
  const n = 96, rand = (k) => Float32Array.from({ length: k }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const worst = (f) => { const [x, y] = [f(wasm.backend), f(jsBackend)]; return Math.max(...x.map((v, i) => Math.abs(v - y[i]))); };
  const diff = Math.max(
    worst((b) => { const c = new Float32Array(n * n); b.gemm(false, true, n, n, n, 1, rand(n * n), 0, rand(n * n), 0, 0, c, 0, 1); return c; }),
    worst((b) => { const y = new Float32Array(n * n); b.softmax(y, rand(n * n), n, n, false); return y; }),
    worst((b) => { const y = new Float32Array(n * n); b.layerNorm(y, new Float32Array(n), new Float32Array(n), rand(n * n), null, null, n, n, 1e-5); return y; }),
  );
  // The whole conformance table (test/backend/conformance-table.ts), as the Node suite runs it on wasm.
  const { TABLE, runCase } = await import('/dist/test/backend/conformance-table.js');
  const failures = [];
  for (const c of TABLE) {
    try {
      const silent = runCase(wasm.backend, c);
      if (silent.length > 0) failures.push(c.name + ': never called ' + silent.join(', '));
    } catch (e) {
      failures.push(c.name + ': ' + (e && e.message));
    }
  }
  const result = {
    flavour: wasm.flavour, threads: wasm.module._tt_num_threads(), diff, isolated: self.crossOriginIsolated,
    cases: TABLE.length, failures,
  };
`;

const WORKER = `(async () => { ${PROBE}\npostMessage(result); })().catch((e) => postMessage({ error: String(e) }));`;

const TYPES: Record<string, string> = { js: 'text/javascript', wasm: 'application/wasm', html: 'text/html' };

function serve(isolated: boolean): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const headers: Record<string, string> = { 'content-type': TYPES[path.split('.').pop() ?? ''] ?? 'text/plain' };
    if (isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    const inline: Record<string, string> = {
      '/': '<!doctype html><link rel="icon" href="data:,"><title>wasm</title>',
      '/probe-worker.js': WORKER,
    };
    if (path in inline) {
      response.writeHead(200, { ...headers, 'content-type': path === '/' ? 'text/html' : 'text/javascript' });
      response.end(inline[path]);
      return;
    }
    // Only the compiled sources, the conformance table, the assert stand-in and the wasm build are served.
    if (!/^\/(dist\/src|dist\/test\/backend|dist\/e2e|build-wasm)\/[\w./-]+$/.test(path) || path.includes('..')) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(root + path.slice(1));
      // A browser has no node:assert; the conformance cases get e2e/assert-shim.ts in its place.
      const served = path.startsWith('/dist/test/')
        ? body.toString('utf8').replaceAll("'node:assert/strict'", "'/dist/e2e/assert-shim.js'")
        : body;
      response.writeHead(200, headers).end(served);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let browser: Browser;
test.before(async () => {
  if (!built) return;
  browser = await launchChromium();
});
test.after(async () => {
  await browser?.close();
});

async function probe(isolated: boolean, inWorker: boolean) {
  const server = await serve(isolated);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  try {
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const result = (await page.evaluate(
      inWorker
        ? `new Promise((resolve, reject) => { const w = new Worker('/probe-worker.js'); w.onmessage = (e) => resolve(e.data); w.onerror = (e) => reject(new Error(e.message)); })`
        : `(async () => { ${PROBE} return result; })()`,
    )) as { flavour: string; threads: number; diff: number; isolated: boolean; cases: number; failures: string[] };
    return { result, errors };
  } finally {
    await page.close();
    server.close();
  }
}

test('a page that is not cross-origin isolated runs the one-thread build', { skip }, async () => {
  const { result, errors } = await probe(false, false);
  assert.deepEqual(errors, []);
  assert.equal(result.isolated, false);
  assert.equal(result.flavour, 'single');
  assert.equal(result.threads, 1);
  assert.ok(result.diff < 1e-4, `wasm and js differ by ${result.diff}`);
  assert.equal(result.cases, TABLE.length, 'the page ran the whole conformance table');
  assert.deepEqual(result.failures, []);
});

test('a worker of an isolated page runs the threads build', { skip }, async () => {
  const { result, errors } = await probe(true, true);
  assert.deepEqual(errors, []);
  assert.equal(result.isolated, true);
  assert.equal(result.flavour, 'threads');
  assert.ok(result.threads >= 1);
  assert.ok(result.diff < 1e-4, `wasm and js differ by ${result.diff}`);
  assert.equal(result.cases, TABLE.length, 'the worker ran the whole conformance table');
  assert.deepEqual(result.failures, []);
});
