// The body of POST /api/translate, checked field by field, and the reply built from the worker's
// result: the translation, the tokens on both sides, and (on request) every attention map.

import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { HttpError } from './http.js';
import type { AttentionMapMessage, TranslationResult } from './protocol.js';

export interface TranslateRequest {
  text: string;
  beam: number;
  alpha: number;
  attention: boolean;
}

export interface RequestLimits {
  /** Source tokens at most, EOS included. */
  maxTokens: number;
  maxBeam: number;
}

const FIELDS = ['text', 'beam', 'alpha', 'attention'];

export function parseTranslateRequest(body: unknown, limits: RequestLimits): TranslateRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, `the body must be a JSON object with the fields ${FIELDS.join(', ')}`);
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields))
    if (!FIELDS.includes(key)) throw new HttpError(400, `unknown field "${key}"; expected ${FIELDS.join(', ')}`, key);
  const { text, beam = 4, alpha = 0.6, attention = false } = fields;
  if (typeof text !== 'string') throw new HttpError(422, 'text must be a string', 'text');
  if (text.trim() === '') throw new HttpError(422, 'text is empty', 'text');
  if (typeof beam !== 'number' || !Number.isInteger(beam) || beam < 1 || beam > limits.maxBeam)
    throw new HttpError(
      422,
      `beam must be an integer from 1 to ${limits.maxBeam}, got ${JSON.stringify(beam)}`,
      'beam',
    );
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 2))
    throw new HttpError(422, `alpha must be a number from 0 to 2, got ${JSON.stringify(alpha)}`, 'alpha');
  if (typeof attention !== 'boolean')
    throw new HttpError(422, `attention must be true or false, got ${JSON.stringify(attention)}`, 'attention');
  return { text, beam, alpha, attention };
}

/** The source ids with EOS, refused with a readable 422 when longer than the limit. */
export function encodeSource(tokenizer: TextTokenizer, text: string, maxTokens: number): number[] {
  // The body limit bounds the text, so tokenizing all of it is cheap (well under a millisecond per KiB).
  const ids = [...tokenizer.encode(text, { addEos: true })];
  if (ids.length > maxTokens)
    throw new HttpError(
      422,
      `text has ${ids.length} tokens (with the end-of-sentence token); this server translates at most ${maxTokens}: split it into sentences`,
      'text',
    );
  return ids;
}

export type AttentionKind = 'encoder' | 'decoder' | 'cross';

export interface AttentionMapJson {
  name: string;
  kind: AttentionKind;
  layer: number;
  /** [heads, queries, keys] */
  shape: [number, number, number];
  /** Row-major weights rounded to 4 decimals. */
  weights: number[];
}

/** "encoder.layers.2.selfAttention" → encoder, layer 2; "decoder.layers.0.crossAttention" → cross, layer 0. */
export function describeMap(name: string): { kind: AttentionKind; layer: number } {
  const match = /^(encoder|decoder)\.layers\.(\d+)\.(selfAttention|crossAttention)$/.exec(name);
  if (match === null) throw new Error(`unexpected attention module name ${name}`);
  const kind = match[3] === 'crossAttention' ? 'cross' : (match[1] as 'encoder' | 'decoder');
  return { kind, layer: Number(match[2]) };
}

export function attentionJson(map: AttentionMapMessage): AttentionMapJson {
  const weights = new Array<number>(map.weights.length);
  for (let i = 0; i < weights.length; i++) weights[i] = Math.round(map.weights[i] * 1e4) / 1e4;
  return { name: map.name, ...describeMap(map.name), shape: map.shape, weights };
}

export function translationJson(
  tokenizer: TextTokenizer,
  request: TranslateRequest,
  source: number[],
  result: TranslationResult,
  milliseconds: number,
) {
  const piece = (id: number) => tokenizer.idToPiece(id);
  return {
    translation: tokenizer.decode(result.tokens),
    source: { ids: source, tokens: source.map(piece) },
    target: { ids: result.tokens, tokens: result.tokens.map(piece) },
    score: result.score,
    logprob: result.logprob,
    beam: request.beam,
    alpha: request.alpha,
    milliseconds: Math.round(milliseconds * 10) / 10,
    ...(result.attention === null ? {} : { attention: result.attention.map(attentionJson) }),
  };
}
