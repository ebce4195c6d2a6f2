// `transformer serve`: the page and its JSON API.
//   GET  /                          the page (web/index.html and its scripts)
//   GET  /api/info                  the model's configuration, size and the server's limits
//   POST /api/translate             {text, beam?, alpha?, attention?} → translation, tokens, attention maps
//   GET  /api/positional-encoding   ?length=N: the encodings the model adds to its embeddings
//   GET  /api/metrics               the run folder's loss, BLEU and learning-rate curves
//   POST /api/encode, /api/generate  for encoder-only and decoder-only folders (src/serve/kinds-api.ts)
// Errors are JSON {error: {status, message, field?}}. The model runs in a worker thread, so limits
// (413, 422, 503) are answered at once even while a batch is being translated. Every response carries
// the security headers, a request whose Host is not this server's gets 421 (src/serve/security.ts), and
// slow or idle connections are cut within seconds (src/serve/connections.ts).

import type { Precision } from '../tensor/precision.js';
import type { Quantization } from '../nn/int8.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { hasMetrics } from '../io/metrics-file.js';
import { ModelFolderError } from '../io/model-folder.js';
import { openFolderTokenizer, readFolderConfig } from '../io/open-folder.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { guardConnections, limitStalledAnswer, serverOptions } from './connections.js';
import { HttpError, readJsonBody, sendError, sendJson } from './http.js';
import { ANSWERED, characterTokenizer, encode, generate, wrongKind, type KindsContext } from './kinds-api.js';
import { ModelRunner } from './model-runner.js';
import type { ModelSummary } from './protocol.js';
import { RunMetrics } from './metrics.js';
import { hostRule, SECURITY_HEADERS, shownPath } from './security.js';
import { readStaticFile, staticFilePath } from './static-files.js';
import { encodeSource, parseTranslateRequest, translationJson } from './translate-request.js';
import { QueueFullError, Translator } from './translator.js';

export interface ServeLimits {
  /** Bytes in a request body. */
  maxBodyBytes: number;
  /** Source tokens, EOS included (at most the model's maxLength). */
  maxTokens: number;
  maxBeam: number;
  /** Sentences decoded together. */
  maxBatch: number;
  /** Sentences waiting for the model; more get 503. */
  maxQueue: number;
  /** Open connections; at the cap a new one replaces the one idle longest. */
  maxConnections: number;
  /** Tokens a decoder-only model's generation adds at most. */
  maxNewTokens: number;
}

export const defaultLimits: ServeLimits = {
  maxBodyBytes: 16 * 1024,
  maxTokens: 128,
  maxBeam: 8,
  maxBatch: 16,
  maxQueue: 64,
  maxConnections: 256,
  maxNewTokens: 200,
};

export interface ServeOptions {
  modelDir: string;
  /** A run folder with metrics.jsonl; by default the model folder when it has one. */
  runDir?: string | null;
  host?: string;
  /** Names besides the bound host that the Host header may carry (at any port). */
  allowedHosts?: readonly string[];
  /** 0 picks a free port. */
  port?: number;
  threads?: number | null;
  /** The matrix products' number format (float32 by default). */
  precision?: Precision;
  /** 'int8': weights of linear layers and embeddings quantized at load (none by default). */
  quantize?: Quantization;
  limits?: Partial<ServeLimits>;
  /** Called with one line per request (method, path, status, milliseconds). */
  log?: (line: string) => void;
}

