// What a pipeline runs on: an opened model folder (src/io/open-folder.ts's OpenedFolder fits) or any
// model with a tokenizer, and the checks a task makes of it before the first call.

import type { SearchDefaults } from '../io/open-folder.js';
import type { Model, ModelKind } from '../model/index.js';
import type { EncodeOptions } from '../tokenizer/tokenizer.js';
import { PipelineError } from './options.js';

/** Text to ids and back: every tokenizer of the package fits (ours, Marian's, a character vocabulary wrapped). */
export interface TextCodec {
  /** The token ids of a text (EOS appended when asked). */
  encode(text: string, options?: EncodeOptions): Iterable<number>;
  /** The text of token ids. */
  decode(ids: ArrayLike<number>): string;
}

/** A model and its tokenizer, as a pipeline takes them. */
export interface PipelineSource {
  model: Model;
  tokenizer: TextCodec | null;
  /** The folder's search defaults (beam size, output length); the paper's (beam 4) when absent. */
  search?: SearchDefaults;
  /** Where the model came from (a folder's path), for messages; "the model" when absent. */
  name?: string;
  /** Class names of a classification head, by id (a config's id2label); LABEL_i when absent. */
  labels?: readonly string[];
}

const KIND_NAMES = {
  'encoder-decoder': 'an encoder-decoder',
  'decoder-only': 'a decoder-only',
  'encoder-only': 'an encoder-only',
} as const;

/** The model when it is of the kind the task needs, else a one-line error saying what the folder holds. */
export function requireModel<M extends Model>(
  task: string,
  source: PipelineSource,
  kind: ModelKind,
  type: abstract new (...args: never[]) => M,
): M {
  const model = source.model;
  if (!(model instanceof type)) {
    const held = model.config.kind;
    throw new PipelineError(
      `${task} needs ${KIND_NAMES[kind]} folder; ${source.name ?? 'the model'} holds ${KIND_NAMES[held]} model`,
    );
  }
  return model;
}

/** The tokenizer, which every text task needs. */
export function requireTokenizer(task: string, source: PipelineSource): TextCodec {
  if (source.tokenizer === null)
    throw new PipelineError(`${task} needs a tokenizer; ${source.name ?? 'the model'} has none (tokenizer.json)`);
  return source.tokenizer;
}
