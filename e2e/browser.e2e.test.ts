// End to end: the browser entry in headless Chromium, with no bundler. A page maps
// 'transformer-ts/browser' to dist/src/browser.js with an import map, opens a model folder fetched from
// a static server and one picked through <input type="file" webkitdirectory>, and translates greedily
// and with beam 4; the translations must be those of translateLines in Node on the js backend. A picked
// Marian folder (test/fixtures/marian) must decode to the same hypotheses and scores as in Node.
//
// Needs Chromium (TRANSFORMER_CHROMIUM, default /usr/bin/chromium). The model is a tiny translator
// trained in the test's setup, or the folder TRANSFORMER_E2E_MODEL names (the demo's, say), whose
// data/test.src gives the sentences when it has one.

import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

import { launchChromium } from './chromium.js';

import { withBackend } from '../src/backend/registry.js';
import { computeBleu, bleuStatistics } from '../src/eval/bleu.js';
import { translateIds, translateLines } from '../src/decode/translate-lines.js';
import { openModelFolder } from '../src/io/open-folder.js';
import type { EncoderDecoder } from '../src/model/index.js';
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';
import { SENTENCES, trainTinyTranslator } from './tiny-translator.js';

// This file runs from dist/e2e/.
const DIST = fileURLToPath(new URL('../', import.meta.url));
// The one package the browser entry imports (PyTorch checkpoints are zip archives), as the page maps it.
const FFLATE = dirname(createRequire(import.meta.url).resolve('fflate/package.json'));
const MARIAN = fileURLToPath(new URL('../../test/fixtures/marian', import.meta.url));

const PAGE = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="data:," />
    <script type="importmap">
      { "imports": { "transformer-ts/browser": "/dist/src/browser.js", "fflate": "/fflate/esm/browser.js" } }
    </script>
    <script type="module">
      import * as tt from 'transformer-ts/browser';
      async function translate(source, lines) {
        const opened = await tt.openModelFolderFrom(source);
        const greedy = tt.translateLines(opened.model, opened.tokenizer, lines, { beam: 1 });
        const beam4 = tt.translateLines(opened.model, opened.tokenizer, lines, { beam: 4 });
        const bleu = tt.corpusBleu(greedy, [lines]).score;
        return { folder: source.folder, format: opened.format, backends: tt.availableBackends(), greedy, beam4, bleu };
      }
      window.fromUrl = (lines) => translate(tt.fetchedFolder('/model/'), lines);
      window.fromPicked = (lines) => translate(tt.pickedFolder(document.querySelector('#folder').files), lines);
      window.marianFromPicked = async (lines, options) => {
        const opened = await tt.openModelFolderFrom(tt.pickedFolder(document.querySelector('#marian').files));
        const ids = lines.map((line) => [...opened.tokenizer.encode(line, { addEos: true })]);
        const hypotheses = (beam) =>
          tt.translateIds(opened.model, ids, { ...options, beam, nbest: beam }).map((list) => list.map(({ tokens, score }) => ({ tokens, score })));
        return { format: opened.format, ids, greedy: hypotheses(1), beam4: hypotheses(4) };
      };
      document.body.dataset.ready = 'true';
    </script>
  </head>
  <body>
    <input id="folder" type="file" webkitdirectory multiple />
    <input id="marian" type="file" webkitdirectory multiple />
  </body>
