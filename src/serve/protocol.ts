// The messages between the server's main thread and its translation worker. The main thread keeps
// the network and the tokenizer; the worker owns the model, so that a long batch never delays an
// answer (a 413 or a 4xx is sent while the worker computes).

import type { ModelConfig } from '../model/config.js';

export interface ModelSummary {
  config: ModelConfig;
  parameters: number;
  backend: string;
  threads: number | null;
}

/** One sentence to translate; sources end with EOS. */
export interface TranslateJob {
  source: number[];
  attention: boolean;
}

export type WorkerRequest =
  | { type: 'translate'; id: number; jobs: TranslateJob[]; beam: number; alpha: number }
  | { type: 'positional-encoding'; id: number; length: number };

export interface AttentionMapMessage {
  /** e.g. "decoder.layers.1.crossAttention" */
  name: string;
  shape: [number, number, number];
  weights: Float32Array;
}

export interface TranslationResult {
  tokens: number[];
  score: number;
  logprob: number;
  attention: AttentionMapMessage[] | null;
}

export type WorkerReply =
  | { type: 'ready'; model: ModelSummary }
  /** `input` says the folder was at fault (an InputError), not the code: the class does not cross threads. */
  | { type: 'failed'; message: string; input: boolean }
  | { type: 'translated'; id: number; results: TranslationResult[]; milliseconds: number }
  | { type: 'positional-encoding'; id: number; length: number; dModel: number; values: Float32Array }
  | { type: 'error'; id: number; message: string };
