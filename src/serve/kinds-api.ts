// The API of an encoder-only or decoder-only model folder (server.ts routes to it):
//   POST /api/encode     {text, topK?, attention?}: what an encoder-only model's head says (encode-request.ts)
//   POST /api/generate   {prompt, maxNewTokens?, sample?, temperature?, topK?, topP?, repetitionPenalty?,
//                         seed?, attention?, stream?}: a decoder-only model's continuation (generate-request.ts);
//                        with stream: true, server-sent events: `start`, a `token` per step, then `done`
//                        with the whole reply (or `error`).
// Each needs its kind of model; asked of another kind it answers 404 naming the endpoint that fits.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { RESERVED_IDS, VOCABULARY_FILE } from '../data/characters.js';
import { loadCharacterVocabulary } from '../data/character-file.js';
import type { ModelConfig, ModelKind } from '../model/config.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { encodeJob, encodeJson, parseEncodeRequest } from './encode-request.js';
import { generateJob, generationJson, parseGenerateRequest } from './generate-request.js';
import { HttpError, readJsonBody } from './http.js';
import type { ModelRunner } from './model-runner.js';
import { QueueFullError } from './translator.js';

export interface KindsContext {
  runner: ModelRunner;
  tokenizer: TextTokenizer;
  config: ModelConfig;
  limits: { maxBodyBytes: number; maxTokens: number; maxNewTokens: number };
}

/** What a handler returns when it has written the response itself (a stream). */
export const ANSWERED = Symbol('answered');

const ENDPOINT_OF_KIND: Record<ModelKind, string> = {
  'encoder-decoder': '/api/translate',
  'encoder-only': '/api/encode',
  'decoder-only': '/api/generate',
};

/** The 404 of an endpoint asked of a model of another kind. */
export function wrongKind(path: string, needs: ModelKind, held: ModelKind): HttpError {
  return new HttpError(
    404,
    `${path} needs ${needs === 'decoder-only' ? 'a' : 'an'} ${needs} model; this server's model is ${held}: use ${ENDPOINT_OF_KIND[held]}`,
  );
}

function busy(error: unknown): never {
  if (error instanceof QueueFullError)
    throw new HttpError(503, `the server is busy: ${error.message}`, undefined, { 'Retry-After': '1' });
  throw error;
}

export async function encode(k: KindsContext, req: IncomingMessage) {
  const began = performance.now();
  const request = parseEncodeRequest(await readJsonBody(req, k.limits.maxBodyBytes));
  const job = encodeJob(k.tokenizer, k.config, request, k.limits.maxTokens);
  const result = await k.runner.encode(job).catch(busy);
  return encodeJson(k.tokenizer, k.config, request, job, result, performance.now() - began);
}

export async function generate(k: KindsContext, req: IncomingMessage, res: ServerResponse) {
  const began = performance.now();
  const request = parseGenerateRequest(await readJsonBody(req, k.limits.maxBodyBytes), k.limits.maxNewTokens);
  const job = generateJob(k.tokenizer, request, k.limits.maxTokens);
  // A client that leaves stops its generation (or takes it off the queue).
  const leaving = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) leaving.abort();
  });
  const chosen: number[] = [];
  let send: ((event: string, data: unknown) => void) | null = null;
  const onTokens = (tokens: number[]) => {
    chosen.push(...tokens);
    send?.('token', {
      ids: tokens,
      tokens: tokens.map((id) => k.tokenizer.idToPiece(id)),
      text: k.tokenizer.decode(chosen),
    });
  };
  let running;
  try {
    running = k.runner.generate(job, onTokens, leaving.signal); // 503 now, before a stream begins
  } catch (error) {
    busy(error);
  }
  if (!request.stream) {
    const result = await running;
    return generationJson(k.tokenizer, k.config, job, result, performance.now() - began);
  }
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  send = (event, data) => {
    if (!res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('start', { prompt: { ids: job.prompt, tokens: job.prompt.map((id) => k.tokenizer.idToPiece(id)) } });
  try {
    const result = await running;
    send('done', generationJson(k.tokenizer, k.config, job, result, performance.now() - began));
  } catch (error) {
    if (!res.destroyed) {
      console.error(error);
      send('error', { error: { status: 500, message: "internal error; the server's log has the details" } });
    }
  }
  res.end();
  return ANSWERED;
}

/**
 * The folder's text codec: tokenizer.json's (given), else a character model's vocabulary.json as a
 * tokenizer; null when the folder has neither.
 */
export function characterTokenizer(dir: string): TextTokenizer | null {
  const path = join(dir, VOCABULARY_FILE);
  if (!existsSync(path)) return null;
  const vocabulary = loadCharacterVocabulary(path);
  const reserved = ['<pad>', '<s>', '</s>'];
  return {
    vocabSize: vocabulary.size,
    encode: (text) => vocabulary.encode(text),
    decode: (ids) => vocabulary.decode(ids),
    idToPiece: (id) => (id < RESERVED_IDS ? reserved[id] : (vocabulary.chars[id - RESERVED_IDS] ?? `<${id}>`)),
  };
}