</html>
`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.html': 'text/html',
};

/** Serves the page at /, dist/ at /dist/ and the model folder at /model/, on 127.0.0.1. */
async function serve(modelDir: string): Promise<{ server: Server; url: string }> {
  const roots: [string, string][] = [
    ['/dist/', DIST],
    ['/fflate/', FFLATE],
    ['/model/', modelDir],
  ];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (path === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
      return;
    }
    for (const [prefix, dir] of roots) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (file.startsWith(normalize(dir + sep)) && existsSync(file) && statSync(file).isFile()) {
        const type = TYPES[extname(file)] ?? 'application/octet-stream';
        response.writeHead(200, { 'Content-Type': type }).end(readFileSync(file));
        return;
      }
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

/** The sentences to translate: three of the model's test set when it has one, else the tiny model's. */
function sentencesFor(modelDir: string): string[] {
  const testSource = join(modelDir, 'data', 'test.src');
  if (existsSync(testSource)) return readFileSync(testSource, 'utf8').split('\n').filter(Boolean).slice(0, 3);
  return [...SENTENCES.slice(0, 3), 'zwei kinder lesen ein buch .'];
}

let work: string;
let modelDir: string;
let running: { server: Server; url: string };
let browser: Browser;
test.before(async () => {
  work = mkdtempSync(join(tmpdir(), 'browser-e2e-'));
  modelDir = process.env.TRANSFORMER_E2E_MODEL ?? (await trainTinyTranslator(work));
  if (!existsSync(join(modelDir, 'config.json'))) throw new Error(`no model folder at ${modelDir}`);
  running = await serve(modelDir);
  browser = await launchChromium();
});
test.after(async () => {
  await browser?.close();
  await new Promise((resolve) => running?.server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** A page with the entry loaded; `errors` collects its uncaught errors and console errors. */
async function openPage(errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(running.url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

interface PageResult {
  folder: string;
  format: string;
  backends: string[];
  greedy: string[];
  beam4: string[];
  bleu: number;
}

test('the browser entry translates with a folder fetched by URL and with picked files, as Node does', async (t) => {
  const lines = sentencesFor(modelDir);
  const opened = await openModelFolder(modelDir);
  const model = opened.model as EncoderDecoder;
  const tokenizer = opened.tokenizer as Tokenizer;
  // The page computes on the js backend: Node does too here, so that the same arithmetic is compared.
  const expected = withBackend('js', () => ({
    greedy: translateLines(model, tokenizer, lines, { beam: 1 }),
    beam4: translateLines(model, tokenizer, lines, { beam: 4 }),
  }));
  assert.ok(
    expected.greedy.some((line) => line.length > 0),
    'the model translates to something',
  );
  t.diagnostic(`greedy: ${JSON.stringify(expected.greedy)}`);
  t.diagnostic(`beam 4: ${JSON.stringify(expected.beam4)}`);

  const errors: string[] = [];
  const page = await openPage(errors);
  const fromUrl = (await page.evaluate(
    (l) => (window as never as Record<string, (l: string[]) => unknown>).fromUrl(l),
    lines,
  )) as PageResult;
  assert.equal(fromUrl.folder, `${running.url}model/`);
  assert.equal(fromUrl.format, 'transformer-ts');
  assert.deepEqual(fromUrl.backends, ['js']);
  assert.deepEqual(fromUrl.greedy, expected.greedy);
  assert.deepEqual(fromUrl.beam4, expected.beam4);
  assert.equal(fromUrl.bleu, computeBleu(bleuStatistics(expected.greedy, [lines])).score);

  // The user picks a folder holding the model's files (a run folder's checkpoints are left out).
  const picked = join(work, 'picked', 'model');
  mkdirSync(picked, { recursive: true });
  for (const name of ['config.json', 'model.safetensors', 'tokenizer.json'])
    copyFileSync(join(modelDir, name), join(picked, name));
  await page.setInputFiles('#folder', picked);
  const fromPicked = (await page.evaluate(
    (l) => (window as never as Record<string, (l: string[]) => unknown>).fromPicked(l),
    lines,
  )) as PageResult;
  assert.equal(fromPicked.folder, 'model', 'the files came with their paths in the picked folder');
  assert.deepEqual(fromPicked.greedy, expected.greedy);
  assert.deepEqual(fromPicked.beam4, expected.beam4);

  assert.deepEqual(errors, []);
  await page.close();
});

test('a picked Marian folder (SentencePiece tokenizers, banned pad token) decodes in the page as in Node', async () => {
  const lines = ['The school was a long way from the house.', 'Naïve café owners sell crème brûlée — 日本 — for ¥500.'];
  const opened = await openModelFolder(MARIAN);
  const model = opened.model as EncoderDecoder;
  const ids = lines.map((line) => [...opened.tokenizer!.encode(line, { addEos: true })]);
  // The fixture's model has random weights: its hypotheses are short, so their scores are compared too.
  const options = { alpha: 0.6, maxLenA: 0, maxLenB: 12 };
  const hypotheses = (beam: number) =>
    translateIds(model, ids, { ...options, beam, nbest: beam }).map((list) =>
      list.map(({ tokens, score }) => ({ tokens, score })),
    );
  const expected = withBackend('js', () => ({ greedy: hypotheses(1), beam4: hypotheses(4) }));
  assert.ok(expected.beam4.every((list) => list.length === 4));

  const errors: string[] = [];
  const page = await openPage(errors);
  // The fixture's files only (its expected.json is the PyTorch reference, not part of a Marian folder).
  const picked = join(work, 'picked-marian', 'opus-mt-tiny');
  mkdirSync(picked, { recursive: true });
  for (const name of [
    'config.json',
    'model.safetensors',
    'source.spm',
    'target.spm',
    'tokenizer_config.json',
    'vocab.json',
  ])
    copyFileSync(join(MARIAN, name), join(picked, name));
  await page.setInputFiles('#marian', picked);
  const result = (await page.evaluate(
    ([l, o]) => (window as never as Record<string, (l: unknown, o: unknown) => unknown>).marianFromPicked(l, o),
    [lines, options] as const,
  )) as { format: string; ids: number[][]; greedy: unknown; beam4: unknown };
  assert.equal(result.format, 'marian');
  assert.deepEqual(result.ids, ids);
  assert.deepEqual(result.greedy, expected.greedy);
  assert.deepEqual(result.beam4, expected.beam4);
  assert.deepEqual(errors, []);
  await page.close();
});