export interface RunningServer {
  server: Server;
  url: string;
  model: ModelSummary;
  /** The encoder-decoder's worker; null for the other kinds, which `runner` serves. */
  translator: Translator | null;
  runner: ModelRunner | null;
  limits: ServeLimits;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const kind = readFolderConfig(options.modelDir).kind;
  // A character language model reads text through its vocabulary.json.
  const tokenizer =
    (await openFolderTokenizer(options.modelDir)) ??
    (kind === 'decoder-only' ? characterTokenizer(options.modelDir) : null);
  if (tokenizer === null)
    throw new ModelFolderError(`${options.modelDir} has no tokenizer.json; serve needs one to read text`);
  const runDir = options.runDir ?? (hasMetrics(options.modelDir) ? options.modelDir : null);
  const worker = {
    modelDir: options.modelDir,
    threads: options.threads ?? null,
    precision: options.precision,
    quantize: options.quantize,
  };
  const maxQueue = options.limits?.maxQueue ?? defaultLimits.maxQueue;
  const translator =
    kind === 'encoder-decoder'
      ? await Translator.start({ ...worker, maxBatch: options.limits?.maxBatch ?? defaultLimits.maxBatch, maxQueue })
      : null;
  const runner = translator === null ? await ModelRunner.start({ ...worker, maxQueue }) : null;
  const served = (translator ?? runner)!;
  const limits: ServeLimits = { ...defaultLimits, ...options.limits };
  limits.maxTokens = Math.min(limits.maxTokens, served.model.config.maxLength);
  const context: Context = {
    tokenizer,
    translator,
    kinds: runner === null ? null : { runner, tokenizer, config: runner.model.config, limits },
    served,
    limits,
    metrics: runDir === null ? null : new RunMetrics(runDir),
    modelFolder: shownPath(options.modelDir),
    knownHost: () => false, // until the server knows its address
  };

  const server = createServer(serverOptions, (req, res) => {
    const began = performance.now();
    res.on('finish', () =>
      options.log?.(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - began).toFixed(1)}ms`),
    );
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const socket = req.socket; // req lets go of it once the answer is out
    route(context, req, res)
      .catch((error: unknown) => {
        if (socket.destroyed) {
          // The client went away (an upload cut short, a closed tab): nobody to answer, nothing broken.
          options.log?.(`${req.method} ${req.url} abandoned by the client`);
          return;
        }
        const http = error instanceof HttpError ? error : internalError(error);
        if (res.headersSent) res.destroy();
        else sendError(res, http, http.status === 413);
      })
      .finally(() => limitStalledAnswer(socket));
  });
  guardConnections(server, { maxConnections: limits.maxConnections, log: options.log });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await served.close(); // the worker would keep the process alive
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  context.knownHost = hostRule({
    address: address.address,
    port: address.port,
    host: options.host ?? '127.0.0.1',
    allowedHosts: options.allowedHosts,
  });
  return {
    server,
    url: `http://${host}:${address.port}/`,
    model: served.model,
    translator,
    runner,
    limits,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await served.close();
    },
  };
}

interface Context {
  tokenizer: TextTokenizer;
  translator: Translator | null;
  /** The API of an encoder-only or decoder-only model; null for an encoder-decoder. */
  kinds: KindsContext | null;
  /** Whichever of the two runs the model. */
  served: Translator | ModelRunner;
  limits: ServeLimits;
  metrics: RunMetrics | null;
  /** The model folder as the API shows it: no absolute path. */
  modelFolder: string;
  /** Whether a Host header names this server. */
  knownHost: (host: string | undefined) => boolean;
}

/** A bug: its stack goes to the server's log, the client learns only that it happened. */
function internalError(error: unknown): HttpError {
  console.error(error);
  return new HttpError(500, "internal error; the server's log has the details");
}

const ROUTES: Record<
  string,
  {
    method: string;
    /** The reply's JSON, or ANSWERED when the handler has written the response itself. */
    handle: (c: Context, req: IncomingMessage, url: URL, res: ServerResponse) => Promise<unknown>;
  }
