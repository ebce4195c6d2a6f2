// The messages between the server's main thread and the worker that runs an encoder-only or a
// decoder-only model (kinds-worker.ts). As with translation, the main thread keeps the network and
// the tokenizer and the worker owns the model; a generation reports each token as it is chosen.

import type { SampleOptions } from '../decode/sample.js';
import type { AttentionMapMessage, ModelSummary } from './protocol.js';

/** Run the encoder over ids once; rank the head's classes at the given positions. */
export interface EncodeJob {
  ids: number[];
  /** Positions whose class distribution is wanted (0 for a sequence classifier's single row). */
  rows: number[];
  /** Classes kept per row, most probable first. */
  topK: number;
  attention: boolean;
}

/** Continue a prompt (token ids) with the language model. */
export interface GenerateJob {
  prompt: number[];
  options: SampleOptions;
  attention: boolean;
}

/** The classes of one row, most probable first. */
export interface RankedRow {
  ids: number[];
  scores: number[];
}

export interface EncodeResult {
  rows: RankedRow[];
  attention: AttentionMapMessage[] | null;
  milliseconds: number;
}

export interface GenerateResult {
  tokens: number[];
  /** log p of each chosen token under the model (EOS included when it ended the text); empty when stopped. */
  tokenLogprobs: number[];
  /** The client went away before the end. */
  stopped: boolean;
  attention: AttentionMapMessage[] | null;
  milliseconds: number;
}

export type KindsRequest =
  | ({ type: 'encode'; id: number } & EncodeJob)
  | ({ type: 'generate'; id: number } & GenerateJob)
  /** Ends the generation `id` after its current step. */
  | { type: 'stop'; id: number }
  | { type: 'positional-encoding'; id: number; length: number };

export type KindsReply =
  | { type: 'ready'; model: ModelSummary }
  | { type: 'failed'; message: string; input: boolean }
  | ({ type: 'encoded'; id: number } & EncodeResult)
  /** The tokens a generation chose since its last report. */
  | { type: 'tokens'; id: number; tokens: number[] }
  | ({ type: 'generated'; id: number } & GenerateResult)
  | { type: 'positional-encoding'; id: number; length: number; dModel: number; values: Float32Array }
  | { type: 'error'; id: number; message: string; input: boolean };
