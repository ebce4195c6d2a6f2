// The server's API for the encoder-only and decoder-only kinds: /api/encode gives what the library
// computes (a classifier's distribution, a tagger's labels per word, the fill-mask pipeline's fillers)
// with every self-attention map; /api/generate gives sample()'s continuation, greedy or drawn, as one
// JSON reply or as server-sent events; a client that leaves stops its generation; and every bad request
// gets its 4xx and a one-line JSON error.

import test from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';

import { sample } from '../../src/decode/sample.js';
import { observeAttention } from '../../src/model/observe.js';
import type { Model } from '../../src/model/index.js';
import { createPipeline } from '../../src/pipeline/index.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { LABELS, makeKindsFixture, TAGS } from './kinds-fixture.js';

const fixture = await makeKindsFixture();
const servers = new Map<string, RunningServer>();
test.after(async () => {
  for (const s of servers.values()) await s.close();
  fixture.cleanup();
});

async function server(dir: string, limits = {}): Promise<RunningServer> {
  const key = `${dir} ${JSON.stringify(limits)}`;
  if (!servers.has(key)) servers.set(key, await startServer({ modelDir: dir, port: 0, threads: 1, limits }));
  return servers.get(key)!;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function post(running: RunningServer, path: string, body: unknown, headers = {}): Promise<Reply> {
  const r = await fetch(new URL(path, running.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  const json = (r.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: r.status, headers: r.headers, text, body: json ? JSON.parse(text) : null };
}

/** Server-sent events as [event, data] pairs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function events(text: string): [string, any][] {
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => [/^event: (.*)$/m.exec(block)![1], JSON.parse(/^data: (.*)$/m.exec(block)![1])]);
}

/** Every attention map of one forward pass of the model over ids. */
function mapsOf(model: Model, ids: number[]): { name: string; weights: Float32Array }[] {
  const maps: { name: string; weights: Float32Array }[] = [];
  T.noGrad(() => {
    const stop = observeAttention(model, (name, w) =>
      maps.push({ name, weights: Float32Array.from(T.contiguous(w).floats()) }),
    );
    try {
      (model as { forward(x: Tensor): Tensor }).forward(Tensor.from(Int32Array.from(ids), [1, ids.length]));
    } finally {
      stop();
    }
  });
  return maps;
}

function assertMapsEqual(
  reply: { name: string; shape: number[]; weights: number[] }[],
  expected: ReturnType<typeof mapsOf>,
  T: number,
) {
  assert.deepEqual(
    reply.map((m) => m.name),
    expected.map((m) => m.name),
  );
  for (const [i, map] of reply.entries()) {
    assert.deepEqual(map.shape, [4, T, T]);
    for (let k = 0; k < map.weights.length; k++) assert.ok(Math.abs(map.weights[k] - expected[i].weights[k]) <= 5.1e-5);
  }
}

const probabilities = (model: Model, ids: number[]) =>
  T.noGrad(() =>
    T.softmax(
      (model as { forward(x: Tensor): Tensor }).forward(Tensor.from(Int32Array.from(ids), [1, ids.length])),
      -1,
    ).floats(),
  );

test("a classifier: the label distribution and every layer's self-attention, as the library computes them", async () => {
  const running = await server(fixture.classifier.dir);
  const info = await (await fetch(new URL('/api/info', running.url))).json();
  assert.equal(info.model.config.kind, 'encoder-only');
  assert.equal(info.model.config.head, 'sequence-classification');
  const text = 'zwei hunde spielen im park';
  const { status, body } = await post(running, '/api/encode', { text, attention: true });
  assert.equal(status, 200, JSON.stringify(body));
  const { model, tokenizer } = fixture.classifier;
  const ids = [model.config.bosId, ...tokenizer.encode(text)];
  assert.deepEqual(body.tokens.ids, ids);
  const p = probabilities(model, ids);
  assert.deepEqual(
    body.labels.map((l: { label: string }) => l.label),
    [0, 1, 2].sort((a, b) => p[b] - p[a]).map((i) => LABELS[i]),
  );
  for (const l of body.labels) assert.ok(Math.abs(l.score - p[LABELS.indexOf(l.label)]) < 1e-6);
  assert.deepEqual(
    body.attention.map((m: { kind: string; layer: number }) => [m.kind, m.layer]),
    [
      ['encoder', 0],
      ['encoder', 1],
    ],
  );
  assertMapsEqual(body.attention, mapsOf(model, ids), ids.length);
  assert.equal((await post(running, '/api/encode', { text })).body.attention, undefined, 'attention only on request');
});

test("a tagger labels each word from its first piece; a masked-LM gives the fill-mask pipeline's fillers", async () => {
  const tagger = await server(fixture.tagger.dir);
  const text = 'eine  frau liest';
  const { body } = await post(tagger, '/api/encode', { text, topK: 2 });
  const { model, tokenizer } = fixture.tagger;
  assert.deepEqual(
    body.tags.map((t: { word: string }) => t.word),
    ['eine', 'frau', 'liest'],
  );
  const p = probabilities(model, body.tokens.ids);
  let position = 1;
  for (const [w, tag] of body.tags.entries()) {
    assert.equal(tag.position, position, `word ${w} starts at its first piece`);
    const row = Array.from(p.slice(position * TAGS.length, (position + 1) * TAGS.length));
    const best = row.indexOf(Math.max(...row));
    assert.equal(tag.labels.length, 2);
    assert.equal(tag.labels[0].label, TAGS[best]);
    assert.ok(Math.abs(tag.labels[0].score - row[best]) < 1e-6);
    position += tokenizer.encode(tag.word).length;
  }
  assert.equal(position, body.tokens.ids.length);

  const masked = await server(fixture.masked.dir);
  const sentence = 'zwei <mask> spielen im schnee .';
  const reply = await post(masked, '/api/encode', { text: sentence, topK: 4 });
  assert.equal(reply.status, 200, reply.text);
  const unmasker = createPipeline('fill-mask', { model: fixture.masked.model, tokenizer: fixture.masked.tokenizer });
  const expected = (await unmasker(sentence, { top_k: 4 })) as { token: number; score: number; sequence: string }[];
  const [mask] = reply.body.masks;
  assert.deepEqual(
    mask.candidates.map((c: { token: number }) => c.token),
    expected.map((c) => c.token),
  );
  assert.deepEqual(
    mask.candidates.map((c: { sequence: string }) => c.sequence),
    expected.map((c) => c.sequence),
  );
  mask.candidates.forEach((c: { score: number }, i: number) => assert.ok(Math.abs(c.score - expected[i].score) < 1e-6));
  const none = await post(masked, '/api/encode', { text: 'zwei hunde' });
  assert.equal(none.status, 422);
  assert.match(none.body.error.message, /text has no <mask>/);
});

test("a language model: greedy and sampled continuations are sample()'s, streamed or whole, with causal attention", async () => {
  const running = await server(fixture.lm.dir);
  const { model, tokenizer } = fixture.lm;
  const prompt = 'zwei hunde';
  const ids = [...tokenizer.encode(prompt)];
  const greedy = sample(model, [ids], { temperature: 0, maxNewTokens: 20 })[0];
  const whole = await post(running, '/api/generate', { prompt, maxNewTokens: 20, attention: true });
  assert.equal(whole.status, 200, whole.text);
  assert.ok(greedy.tokens.length > 0);
  assert.deepEqual(whole.body.continuation.ids, greedy.tokens);
  assert.equal(whole.body.text, tokenizer.decode(greedy.tokens));
  assert.equal(whole.body.ended, greedy.tokenLogprobs.length > greedy.tokens.length ? 'eos' : 'length');
  const read = [...ids, ...greedy.tokens];
  assert.deepEqual(whole.body.read.ids, read);
  assert.deepEqual(
    whole.body.attention.map((m: { kind: string }) => m.kind),
    ['decoder', 'decoder'],
  );
  assertMapsEqual(whole.body.attention, mapsOf(model, read), read.length);
  const [first] = whole.body.attention;
  for (let q = 0; q < read.length; q++)
    for (let k = q + 1; k < read.length; k++) assert.equal(first.weights[q * read.length + k], 0, 'causal');

  const streamed = await post(running, '/api/generate', { prompt, maxNewTokens: 20, stream: true });
  assert.equal(streamed.status, 200);
  assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/);
  const list = events(streamed.text);
  assert.deepEqual(list[0], ['start', { prompt: whole.body.prompt }]);
  const tokenEvents = list.filter(([e]) => e === 'token').map(([, d]) => d);
  assert.ok(tokenEvents.length >= 2, 'one event per step');
  assert.deepEqual(
    tokenEvents.flatMap((d) => d.ids),
    greedy.tokens,
  );
  assert.equal(tokenEvents.at(-1).text, whole.body.text);
  const [last, done] = list.at(-1)!;
  assert.equal(last, 'done');
  assert.equal(done.attention, undefined, 'attention only on request');
  const expected = { ...whole.body, milliseconds: 0 };
  delete expected.attention;
  assert.deepEqual({ ...done, milliseconds: 0 }, expected);

  const settings = { temperature: 1.3, topK: 8, topP: 0.9, seed: 11 };
  const drawn = sample(model, [ids], { ...settings, maxNewTokens: 15 })[0];
  const sampled = await post(running, '/api/generate', { prompt, maxNewTokens: 15, sample: true, ...settings });
  assert.deepEqual(sampled.body.continuation.ids, drawn.tokens);
});

test('a character language model reads its vocabulary.json; a character it lacks is a 422', async () => {
  const running = await server(fixture.characters.dir);
  const { model, vocabulary } = fixture.characters;
  const ids = [...vocabulary.encode('ein')];
  const { body } = await post(running, '/api/generate', { prompt: 'ein', maxNewTokens: 12 });
  assert.deepEqual(body.continuation.ids, sample(model, [ids], { temperature: 0, maxNewTokens: 12 })[0].tokens);
  assert.deepEqual(body.prompt.tokens, ['e', 'i', 'n']);
  const bad = await post(running, '/api/generate', { prompt: 'ein Zebra' });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.error, {
    status: 422,
    message: 'prompt: character "Z" is not in the vocabulary',
    field: 'prompt',
  });
});

test('a client that leaves in the middle of a stream stops its generation; the server goes on', async () => {
  const running = await server(fixture.characters.dir, { maxNewTokens: 500 });
  const { model, vocabulary } = fixture.characters;
  const full = sample(model, [[...vocabulary.encode('ein')]], { temperature: 0, maxNewTokens: 500 })[0];
  assert.ok(full.tokens.length > 400, 'the fixture generates long enough to be interrupted');
  await new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ prompt: 'ein', maxNewTokens: 500, stream: true });
    const req = request(new URL('/api/generate', running.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      res.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('event: token')) {
          req.destroy();
          resolve();
        }
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(body);
  });
  let load;
  do load = (await (await fetch(new URL('/api/info', running.url))).json()).load;
  while (load.stopped === 0 && (await new Promise((r) => setTimeout(r, 20, true))));
  assert.deepEqual(load, { queued: 0, requests: 1, stopped: 1 });
  const after = await post(running, '/api/generate', { prompt: 'ein', maxNewTokens: 5 });
  assert.equal(after.status, 200);
  assert.equal(after.body.continuation.ids.length, 5);
});