> = {
  '/api/info': { method: 'GET', handle: async (c) => info(c) },
  '/api/translate': { method: 'POST', handle: translate },
  '/api/positional-encoding': { method: 'GET', handle: positionalEncoding },
  '/api/metrics': { method: 'GET', handle: metrics },
  '/api/encode': { method: 'POST', handle: async (c, req) => encode(kindsFor(c, 'encoder-only', '/api/encode'), req) },
  '/api/generate': {
    method: 'POST',
    handle: async (c, req, _url, res) => generate(kindsFor(c, 'decoder-only', '/api/generate'), req, res),
  },
};

function kindsFor(c: Context, needs: 'encoder-only' | 'decoder-only', path: string): KindsContext {
  const held = c.served.model.config.kind;
  if (c.kinds === null || held !== needs) throw wrongKind(path, needs, held);
  return c.kinds;
}

async function route(c: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!c.knownHost(req.headers.host)) {
    const named = req.headers.host === undefined ? 'no Host header' : `Host "${req.headers.host.slice(0, 100)}"`;
    throw new HttpError(421, `${named}: this server answers only to its own address`, 'Host');
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const api = ROUTES[url.pathname];
  if (api !== undefined) {
    if (req.method !== api.method && !(api.method === 'GET' && req.method === 'HEAD'))
      throw new HttpError(405, `${url.pathname} takes ${api.method}, not ${req.method}`, undefined, {
        Allow: api.method,
      });
    const reply = await api.handle(c, req, url, res);
    if (reply !== ANSWERED) sendJson(res, 200, reply);
    return;
  }
  if (url.pathname.startsWith('/api/')) throw new HttpError(404, `no such API: ${url.pathname}`);
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new HttpError(405, `${url.pathname} takes GET, not ${req.method}`, undefined, { Allow: 'GET' });
  const path = staticFilePath(url.pathname);
  const file = path === null ? null : await readStaticFile(path);
  if (file === null) throw new HttpError(404, `no such page: ${url.pathname}`);
  res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

function info(c: Context) {
  const m = c.served.model;
  return {
    model: { folder: c.modelFolder, parameters: m.parameters, config: m.config },
    backend: { name: m.backend, threads: m.threads },
    tokenizer: { vocabSize: c.tokenizer.vocabSize },
    run: c.metrics === null ? null : { folder: c.metrics.folder },
    limits: c.limits,
    load: { queued: c.served.queued, ...c.served.stats },
  };
}

async function translate(c: Context, req: IncomingMessage) {
  if (c.translator === null) throw wrongKind('/api/translate', 'encoder-decoder', c.served.model.config.kind);
  const translator = c.translator;
  const began = performance.now();
  const request = parseTranslateRequest(await readJsonBody(req, c.limits.maxBodyBytes), c.limits);
  const source = encodeSource(c.tokenizer, request.text, c.limits.maxTokens);
  let result;
  try {
    result = await translator.translate({ source, attention: request.attention }, request.beam, request.alpha);
  } catch (error) {
    if (error instanceof QueueFullError)
      throw new HttpError(503, `the server is busy: ${error.message}`, undefined, { 'Retry-After': '1' });
    throw error;
  }
  return translationJson(c.tokenizer, request, source, result, performance.now() - began);
}

async function positionalEncoding(c: Context, _req: IncomingMessage, url: URL) {
  const maxLength = c.served.model.config.maxLength;
  const raw = url.searchParams.get('length') ?? String(Math.min(64, maxLength));
  const length = Number(raw);
  if (!Number.isInteger(length) || length < 1 || length > maxLength)
    throw new HttpError(422, `length must be an integer from 1 to ${maxLength}, got "${raw}"`, 'length');
  const pe = await c.served.positionalEncoding(length);
  return {
    kind: c.served.model.config.positionalEncoding,
    length: pe.length,
    dModel: pe.dModel,
    values: Array.from(pe.values, (x) => Math.round(x * 1e4) / 1e4),
  };
}

async function metrics(c: Context) {
  if (c.metrics === null)
    throw new HttpError(404, 'no run folder: start the server with --run DIR (a folder with metrics.jsonl)');
  return c.metrics.reply();
}
