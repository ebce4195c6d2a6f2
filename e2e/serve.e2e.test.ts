// End to end: `transformer serve`'s page in headless Chromium. It translates a sentence of the
// model's own test set, checks that the heatmaps (every head and their average), the tooltip, the
// positional encoding and the training curves rendered, and saves a screenshot.
//
// Needs Chromium (TRANSFORMER_CHROMIUM, default /usr/bin/chromium; Debian's package "chromium") and a
// trained model folder (TRANSFORMER_E2E_MODEL, default demo-run, which `transformer demo` leaves).
// The screenshot goes to TRANSFORMER_E2E_SCREENSHOT (default e2e-output/serve.png).

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';

import { launchChromium } from './chromium.js';

import { startServer, type RunningServer } from '../src/serve/server.js';

const modelDir = process.env.TRANSFORMER_E2E_MODEL ?? 'demo-run';
const screenshot = process.env.TRANSFORMER_E2E_SCREENSHOT ?? join('e2e-output', 'serve.png');

if (!existsSync(join(modelDir, 'config.json')))
  throw new Error(`no model folder at ${modelDir}: run \`transformer demo\` first or set TRANSFORMER_E2E_MODEL`);

/** A sentence the model was trained for: the first of the demo's test set, or TRANSFORMER_E2E_TEXT. */
function sourceSentence(): string {
  if (process.env.TRANSFORMER_E2E_TEXT) return process.env.TRANSFORMER_E2E_TEXT;
  const testSource = join(modelDir, 'data', 'test.src');
  if (existsSync(testSource)) return readFileSync(testSource, 'utf8').split('\n')[0];
  return 'Ein Mann fährt mit dem Fahrrad die Straße entlang .';
}

let running: RunningServer;
let browser: Browser;
test.before(async () => {
  running = await startServer({ modelDir, port: 0 });
  browser = await launchChromium();
});
test.after(async () => {
  await browser?.close();
  await running?.close();
});

test('the page translates a sentence and draws its attention, positional encoding and training curves', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(running.url);
  await page.waitForSelector('body[data-ready="true"]');
  assert.match((await page.textContent('#model-summary')) ?? '', /parameters, backend/);

  const text = sourceSentence();
  await page.fill('#source-text', text);
  await page.selectOption('#beam', '4');
  await page.click('#translate-button');
  await page.waitForSelector('#heatmaps svg rect.cell', { timeout: 60_000 });

  // The page shows what the API gives for the same request.
  const reply = await (
    await fetch(new URL('/api/translate', running.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text, beam: 4 }),
    })
  ).json();
  const translation = (await page.textContent('#translation')) ?? '';
  assert.ok(translation.length > 0);
  assert.equal(translation, reply.translation);

  // Encoder-decoder attention of the last layer: one heatmap per head and the average.
  const info = await (await fetch(new URL('/api/info', running.url))).json();
  const { h } = info.model.config;
  const Tq = reply.target.ids.length + 1;
  const Tk = reply.source.ids.length;
  assert.equal(await page.locator('#heatmaps .panel').count(), h + 1);
  assert.equal(await page.locator('#heatmaps rect.cell').count(), (h + 1) * Tq * Tk);
  const firstRow = await page.$$eval('#heatmaps .panel:last-child rect.cell[data-row="0"]', (cells) =>
    cells.map((c) => Number(c.getAttribute('data-value'))),
  );
  assert.equal(firstRow.length, Tk);
  assert.ok(Math.abs(firstRow.reduce((a, b) => a + b, 0) - 1) < 0.01, `a row of weights sums to ${firstRow}`);

  // Hovering a cell shows its weight.
  await page.hover('#heatmaps .panel:last-child rect.cell[data-row="0"][data-col="0"]');
  await page.waitForSelector('#tooltip:not([hidden])');
  assert.match((await page.textContent('#tooltip')) ?? '', /→.*\d/);

  // Encoder self-attention: queries and keys are the source tokens.
  await page.check('input[name="kind"][value="encoder"]');
  assert.equal(await page.locator('#heatmaps rect.cell').count(), (h + 1) * Tk * Tk);
  await page.check('input[name="kind"][value="cross"]');

  // The positional encoding: 64 positions (or maxLength) by dModel.
  const { dModel, maxLength } = info.model.config;
  assert.equal(await page.locator('#positional rect.cell').count(), Math.min(64, maxLength) * dModel);

  // The training curves of the run folder.
  if (info.run !== null) {
    await page.waitForSelector('#training-section:not([hidden])');
    assert.equal(await page.locator('#charts svg').count(), 3);
    assert.ok((await page.locator('#charts .series').count()) >= 3);
  }
  assert.deepEqual(errors, []);

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  assert.ok(readFileSync(screenshot).length > 10_000);
  await page.close();
});
