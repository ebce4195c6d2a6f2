// The playground's target tokens/s with 2 threads, then 1, then 2 again, on one page in headless Chromium: clicks
// Train on the built-in task with the page's defaults, reads the progress line every 15 s, and switches the
// threads menu. Usage (after `npm run build` and `npm run build:wasm`): node scripts/playground-threads.js
// TRANSFORMER_CHROMIUM names the browser (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { startPlaygroundServer } from '../dist/src/serve/playground.js';
const server = await startPlaygroundServer({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.TRANSFORMER_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage();
await page.goto(server.url);
await page.waitForSelector('body[data-ready="true"]');
console.log(await page.locator('#backend-status').innerText());
await page.click('#train');
const watch = async (label, seconds) => {
  for (let s = 0; s < seconds; s += 15) {
    await page.waitForTimeout(15000);
    console.log(label, await page.locator('#progress').innerText());
  }
};
await watch('2 threads', 90);
await page.selectOption('#threads', '1');
await watch('1 thread', 90);
await page.selectOption('#threads', '2');
await watch('2 threads again', 45);
await browser.close();
await server.close();
