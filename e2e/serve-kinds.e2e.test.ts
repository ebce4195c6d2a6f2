// End to end: `transformer serve`'s page for the encoder-only and decoder-only kinds in headless
// Chromium. For a classifier, a tagger and a masked-LM it types a text and checks that the head's
// answer (the label distribution, each word's labels, the fillers of the mask) and the self-attention
// heatmaps of every head render as the API gives them; for a language model it types a prompt, sees the
// continuation grow while it streams, ends with the API's greedy continuation, and draws the causal
// self-attention. No console errors anywhere. The models are built by the test (test/serve/kinds-fixture.ts).
//
// Needs Chromium (TRANSFORMER_CHROMIUM, default /usr/bin/chromium; Debian's package "chromium").
// Screenshots go to e2e-output/serve-<folder>.png.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

import { launchChromium } from './chromium.js';

import { startServer, type RunningServer } from '../src/serve/server.js';
import { LABELS, makeKindsFixture, TAGS, type KindsFixture } from '../test/serve/kinds-fixture.js';

let fixture: KindsFixture;
let browser: Browser;
const servers: RunningServer[] = [];
test.before(async () => {
  fixture = await makeKindsFixture();
  browser = await launchChromium();
});
test.after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  fixture?.cleanup();
});

async function serve(dir: string): Promise<RunningServer> {
  const running = await startServer({ modelDir: dir, port: 0, threads: 1 });
  servers.push(running);
  return running;
}

/** A page on the server, collecting its errors. */
async function open(running: RunningServer): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(running.url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors };
}

async function post(running: RunningServer, path: string, body: unknown) {
  const reply = await fetch(new URL(path, running.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(reply.status, 200);
  return reply.json();
}

async function screenshot(page: Page, dir: string): Promise<void> {
  const path = join('e2e-output', `serve-${basename(dir)}.png`);
  mkdirSync('e2e-output', { recursive: true });
  await page.screenshot({ path, fullPage: true });
  assert.ok(readFileSync(path).length > 10_000);
}

/** The heatmaps of the last layer: one per head and the average, each tokens × tokens. */
async function checkHeatmaps(page: Page, heads: number, tokens: number): Promise<void> {
  await page.waitForSelector('#heatmaps svg rect.cell');
  assert.equal(await page.isHidden('#attention-kind'), true, 'one kind of attention: no kind to choose');
  assert.equal(await page.locator('#heatmaps .panel').count(), heads + 1);
  assert.equal(await page.locator('#heatmaps rect.cell').count(), (heads + 1) * tokens * tokens);
}

test("an encoder-only classifier, tagger and masked-LM: the head's answer and every head's attention", async () => {
  const text = 'zwei hunde spielen im schnee';
  const cases = [
    { dir: fixture.classifier.dir, text, tables: 1, rows: LABELS.length, heading: 'Classify' },
    { dir: fixture.tagger.dir, text, tables: text.split(' ').length, rows: 3, heading: 'Tag' },
    { dir: fixture.masked.dir, text: 'zwei <mask> spielen', tables: 1, rows: 5, heading: 'Fill the mask' },
  ];
  for (const c of cases) {
    const running = await serve(c.dir);
    const { page, errors } = await open(running);
    assert.match((await page.textContent('#model-summary')) ?? '', /encoder-only with a .* head/);
    assert.equal(await page.isHidden('#translate-section'), true);
    assert.equal(await page.textContent('#encode-heading'), c.heading);
    await page.fill('#encode-text', c.text);
    await page.click('#encode-button');
    await page.waitForSelector('#encode-tables table');
    const reply = await post(running, '/api/encode', { text: c.text });
    assert.equal(await page.locator('#encode-tables table').count(), c.tables);
    assert.equal(await page.locator('#encode-tables table:first-child tr').count(), c.rows);
    assert.equal(await page.locator('#encode-tables meter').count(), c.tables * c.rows);
    if (reply.labels !== undefined) {
      // The label distribution, most probable first, as the API gives it.
      const shown = await page.$$eval('#encode-tables tr td:first-child', (cells) => cells.map((x) => x.textContent));
      assert.deepEqual(
        shown,
        reply.labels.map((l: { label: string }) => l.label),
      );
      assert.deepEqual([...shown].sort(), [...LABELS].sort());
    }
    if (reply.tags !== undefined)
      assert.ok(TAGS.includes((await page.textContent('#encode-tables tr td')) ?? ''), 'a tag name');
    await checkHeatmaps(page, 4, reply.tokens.ids.length);
    assert.deepEqual(errors, []);
    await screenshot(page, c.dir);
    await page.close();
  }
});

test("a decoder-only LM: the continuation streams in, equals the API's, and its causal attention renders", async () => {
  const running = await serve(fixture.lm.dir);
  const { page, errors } = await open(running);
  assert.match((await page.textContent('#model-summary')) ?? '', /decoder-only, 2 layers/);
  assert.equal(await page.isHidden('#translate-section'), true);
  // Every text the continuation shows on its way, as the page changes it.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    const target = document.getElementById('generation-text')!;
    // Each text the page set is read from the node it added, not from the element when the observer runs: a
    // fast machine delivers several events in one chunk, and the observer then runs once after all of them.
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) seen.push(node.textContent ?? '');
    }).observe(target, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  const prompt = 'ein mann';
  await page.fill('#prompt-text', prompt);
  await page.fill('#max-new-tokens', '20');
  await page.click('#generate-button');
  await page.waitForSelector('#heatmaps svg rect.cell', { timeout: 60_000 });
  const reply = await post(running, '/api/generate', { prompt, maxNewTokens: 20 });
  assert.ok(reply.text.length > 0, 'the trained model continues the prompt');
  assert.equal(await page.textContent('#generation-text'), reply.text);
  assert.equal(await page.textContent('#generation-prompt'), prompt);
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  const growing = seen.filter((t) => t.length > 0 && t !== reply.text);
  // The page set a shorter text before the whole: it showed the stream as it came.
  assert.ok(growing.length >= 1, `the continuation arrived in steps: ${JSON.stringify(seen)}`);
  for (const t of growing) assert.ok(reply.text.startsWith(t), `${JSON.stringify(t)} begins the final text`);
  assert.match((await page.textContent('#attention-caption')) ?? '', /causal self-attention/);
  const T = reply.read.ids.length;
  await checkHeatmaps(page, 4, T);
  // Causal: the first token attends to itself alone.
  const firstRow = await page.$$eval('#heatmaps .panel:last-child rect.cell[data-row="0"]', (cells) =>
    cells.map((c) => Number(c.getAttribute('data-value'))),
  );
  assert.equal(firstRow.length, T);
  assert.ok(Math.abs(firstRow[0] - 1) < 1e-3 && firstRow.slice(1).every((w) => w === 0), `${firstRow}`);

  // Sampling: the controls open up, and the continuation is the API's draw with the same seed.
  await page.selectOption('#generate-mode', 'sample');
  assert.equal(await page.isEnabled('#temperature'), true);
  await page.fill('#temperature', '0.8');
  await page.fill('#seed', '3');
  await page.click('#generate-button');
  await page.waitForSelector('#generate-status:has-text("sampled")');
  const drawn = await post(running, '/api/generate', {
    prompt,
    maxNewTokens: 20,
    sample: true,
    temperature: 0.8,
    topK: 0,
    topP: 1,
    seed: 3,
  });
  assert.equal(await page.textContent('#generation-text'), drawn.text);
  assert.deepEqual(errors, []);
  await screenshot(page, fixture.lm.dir);
  await page.close();
});
