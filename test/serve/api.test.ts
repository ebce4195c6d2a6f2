// The server's JSON API: translations equal the library's (also when requests are batched
// together), attention maps have the right shapes and equal attentionWeights, and every kind of bad
// request gets its status and a readable message, the size limit even while the model is busy.

import test from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { isAbsolute } from 'node:path';

import { attentionWeights } from '../../src/decode/attention-weights.js';
import { translateIds } from '../../src/decode/translate-lines.js';
import { sinusoidTable } from '../../src/model/embeddings.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { makeServeFixture, sentences } from './serve-fixture.js';

const fixture = await makeServeFixture({ metrics: true });
const running: RunningServer = await startServer({ modelDir: fixture.dir, port: 0, threads: 1 });
test.after(async () => {
  await running.close();
  fixture.cleanup();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A raw request, so that tests can send what fetch would refuse to (wrong lengths, odd bodies). */
function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(path, running.url);
  return new Promise((resolve, reject) => {
    const length: Record<string, string> =
      body === undefined || 'Transfer-Encoding' in headers ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = request(
      url,
      { method, headers: { 'Content-Type': 'application/json', ...length, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          if ((res.headers['content-type'] ?? '').startsWith('application/json')) parsed = JSON.parse(text);
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const post = (body: unknown) => send('POST', '/api/translate', JSON.stringify(body));

const expected = (text: string, beam: number) => {
  const source = [...fixture.tokenizer.encode(text, { addEos: true })];
  const [best] = translateIds(fixture.model, [source], { beam })[0];
  return { source, best };
};

test('/api/info describes the model and the limits', async () => {
  const { status, body } = await send('GET', '/api/info');
  assert.equal(status, 200);
  assert.equal(body.model.config.decoderLayers, 3);
  assert.equal(body.model.parameters, fixture.model.parameterCount());
  assert.equal(body.tokenizer.vocabSize, fixture.tokenizer.vocabSize);
  assert.equal(body.limits.maxTokens, 96, 'the token limit is cut to the model maxLength');
  assert.deepEqual(body.run, { folder: body.model.folder }, 'the model folder is the run folder');
  assert.ok(!isAbsolute(body.model.folder) && body.model.folder.endsWith('model'), body.model.folder);
});

test('a translation equals the library, with tokens and every attention map', async () => {
  const text = sentences[0];
  const { status, body } = await post({ text, beam: 1, attention: true });
  assert.equal(status, 200, JSON.stringify(body));
  const { source, best } = expected(text, 1);
  assert.deepEqual(body.source.ids, source);
  assert.deepEqual(body.target.ids, best.tokens);
  assert.equal(body.translation, fixture.tokenizer.decode(best.tokens));
  assert.deepEqual(
    body.source.tokens,
    source.map((id) => fixture.tokenizer.idToPiece(id)),
  );
  assert.ok(Math.abs(body.score - best.score) < 1e-4);

  const want = attentionWeights(fixture.model, source, best.tokens);
  assert.equal(body.attention.length, 2 + 3 + 3);
  const kinds = body.attention.map((m: { kind: string; layer: number }) => `${m.kind}${m.layer}`);
  assert.deepEqual(kinds.sort(), [
    'cross0',
    'cross1',
    'cross2',
    'decoder0',
    'decoder1',
    'decoder2',
    'encoder0',
    'encoder1',
  ]);
  for (const map of body.attention) {
    const ref = want.find((w) => w.name === map.name)!;
    assert.deepEqual(map.shape, ref.shape);
    const [h, Tq, Tk] = map.shape;
    assert.equal(h, 4);
    assert.equal(Tq, map.kind === 'encoder' ? source.length : best.tokens.length + 1);
    assert.equal(Tk, map.kind === 'decoder' ? best.tokens.length + 1 : source.length);
    for (let i = 0; i < ref.weights.length; i++) assert.ok(Math.abs(map.weights[i] - ref.weights[i]) <= 5.1e-5);
    for (let row = 0; row < h * Tq; row++) {
      const sum = map.weights.slice(row * Tk, (row + 1) * Tk).reduce((a: number, b: number) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-3, `${map.name} row ${row} sums to ${sum}`);
    }
  }
});

test('beam search by default, and no attention unless asked for', async () => {
  const { status, body } = await post({ text: sentences[2] });
  assert.equal(status, 200);
  assert.equal(body.beam, 4);
  assert.deepEqual(body.target.ids, expected(sentences[2], 4).best.tokens);
  assert.equal(body.attention, undefined);
});

test('concurrent requests are batched and each gets its own translation', async () => {
  const before = running.translator!.stats.batches;
  const texts = Array.from({ length: 12 }, (_, i) => `${sentences[i % 4]} ${'noch '.repeat(i % 3)}`.trim());
  const replies = await Promise.all(texts.map((text) => post({ text, beam: 1 })));
  for (const [i, reply] of replies.entries()) {
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.target.ids, expected(texts[i], 1).best.tokens, texts[i]);
  }
  const batches = running.translator!.stats.batches - before;
  assert.ok(batches < texts.length, `12 requests took ${batches} batches`);
});

test('bad requests get their status and a message naming the problem', async () => {
  const cases: [Promise<Reply>, number, RegExp, string?][] = [
    [send('POST', '/api/translate', '{"text": '), 400, /not valid JSON/],
    [send('POST', '/api/translate', '[1,2]'), 400, /JSON object/],
    [post({ text: 'hallo', bem: 2 }), 400, /unknown field "bem"/, 'bem'],
    [post({ beam: 2 }), 422, /text must be a string/, 'text'],
    [post({ text: '   ' }), 422, /text is empty/, 'text'],
    [post({ text: 'hallo', beam: 0 }), 422, /beam must be an integer from 1 to 8, got 0/, 'beam'],
    [post({ text: 'hallo', beam: 2.5 }), 422, /beam must be an integer/, 'beam'],
    [post({ text: 'hallo', alpha: -1 }), 422, /alpha must be a number from 0 to 2/, 'alpha'],
    [post({ text: 'hallo', attention: 'yes' }), 422, /attention must be true or false/, 'attention'],
    [post({ text: 'wort '.repeat(200) }), 422, /text has \d+ tokens .* at most 96/, 'text'],
    [send('POST', '/api/translate', '{"text":"a"}', { 'Content-Type': 'text/plain' }), 415, /must be JSON/],
    [send('GET', '/api/translate'), 405, /takes POST, not GET/],
    [send('GET', '/api/nothing'), 404, /no such API/],
    [send('GET', '/api/positional-encoding?length=0'), 422, /length must be an integer from 1 to 96/, 'length'],
  ];
  for (const [pending, status, message, field] of cases) {
    const { status: got, body } = await pending;
    assert.equal(got, status, JSON.stringify(body));
    assert.equal(body.error.status, status);
    assert.match(body.error.message, message);
    assert.equal(body.error.field, field);
  }
});

test('an oversized body gets 413 from its Content-Length or as it streams, and the connection closes', async () => {
  const big = JSON.stringify({ text: 'x'.repeat(20_000) });
  const declared = await send('POST', '/api/translate', big);
  assert.equal(declared.status, 413);
  assert.match(declared.body.error.message, /the body has \d+ bytes; the limit is 16384/);
  assert.equal(declared.headers.connection, 'close');
  const streamed = await send('POST', '/api/translate', big, { 'Transfer-Encoding': 'chunked' });
  assert.equal(streamed.status, 413);
  assert.match(streamed.body.error.message, /longer than the limit of 16384 bytes/);
});

test('the size limit is answered while the worker is still translating', async () => {
  const order: string[] = [];
  const long = Promise.all(
    Array.from({ length: 8 }, (_, i) => post({ text: `${sentences[i % 4]} `.repeat(2), beam: 8, attention: true })),
  ).then((replies) => {
    order.push('translations');
    return replies;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const refused = await send('POST', '/api/translate', JSON.stringify({ text: 'x'.repeat(20_000) }));
  order.push('413');
  assert.equal(refused.status, 413);
  for (const reply of await long) assert.equal(reply.status, 200);
  assert.deepEqual(order, ['413', 'translations']);
});

test('a full queue answers 503 with Retry-After instead of waiting', async () => {
  const small = await startServer({ modelDir: fixture.dir, port: 0, threads: 1, limits: { maxQueue: 1, maxBatch: 1 } });
  try {
    const url = new URL('/api/translate', small.url);
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text: sentences[0], beam: 4 }),
        }).then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), body: await r.json() })),
      ),
    );
    const busy = replies.filter((r) => r.status === 503);
    assert.ok(busy.length >= 1, JSON.stringify(replies.map((r) => r.status)));
    assert.ok(replies.some((r) => r.status === 200));
    for (const r of busy) {
      assert.equal(r.retry, '1');
      assert.match(r.body.error.message, /the server is busy/);
    }
  } finally {
    await small.close();
  }
});

