// End to end: the playground page in headless Chromium. Served cross-origin isolated (as `transformer
// serve --playground` serves it), the page trains the built-in task with its default settings on the
// wasm backend's threads until the validation BLEU passes 90, translates held-out sentences, and its
// trained model, downloaded as a zip, is opened by `transformer translate`. Served by a plain static
// server without the isolation headers (any static host), a short run trains on one thread. Both
// print the page's tokens/s; no console errors on either.
//
// Needs Chromium (TRANSFORMER_CHROMIUM, default /usr/bin/chromium) and the wasm build (`npm run
// build:wasm`; the test skips without it). The screenshot goes to a new temporary folder, printed.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';

import { launchChromium } from './chromium.js';

import { playgroundFilePath, startPlaygroundServer, type PlaygroundServer } from '../src/serve/playground.js';

const root = fileURLToPath(new URL('../../', import.meta.url)); // this file runs from dist/e2e/
const built = existsSync(join(root, 'build-wasm', 'transformer-wasm-threads.wasm'));
const skip = built ? false : 'the wasm backend is not built: build it with `npm run build:wasm`';
/**
 * How long the page may train before the test gives up: a bound for a hung page, not a speed check (speed is
 * read from the elapsed time the test prints). Training to BLEU 90 takes many minutes on two cores, so the
 * test runs on request: TRANSFORMER_E2E_PLAYGROUND_TRAIN=1.
 */
const TRAINING_MINUTES = 45;
const trainSkip =
  skip ||
  (process.env.TRANSFORMER_E2E_PLAYGROUND_TRAIN === '1'
    ? false
    : 'trains for many minutes: run it with TRANSFORMER_E2E_PLAYGROUND_TRAIN=1');

let browser: Browser;
let isolated: PlaygroundServer;
const out = mkdtempSync(join(tmpdir(), 'playground-e2e-'));

test.before(async () => {
  if (!built) return;
  isolated = await startPlaygroundServer({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
});
test.after(async () => {
  await browser?.close();
  await isolated?.close();
});

async function openPage(url: string): Promise<{ page: Page; errors: string[]; log: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1100 }, acceptDownloads: true });
  const errors: string[] = [];
  const log: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
    else log.push(message.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors, log };
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

test(
  'the isolated playground trains the built-in task past BLEU 90 and its download opens in the CLI',
  { skip: trainSkip, timeout: (TRAINING_MINUTES + 5) * 60_000 },
  async () => {
    const { page, errors } = await openPage(isolated.url);
    await page.click('#train');
    await page.waitForSelector('body[data-done]', { timeout: TRAINING_MINUTES * 60_000 });
    const done = await page.evaluate(() => ({ ...document.body.dataset }));
    const backend = await text(page, '#backend-status');
    console.log(`# ${backend}`);
    console.log(`# ${await text(page, '#progress')}`);
    console.log(`# ${await text(page, '#status')}`);
    assert.match(backend, /backend: wasm \(threads build\)/);
    assert.equal(done.done, 'target', `training ended by ${done.done}, not by reaching the target BLEU`);
    assert.ok(Number(done.bleu) > 90, `validation BLEU ${done.bleu}`);
    console.log(`# BLEU ${done.bleu} after ${done.elapsed} s of training`);

    // Held-out sentences (the task's test split, never trained on), greedy.
    const heldOut = await page.$$eval('#held-out li', (items) =>
      items.map((li) => ({
        source: li.querySelector('.source')!.textContent!,
        target: li.querySelector('.target')!.textContent!,
      })),
    );
    assert.ok(heldOut.length > 0);
    const translations: string[] = [];
    for (const { source } of heldOut) {
      await page.evaluate(() => delete document.body.dataset.translation);
      await page.fill('#source-text', source);
      await page.click('#translate-button');
      await page.waitForSelector('body[data-translation]');
      translations.push((await page.evaluate(() => document.body.dataset.translation))!);
    }
    const right = heldOut.filter((pair, i) => translations[i] === pair.target).length;
    console.log(`# held-out sentences translated exactly: ${right} of ${heldOut.length}`);
    console.log(`#   ${heldOut[0].source} -> ${translations[0]} (reference: ${heldOut[0].target})`);
    assert.ok(right >= 1, `no held-out sentence translated exactly: ${JSON.stringify(translations)}`);

    // Every layer's heatmaps, the positional encodings and the step-through are drawn.
    assert.ok((await page.locator('#heatmaps svg').count()) >= 6);
    assert.equal(await page.locator('#positional svg').count(), 1);
    await page.click('#step-form button[type="submit"]');
    await page.waitForSelector('#steps svg');
    assert.equal(await page.locator('#steps svg').count(), 10);
    const screenshot = join(out, 'playground.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`# screenshot: ${screenshot}`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const zip = join(out, 'playground-model.zip');
    await download.saveAs(zip);
    for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zip)))) {
      mkdirSync(dirname(join(out, name)), { recursive: true });
      writeFileSync(join(out, name), bytes);
    }
    const cli = execFileSync(
      process.execPath,
      [join(root, 'bin', 'transformer.js'), 'translate', '--model', join(out, 'playground-model'), '--beam', '1'],
      { input: `${heldOut.map((p) => p.source).join('\n')}\n`, encoding: 'utf8' },
    );
    assert.deepEqual(cli.trimEnd().split('\n'), translations);

    // The same folder opened from disk in the page translates as the trained model did.
    await page.setInputFiles('#pick-folder', join(out, 'playground-model'));
    await page.waitForFunction(() =>
      /^transformer-ts folder/.test(document.getElementById('folder-status')!.textContent!),
    );
    await page.selectOption('#translate-with', 'opened');
    await page.evaluate(() => delete document.body.dataset.translation);
    await page.fill('#source-text', heldOut[0].source);
    await page.click('#translate-button');
    await page.waitForSelector('body[data-translation]');
    assert.equal(await page.evaluate(() => document.body.dataset.translation), translations[0]);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

/** The playground's files from a plain static server: no COOP/COEP, as most static hosts serve them. */
function plainServer(): Promise<Server> {
  const server = createServer(async (request, response) => {
    const file = playgroundFilePath(new URL(request.url ?? '/', 'http://localhost').pathname);
    const body = file === null ? null : await readFile(file).catch(() => null);
    if (body === null) return void response.writeHead(404).end();
    const type = {
      js: 'text/javascript',
      wasm: 'application/wasm',
      html: 'text/html',
      css: 'text/css',
      svg: 'image/svg+xml',
    };
    response.writeHead(200, { 'content-type': type[file!.split('.').pop() as keyof typeof type] }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test(
  'without cross-origin isolation the page trains on one thread and says so once',
  { skip, timeout: 5 * 60_000 },
  async () => {
    const server = await plainServer();
    try {
      const { page, errors, log } = await openPage(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/web/playground/`,
      );
      await page.selectOption('#size', 'tiny');
      await page.fill('#train-pairs', '2000');
      await page.fill('#max-updates', '40');
      await page.click('#train');
      await page.waitForSelector('body[data-done]', { timeout: 4 * 60_000 });
      const backend = await text(page, '#backend-status');
      console.log(`# ${backend}`);
      console.log(`# ${await text(page, '#progress')}`);
      assert.match(backend, /backend: wasm \(single build\), 1 thread; cross-origin isolated: no/);
      assert.equal(log.filter((line) => line.includes('not cross-origin isolated')).length, 1);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      server.close();
    }
  },
);
