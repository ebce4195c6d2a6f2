// POST /api/encode for an encoder-only model: the body checked field by field, the text read as its
// training read it (BOS and the pieces; a tagged text word by word, a word's label on its first piece),
// and the reply: what the head says (the label distribution, a label per word, or the fillers of each
// <mask>) with the tokens and, on request, every layer's self-attention.

import { IGNORE_LABEL } from '../data/encoder-batches.js';
import type { ModelConfig } from '../model/config.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { MASK_TOKEN } from '../tokenizer/vocab.js';
import { alignWordLabels } from '../train/encoder-examples.js';
import { booleanField, integerField, objectBody, textField } from './body-fields.js';
import { HttpError } from './http.js';
import type { EncodeJob, EncodeResult, RankedRow } from './kinds-protocol.js';
import { attentionJson } from './translate-request.js';

/** The most classes or fillers a reply ranks per position. */
export const MAX_TOP_K = 50;
const FIELDS = ['text', 'topK', 'attention'];

export interface EncodeRequest {
  text: string;
  topK: number | null;
  attention: boolean;
}

export function parseEncodeRequest(body: unknown): EncodeRequest {
  const fields = objectBody(body, FIELDS);
  return {
    text: textField('text', fields.text),
    topK: fields.topK === undefined ? null : integerField('topK', fields.topK, 1, MAX_TOP_K),
    attention: fields.attention === undefined ? false : booleanField('attention', fields.attention),
  };
}

/** The worker's job for a request, refused with a 422 when the text is too long or (masked-LM) has no mask. */
export function encodeJob(
  tokenizer: TextTokenizer & { pieceToId?(piece: string): number | undefined },
  config: ModelConfig,
  request: EncodeRequest,
  maxTokens: number,
): EncodeJob {
  let ids: number[];
  let rows: number[];
  let topK: number;
  if (config.head === 'token-classification') {
    const words = request.text.trim().split(/\s+/);
    const aligned = alignWordLabels(tokenizer, words, new Array<number>(words.length).fill(0));
    ids = [...aligned.ids];
    rows = [...aligned.labels.keys()].filter((p) => aligned.labels[p] !== IGNORE_LABEL);
    topK = request.topK ?? 3;
  } else if (config.head === 'masked-lm') {
    const mask = tokenizer.pieceToId?.(MASK_TOKEN);
    if (mask === undefined)
      throw new HttpError(422, `the model's tokenizer has no ${MASK_TOKEN} token, so there is nothing to fill`, 'text');
    ids = [config.bosId, ...tokenizer.encode(request.text, { allowSpecial: true })];
    rows = [...ids.keys()].filter((p) => ids[p] === mask);
    if (rows.length === 0)
      throw new HttpError(
        422,
        `text has no ${MASK_TOKEN}: write ${MASK_TOKEN} where a word is to be filled in`,
        'text',
      );
    topK = request.topK ?? 5;
  } else {
    ids = [config.bosId, ...tokenizer.encode(request.text)];
    rows = [0];
    topK = request.topK ?? Math.min(config.numLabels, MAX_TOP_K);
  }
  if (ids.length > maxTokens)
    throw new HttpError(
      422,
      `text has ${ids.length} tokens (with the start token); this server reads at most ${maxTokens}`,
      'text',
    );
  return { ids, rows, topK, attention: request.attention };
}

/** A class id's name: the config's id2label, else the id. */
function labelName(config: ModelConfig, id: number): string {
  return config.id2label[String(id)] ?? String(id);
}

const ranked = (row: RankedRow, name: (id: number) => string) =>
  row.ids.map((id, i) => ({ label: name(id), score: row.scores[i] }));

export function encodeJson(
  tokenizer: TextTokenizer,
  config: ModelConfig,
  request: EncodeRequest,
  job: EncodeJob,
  result: EncodeResult,
  milliseconds: number,
) {
  const tokens = { ids: job.ids, tokens: job.ids.map((id) => tokenizer.idToPiece(id)) };
  let answer: Record<string, unknown>;
  if (config.head === 'sequence-classification') {
    answer = { labels: ranked(result.rows[0], (id) => labelName(config, id)) };
  } else if (config.head === 'token-classification') {
    // A word without pieces has no label (training skipped it the same way).
    const words = request.text
      .trim()
      .split(/\s+/)
      .filter((word) => tokenizer.encode(word).length > 0);
    const tags = result.rows.map((row, w) => ({
      word: words[w],
      position: job.rows[w],
      labels: ranked(row, (id) => labelName(config, id)),
    }));
    answer = { tags };
  } else {
    const masks = result.rows.map((row, m) => ({
      position: job.rows[m],
      candidates: row.ids.map((id, i) => {
        const filled = job.ids.slice(1);
        filled[job.rows[m] - 1] = id;
        const text = tokenizer.decode([id]).trim();
        return {
          token: id,
          token_str: text || tokenizer.idToPiece(id),
          score: row.scores[i],
          sequence: tokenizer.decode(filled),
        };
      }),
    }));
    answer = { masks };
  }
  return {
    kind: config.kind,
    head: config.head,
    tokens,
    ...answer,
    milliseconds: Math.round(milliseconds * 10) / 10,
    ...(result.attention === null ? {} : { attention: result.attention.map(attentionJson) }),
  };
}