test('bad requests to the new endpoints get a 4xx and a one-line JSON error naming the field', async () => {
  const lm = await server(fixture.lm.dir);
  const classifier = await server(fixture.classifier.dir);
  const cases: [RunningServer, string, unknown, number, RegExp, string?][] = [
    [
      lm,
      '/api/generate',
      { prompt: 'ein', beam: 4 },
      400,
      /unknown field "beam"; expected prompt, maxNewTokens/,
      'beam',
    ],
    [lm, '/api/generate', '[1, 2]', 400, /the body must be a JSON object/],
    [lm, '/api/generate', '{"prompt": ', 400, /the body is not valid JSON/],
    [lm, '/api/generate', { prompt: '   ' }, 422, /prompt is empty/, 'prompt'],
    [lm, '/api/generate', { prompt: 7 }, 422, /prompt must be a string/, 'prompt'],
    [
      lm,
      '/api/generate',
      { prompt: 'ein', temperature: 0.5 },
      422,
      /temperature applies to sampling: set sample to true/,
      'temperature',
    ],
    [
      lm,
      '/api/generate',
      { prompt: 'ein', maxNewTokens: 201 },
      422,
      /maxNewTokens must be an integer from 1 to 200, got 201/,
      'maxNewTokens',
    ],
    [
      lm,
      '/api/generate',
      { prompt: 'ein', sample: true, topP: 0 },
      422,
      /topP must be a number above 0 and at most 1, got 0/,
      'topP',
    ],
    [
      lm,
      '/api/generate',
      { prompt: 'ein', sample: true, temperature: -1 },
      422,
      /temperature must be a number above 0/,
      'temperature',
    ],
    [lm, '/api/generate', { prompt: 'ein', stream: 'yes' }, 422, /stream must be true or false, got "yes"/, 'stream'],
    [
      lm,
      '/api/generate',
      { prompt: 'ein mann '.repeat(20) },
      422,
      /prompt has \d+ tokens; this server reads at most 48/,
      'prompt',
    ],
    [
      lm,
      '/api/encode',
      { text: 'ein' },
      404,
      /\/api\/encode needs an encoder-only model; this server's model is decoder-only: use \/api\/generate/,
    ],
    [
      lm,
      '/api/translate',
      { text: 'ein' },
      404,
      /\/api\/translate needs an encoder-decoder model; .* use \/api\/generate/,
    ],
    [classifier, '/api/generate', { prompt: 'ein' }, 404, /needs a decoder-only model; .* use \/api\/encode/],
    [classifier, '/api/encode', { text: 'ein', topK: 0 }, 422, /topK must be an integer from 1 to 50, got 0/, 'topK'],
    [classifier, '/api/encode', { text: 'ein', attention: 1 }, 422, /attention must be true or false/, 'attention'],
    [
      classifier,
      '/api/encode',
      { text: 'ein '.repeat(60) },
      422,
      /text has \d+ tokens \(with the start token\); this server reads at most 48/,
      'text',
    ],
    [classifier, '/api/encode', { text: 'x'.repeat(20_000) }, 413, /the body has \d+ bytes; the limit is 16384/],
  ];
  for (const [running, path, body, status, message, field] of cases) {
    const reply = await post(running, path, body);
    const what = `${path} ${JSON.stringify(body).slice(0, 60)}`;
    assert.equal(reply.status, status, `${what}: ${reply.text}`);
    assert.equal(reply.text.includes('\n'), false, `${what}: one line`);
    assert.equal(reply.body.error.status, status);
    assert.match(reply.body.error.message, message, what);
    assert.equal(reply.body.error.field, field, what);
  }
  const notJson = await post(lm, '/api/generate', 'prompt=ein', { 'Content-Type': 'text/plain' });
  assert.equal(notJson.status, 415);
  const get = await fetch(new URL('/api/generate', lm.url));
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
});

test('a full queue answers 503 with Retry-After, also to a request for a stream', async () => {
  const small = await server(fixture.characters.dir, { maxQueue: 1, maxNewTokens: 500 });
  const replies = await Promise.all(
    Array.from({ length: 6 }, () => post(small, '/api/generate', { prompt: 'ein', maxNewTokens: 400, stream: true })),
  );
  const busy = replies.filter((r) => r.status === 503);
  assert.ok(busy.length >= 1, JSON.stringify(replies.map((r) => r.status)));
  assert.ok(replies.some((r) => r.status === 200));
  for (const r of busy) {
    assert.equal(r.headers.get('retry-after'), '1');
    assert.match(r.body.error.message, /the server is busy/);
  }
});