test('/api/positional-encoding gives the table the model adds', async () => {
  const { status, body } = await send('GET', '/api/positional-encoding?length=10');
  assert.equal(status, 200);
  assert.equal(body.kind, 'sinusoidal');
  assert.equal(body.dModel, 32);
  const table = sinusoidTable(10, 32, false);
  assert.equal(body.values.length, table.length);
  for (let i = 0; i < table.length; i++) assert.ok(Math.abs(body.values[i] - table[i]) <= 5.1e-5);
});

test('/api/metrics gives the run curves; without a run folder it is a 404 that says how to add one', async () => {
  const { status, body } = await send('GET', '/api/metrics');
  assert.equal(status, 200);
  assert.equal(body.steps.length, 30);
  assert.deepEqual(body.steps[29], { step: 30, loss: 5 - 29 / 10, lr: 30e-4, elapsedSeconds: 29 });
  assert.deepEqual(
    body.validations.map((v: { bleu: number }) => v.bleu),
    [3.5, 7.25],
  );
  const bare = await makeServeFixture();
  const other = await startServer({ modelDir: bare.dir, port: 0, threads: 1 });
  try {
    const reply = await fetch(new URL('/api/metrics', other.url));
    assert.equal(reply.status, 404);
    assert.match((await reply.json()).error.message, /start the server with --run DIR/);
  } finally {
    await other.close();
    bare.cleanup();
  }
});

test('the page and its scripts are served; nothing else is', async () => {
  const page = await send('GET', '/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.match(page.body, /<script type="module" src="\/web\/app\/main.js">/);
  for (const path of ['/web/app/main.js', '/web/style.css', '/src/viz/index.js', '/src/viz/heatmap.js']) {
    const file = await send('GET', path);
    assert.equal(file.status, 200, path);
  }
  for (const path of [
    '/web/../package.json',
    '/web/app/..%2F..%2Fpackage.json',
    '/src/viz/../../package.json',
    '/dist/src/index.js',
    '/web/.hidden.js',
    '/src/serve/server.js',
  ]) {
    const file = await send('GET', path);
    assert.equal(file.status, 404, path);
  }
  assert.equal((await send('POST', '/')).status, 405);
});
