// POST /api/generate for a decoder-only model: the body checked field by field (greedy unless `sample`
// is true; temperature, topK, topP and seed only with it), the prompt's ids, and the reply: the
// continuation, its tokens, why it ended, and on request the causal self-attention of every layer
// over the prompt and the continuation.

import type { SampleOptions } from '../decode/sample.js';
import type { ModelConfig } from '../model/config.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { booleanField, integerField, numberField, objectBody, textField } from './body-fields.js';
import { HttpError } from './http.js';
import type { GenerateJob, GenerateResult } from './kinds-protocol.js';
import { attentionJson } from './translate-request.js';

const FIELDS = [
  'prompt',
  'maxNewTokens',
  'sample',
  'temperature',
  'topK',
  'topP',
  'repetitionPenalty',
  'seed',
  'attention',
  'stream',
];
const SAMPLING_FIELDS = ['temperature', 'topK', 'topP', 'seed'];

export interface GenerateRequest {
  prompt: string;
  options: SampleOptions;
  attention: boolean;
  /** Answer as server-sent events, a `token` event per step and `done` at the end. */
  stream: boolean;
}

export function parseGenerateRequest(body: unknown, maxNewTokens: number): GenerateRequest {
  const f = objectBody(body, FIELDS);
  const prompt = textField('prompt', f.prompt);
  const sample = f.sample === undefined ? false : booleanField('sample', f.sample);
  if (!sample)
    for (const name of SAMPLING_FIELDS)
      if (f[name] !== undefined) throw new HttpError(422, `${name} applies to sampling: set sample to true`, name);
  const optional = <T>(name: string, check: (name: string, value: unknown) => T) =>
    f[name] === undefined ? undefined : check(name, f[name]);
  const options: SampleOptions = {
    maxNewTokens: optional('maxNewTokens', (n, v) => integerField(n, v, 1, maxNewTokens)) ?? Math.min(50, maxNewTokens),
    temperature: sample ? (optional('temperature', (n, v) => numberField(n, v, 0, 100, true)) ?? 1) : 0,
    topK: optional('topK', (n, v) => integerField(n, v, 0, 1 << 20)) ?? 0,
    topP: optional('topP', (n, v) => numberField(n, v, 0, 1, true)) ?? 1,
    repetitionPenalty: optional('repetitionPenalty', (n, v) => numberField(n, v, 0, 100, true)) ?? 1,
    seed: optional('seed', (n, v) => integerField(n, v, 0, 2 ** 32 - 1)) ?? 0,
  };
  return {
    prompt,
    options,
    attention: optional('attention', booleanField) ?? false,
    stream: optional('stream', booleanField) ?? false,
  };
}

/** The prompt's ids (no EOS: the model continues it), refused with a 422 when the model cannot read it. */
export function generateJob(tokenizer: TextTokenizer, request: GenerateRequest, maxTokens: number): GenerateJob {
  let ids: number[];
  try {
    ids = [...tokenizer.encode(request.prompt)];
  } catch (error) {
    // A character model's vocabulary lacks a character of the prompt.
    throw new HttpError(422, `prompt: ${(error as Error).message}`, 'prompt');
  }
  if (ids.length === 0) throw new HttpError(422, 'prompt has no tokens', 'prompt');
  if (ids.length > maxTokens)
    throw new HttpError(422, `prompt has ${ids.length} tokens; this server reads at most ${maxTokens}`, 'prompt');
  return { prompt: ids, options: request.options, attention: request.attention };
}

export function generationJson(
  tokenizer: TextTokenizer,
  config: ModelConfig,
  job: GenerateJob,
  result: GenerateResult,
  milliseconds: number,
) {
  const piece = (id: number) => tokenizer.idToPiece(id);
  const ended = result.stopped ? 'stopped' : result.tokenLogprobs.length > result.tokens.length ? 'eos' : 'length';
  // The positions the model read (and the attention maps cover): the prompt and the continuation, up to maxLength.
  const read = [...job.prompt, ...result.tokens].slice(0, config.maxLength);
  return {
    kind: config.kind,
    text: tokenizer.decode(result.tokens),
    prompt: { ids: job.prompt, tokens: job.prompt.map(piece) },
    continuation: { ids: result.tokens, tokens: result.tokens.map(piece) },
    read: { ids: read, tokens: read.map(piece) },
    ended,
    logprob: result.stopped ? null : result.tokenLogprobs.reduce((a, b) => a + b, 0),
    sample: job.options.temperature !== 0,
    milliseconds: Math.round(milliseconds * 10) / 10,
    ...(result.attention === null ? {} : { attention: result.attention.map(attentionJson) }),
  };
}
