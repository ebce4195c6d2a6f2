// Examples for an encoder-only model (a token sequence and its labels: one per sequence, one per token,
// or none for masked-LM) batched as translation batches are: length-bucketed to about maxTokens padded
// tokens, shuffled per (seed, epoch), with a position that resumes exactly (batching.ts).

import type { DataPosition } from './batch-iterator.js';
import { planEpoch } from './batching.js';
import { emptyReport } from './filters.js';
import { sentence, sentenceCount, TokenColumnBuilder, type TokenColumn } from './token-column.js';

/** A label the loss skips: padding, and the pieces after a word's first (as Hugging Face does). */
export const IGNORE_LABEL = -100;

export type LabelKind = 'sequence' | 'token' | 'none';

export interface EncoderDataset {
  /** One label per sequence (classification), per token (tagging), or none (masked-LM). */
  kind: LabelKind;
  inputs: TokenColumn;
  /** Per example: [label] (classification), a label per token (tagging), or null (masked-LM). */
  labels: Int32Array[] | null;
  size: number;
}

export function makeDataset(kind: LabelKind, inputs: ArrayLike<number>[], labels: Int32Array[] | null): EncoderDataset {
  const column = new TokenColumnBuilder();
  for (const ids of inputs) column.add(ids);
  return { kind, inputs: column.finish(), labels: kind === 'none' ? null : labels, size: inputs.length };
}

export interface EncoderBatch {
  indices: Int32Array;
  /** B */
  size: number;
  /** S: the longest sequence. */
  length: number;
  /** Padded ids. */ // (B, S)
  ids: Int32Array;
  /** Classification: (B); tagging: (B, S) with IGNORE_LABEL at padding; masked-LM: null. */
  labels: Int32Array | null;
}

export function makeEncoderBatch(data: EncoderDataset, indices: Int32Array, padId: number): EncoderBatch {
  const B = indices.length;
  let S = 0;
  for (const i of indices) S = Math.max(S, sentence(data.inputs, i).length);
  const ids = new Int32Array(B * S).fill(padId); // (B, S)
  indices.forEach((i, b) => ids.set(sentence(data.inputs, i), b * S));
  let labels: Int32Array | null = null;
  if (data.labels !== null) {
    if (data.kind === 'token') {
      labels = new Int32Array(B * S).fill(IGNORE_LABEL); // (B, S)
      indices.forEach((i, b) => labels!.set(data.labels![i], b * S));
    } else labels = Int32Array.from(indices, (i) => data.labels![i][0]); // (B)
  }
  return { indices, size: B, length: S, ids, labels };
}

/** The batches of one epoch as index lists: sequences of like length together, about maxTokens each. */
export function planEncoderEpoch(data: EncoderDataset, maxTokens: number, seed: number, epoch: number): Int32Array[] {
  const corpus = { source: data.inputs, target: emptyTargets(data.size), size: data.size, report: emptyReport() };
  return planEpoch(corpus, { maxTokens, seed }, epoch);
}

function emptyTargets(n: number): TokenColumn {
  return { ids: new Int32Array(0), offsets: new Int32Array(n + 1) };
}

/** Endless batches, epoch after epoch, from a position saved in a checkpoint. */
export class EncoderBatches {
  private epoch: number;
  private index: number;
  private plan: Int32Array[];

  constructor(
    private readonly data: EncoderDataset,
    private readonly maxTokens: number,
    private readonly padId: number,
    private readonly seed: number,
    start: DataPosition = { epoch: 0, index: 0, seed },
  ) {
    if (sentenceCount(data.inputs) === 0) throw new Error('cannot batch an empty dataset');
    this.epoch = start.epoch;
    this.index = start.index;
    this.plan = planEncoderEpoch(data, maxTokens, seed, this.epoch);
    if (this.index > this.plan.length) this.index = this.plan.length;
  }

  get position(): DataPosition {
    return { epoch: this.epoch, index: this.index, seed: this.seed };
  }

  next(): EncoderBatch {
    if (this.index === this.plan.length) {
      this.epoch++;
      this.index = 0;
      this.plan = planEncoderEpoch(this.data, this.maxTokens, this.seed, this.epoch);
    }
    return makeEncoderBatch(this.data, this.plan[this.index++], this.padId);
  }
}
